"""The default Terminator on real scikit-learn cross-validation studies: it stops, not too early.

"Not too early": continuing the same seeded study to 100 trials improves the best CV score by
less than twice the cross-validation error at the stopping point, i.e. by no more than the
noise the terminator is built to ignore.
"""

from __future__ import annotations

import warnings

import pytest
import recorded

import trimtab
from trimtab.terminator import CrossValidationErrorEvaluator, TerminatorCallback

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore"),
    pytest.mark.timeout(1800),  # two studies of real 5-fold fits each, on a shared machine
]
LONG_RUN = 100
CV_CASES = [c for c in recorded.CASES if c.evaluators == "regret+cv"]


@pytest.mark.parametrize("case", CV_CASES, ids=[c.name for c in CV_CASES])
def test_default_terminator_stops_a_cv_study_without_giving_up_real_gains(case) -> None:
    pytest.importorskip("sklearn")
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    stopped = trimtab.create_study(
        direction=case.direction, sampler=trimtab.samplers.TPESampler(seed=case.seed)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stopped.optimize(
            lambda t: case.objective(t, case.seed), n_trials=LONG_RUN,
            callbacks=[TerminatorCallback()],
        )
        error = CrossValidationErrorEvaluator().evaluate(stopped.trials, stopped.direction)
    n_stop = len(stopped.trials)
    assert 20 <= n_stop < LONG_RUN, f"{case.name}: did not stop ({n_stop} trials)"
    long = recorded.record(case, n_trials=LONG_RUN)
    # Same seed, same objective: the long run repeats the stopped study, then goes on.
    assert [t.params for t in long.trials[:n_stop]] == [t.params for t in stopped.trials]
    gain = long.best_value - stopped.best_value
    assert gain <= 2 * error, (case.name, n_stop, gain, error)
