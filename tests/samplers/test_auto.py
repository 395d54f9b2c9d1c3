"""AutoSampler: which algorithm it picks per space, and that the choice is shared and kept."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import trimtab
from trimtab._study_view import view_of
from trimtab.samplers import AutoSampler, BaseSampler
from trimtab.storages import JournalStorage
from trimtab.storages.journal import JournalFileBackend
from trimtab.testing.samplers import SamplerContract
from trimtab.trial import Trial, TrialState

trimtab.logging.set_verbosity(trimtab.logging.WARNING)

_RANK = {"random": 0, "gp": 1, "cmaes": 2, "tpe": 3, "nsgaii": 4, "nsgaiii": 4}


class TestAutoContract(SamplerContract):
    multi_objective = True

    def make_sampler(self, seed: int | None = None) -> BaseSampler:
        return AutoSampler(seed=seed, n_startup_trials=4, gp_budget=12)


def _algorithms(study: trimtab.Study) -> list[str]:
    """The algorithm recorded on each trial, in trial-number order."""
    return [t.system_attrs["auto:state"]["state"] for t in study.trials]


def _choice(study: trimtab.Study) -> dict[str, Any]:
    return view_of(study).load_study_state("auto", 1)


def _numeric(trial: Trial) -> float:
    x = trial.suggest_float("x", -3, 3)
    n = trial.suggest_int("n", 0, 10)
    return (x - 1) ** 2 + (n - 4) ** 2


def _run(objective: Any, n_trials: int, directions: Any = ("minimize",), **kwargs: Any) -> Any:
    sampler = AutoSampler(seed=0, n_startup_trials=4, **kwargs)
    study = trimtab.create_study(sampler=sampler, directions=list(directions))
    study.optimize(objective, n_trials=n_trials)
    return study


def test_numeric_space_uses_gp_then_cmaes() -> None:
    study = _run(_numeric, 14, gp_budget=8)
    assert _algorithms(study) == ["random"] * 4 + ["gp"] * 4 + ["cmaes"] * 6
    assert _choice(study) == {"sampler": "cmaes", "history": [["gp", 4], ["cmaes", 8]]}


def test_constrained_numeric_space_hands_gp_over_to_tpe() -> None:
    def objective(trial: Trial) -> float:
        value = _numeric(trial)
        trial.set_constraint("c", trial.params["x"] - 2.0)
        return value

    study = _run(objective, 12, gp_budget=8)
    assert _algorithms(study) == ["random"] * 4 + ["gp"] * 4 + ["tpe"] * 4


def test_constraints_func_is_applied_in_every_phase() -> None:
    study = _run(_numeric, 12, gp_budget=8, constraints_func=lambda t: [t.params["x"]])
    assert _algorithms(study)[-1] == "tpe"
    assert all(t.constraints == {"0": t.params["x"]} for t in study.trials)


@pytest.mark.parametrize(
    "objective",
    [
        lambda t: t.suggest_float("x", 0, 1) + len(t.suggest_categorical("c", ["a", "bb"])),
        lambda t: (
            t.suggest_float("a", 0, 1)
            if t.suggest_int("branch", 0, 1) == 0
            else t.suggest_float("b", 0, 1)
        ),
    ],
    ids=["categorical", "conditional"],
)
def test_categorical_or_conditional_space_uses_tpe(objective: Any) -> None:
    study = _run(objective, 10)
    assert _algorithms(study) == ["random"] * 4 + ["tpe"] * 6


def test_a_parameter_appearing_later_moves_gp_to_tpe() -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        if trial.number >= 7:
            return x + trial.suggest_float("late", 0, 1)
        return x

    study = _run(objective, 11)
    assert _algorithms(study) == ["random"] * 4 + ["gp"] * 4 + ["tpe"] * 3


def test_multi_objective_choices() -> None:
    def two(trial: Trial) -> tuple[float, float]:
        x, y = trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)
        return x, 1 - x + y

    study = _run(two, 12, ("minimize", "minimize"), gp_budget=8)
    assert _algorithms(study) == ["random"] * 4 + ["gp"] * 4 + ["nsgaii"] * 4
    # The earlier trials are NSGA-II's first generation, so it breeds from them.
    assert all(t.system_attrs["NSGAIISampler:generation"] == 0 for t in study.trials[:8])

    def four(trial: Trial) -> tuple[float, ...]:
        x = trial.suggest_float("x", 0, 1)
        return x, 1 - x, x * x, 1 - x * x

    study = _run(four, 10, ("minimize",) * 4, gp_budget=8)
    assert _algorithms(study) == ["random"] * 4 + ["tpe"] * 4 + ["nsgaiii"] * 2


def test_seeded_runs_are_reproducible() -> None:
    def mixed(trial: Trial) -> float:
        return _numeric(trial) + len(trial.suggest_categorical("c", ["a", "bb", "ccc"]))

    for objective, budget in ((_numeric, 250), (_numeric, 9), (mixed, 250)):
        first = _run(objective, 12, gp_budget=budget)
        second = _run(objective, 12, gp_budget=budget)
        assert [t.params for t in first.trials] == [t.params for t in second.trials]


def test_invalid_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="n_startup_trials"):
        AutoSampler(n_startup_trials=-1)
    with pytest.raises(ValueError, match="gp_budget"):
        AutoSampler(gp_budget=0)
    with pytest.raises(TypeError, match="constraints_func"):
        AutoSampler(constraints_func=3)  # type: ignore[arg-type]


_WORKER = textwrap.dedent(
    """
    import sys
    import trimtab
    from trimtab.storages import JournalStorage
    from trimtab.storages.journal import JournalFileBackend

    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    path, seed, n_trials, budget = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    sampler = trimtab.samplers.AutoSampler(seed=seed, n_startup_trials=4, gp_budget=budget)
    study = trimtab.load_study(
        study_name="auto", storage=JournalStorage(JournalFileBackend(path)), sampler=sampler
    )

    def objective(trial):
        x = trial.suggest_float("x", -3, 3)
        n = trial.suggest_int("n", 0, 10)
        return (x - 1) ** 2 + (n - 4) ** 2

    study.optimize(objective, n_trials=n_trials)
    """
)


def _workers(path: str, *args: tuple[int, int, int]) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, path, *map(str, a)]) for a in args
    ]
    for proc in procs:
        assert proc.wait(timeout=300) == 0


def _journal_study(tmp_path: Path) -> tuple[str, trimtab.Study]:
    path = str(tmp_path / "journal.log")
    study = trimtab.create_study(
        study_name="auto", storage=JournalStorage(JournalFileBackend(path))
    )
    return path, study


def test_resumed_study_keeps_the_stored_choice(tmp_path: Path) -> None:
    path, _ = _journal_study(tmp_path)
    _workers(path, (0, 10, 7))  # switches to CMA-ES after 7 complete trials
    # A new process whose own rule would still pick GP (budget 250) continues with CMA-ES.
    _workers(path, (1, 4, 250))
    study = trimtab.load_study(study_name="auto", storage=JournalStorage(JournalFileBackend(path)))
    assert _algorithms(study) == ["random"] * 4 + ["gp"] * 3 + ["cmaes"] * 7
    assert _choice(study)["sampler"] == "cmaes"


def test_parallel_workers_agree(tmp_path: Path) -> None:
    path, _ = _journal_study(tmp_path)
    _workers(path, (1, 12, 10), (2, 12, 10))
    study = trimtab.load_study(study_name="auto", storage=JournalStorage(JournalFileBackend(path)))
    trials = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(trials) == 24
    algorithms = _algorithms(study)
    assert _choice(study)["sampler"] == "cmaes" == algorithms[-1]
    first_final = algorithms.index("cmaes")
    # Once one worker switched, the other follows with at most the trial it had started.
    assert sum(a != "cmaes" for a in algorithms[first_final:]) <= 1
    assert algorithms[:4] == ["random"] * 4
    assert all(_RANK[a] <= _RANK["cmaes"] for a in algorithms)
