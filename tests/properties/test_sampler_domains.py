"""Every built-in sampler returns values inside the declared domain: floats within bounds and
on the step grid, ints exact and on their grid (up to 2**53), choices from the list.

Each example fixes a search space with extreme but valid bounds and runs enough trials for
the sampler's model (TPE, GP, CMA-ES, QMC, NSGA-II) to take over from its start-up phase.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property_backends import TRIED

import trimtab
from trimtab import samplers

SAMPLERS: dict[str, Callable[[], trimtab.samplers.BaseSampler]] = {
    "random": lambda: samplers.RandomSampler(seed=0),
    "tpe": lambda: samplers.TPESampler(seed=0, n_startup_trials=3),
    "tpe_multivariate": lambda: samplers.TPESampler(
        seed=0, n_startup_trials=3, multivariate=True, group=True
    ),
    "qmc": lambda: samplers.QMCSampler(seed=0),
    "gp": lambda: samplers.GPSampler(seed=0, n_startup_trials=3),
    "cmaes": lambda: samplers.CmaEsSampler(seed=0, n_startup_trials=3),
    "nsgaii": lambda: samplers.NSGAIISampler(seed=0, population_size=4),
}
N_TRIALS = 8


def _bounds(draw: Any, lo: int, hi: int) -> tuple[int, int]:
    a, b = draw(st.integers(lo, hi)), draw(st.integers(lo, hi))
    return min(a, b), max(a, b)


@st.composite
def spaces(draw: Any) -> dict[str, Any]:
    edge = draw(st.sampled_from([2**53, 10**6, 10, 2**40]))
    low, high = _bounds(draw, -edge, edge)
    step = draw(st.one_of(st.just(1), st.integers(1, max(1, (high - low) // 2 + 1))))
    log_low, log_high = _bounds(draw, 1, edge)
    f_low = draw(st.floats(-1e300, 1e300, allow_subnormal=True))
    f_high = draw(st.floats(f_low, min(1e300, f_low + 1e300)))
    f_step = draw(st.one_of(st.none(), st.sampled_from([0.1, 0.25, 1.0, 1e-3, 7.5])))
    if f_step is not None:
        f_low, f_high = draw(
            st.sampled_from([(0.0, 1.0), (-1e3, 1e3), (0.1, 0.95), (2.2e-309, 2.2e-309)])
        )
    lf_low = draw(st.floats(5e-324, 1e300))
    lf_high = draw(st.floats(lf_low, 1e300))
    return {
        "int": (low, high, step),
        "int_log": (log_low, log_high),
        "float": (f_low, f_high, f_step),
        "float_log": (lf_low, lf_high),
        "cat": draw(
            st.lists(
                st.one_of(st.integers(), st.text(max_size=3), st.none()), min_size=1, max_size=4
            )
        ),
    }


def _objective(space: dict[str, Any], seen: list[dict[str, Any]]) -> Callable:
    def objective(trial: trimtab.Trial) -> float:
        low, high, step = space["int"]
        values = {
            "int": trial.suggest_int("int", low, high, step=step),
            "int_log": trial.suggest_int("int_log", *space["int_log"], log=True),
            "float": trial.suggest_float(
                "float", space["float"][0], space["float"][1], step=space["float"][2]
            ),
            "float_log": trial.suggest_float("float_log", *space["float_log"], log=True),
            "cat": trial.suggest_categorical("cat", space["cat"]),
        }
        seen.append(values)
        return math.sin(float(values["int"] % 97)) + len(seen) % 3

    return objective


def _check(values: dict[str, Any], space: dict[str, Any]) -> None:
    low, high, step = space["int"]
    assert type(values["int"]) is int and low <= values["int"] <= high
    assert (values["int"] - low) % step == 0, (values["int"], space["int"])
    log_low, log_high = space["int_log"]
    assert type(values["int_log"]) is int and log_low <= values["int_log"] <= log_high
    f_low, f_high, f_step = space["float"]
    value = values["float"]
    assert type(value) is float and f_low <= value <= f_high, (value, space["float"])
    if f_step is not None:
        k = (Fraction(value) - Fraction(f_low)) / Fraction(f_step)
        assert abs(k - round(k)) <= 1e-6, (value, space["float"])
    assert space["float_log"][0] <= values["float_log"] <= space["float_log"][1]
    assert any(type(c) is type(values["cat"]) and c == values["cat"] for c in space["cat"])


# GP and CMA-ES fit a model per trial: fewer examples in the default run.
DEFAULT_EXAMPLES = {"gp": 2, "cmaes": 2}


@pytest.mark.parametrize("size", ["default", pytest.param("large", marks=pytest.mark.slow)])
@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_samplers_stay_in_the_declared_domain(name: str, size: str) -> None:
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)

    @settings(
        max_examples=50 if size == "large" else DEFAULT_EXAMPLES.get(name, 5),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(spaces())
    def run(space: dict[str, Any]) -> None:
        TRIED[(f"sampler:{name}", "memory")] += 1
        seen: list[dict[str, Any]] = []
        study = trimtab.create_study(sampler=SAMPLERS[name]())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study.optimize(_objective(space, seen), n_trials=N_TRIALS, catch=())
        assert len(seen) == N_TRIALS
        for values, trial in zip(seen, study.trials):
            _check(values, space)
            assert trial.params == values

    run()
