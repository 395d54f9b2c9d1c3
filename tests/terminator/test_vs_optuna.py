"""The terminator stops where Optuna 5.0's does, on the same recorded studies.

Optuna's GP-based evaluators need torch, so these run under the ``slow`` marker. Stated
tolerance: the stopping trial may differ by at most one trial (measured: none differ), and
each improvement evaluated on the same trials agrees within 5% relative (measured: at most
2.3%, median below 1e-3; both libraries' GPs start the same L-BFGS search but trimtab's runs
in numpy, Optuna's in torch). The error evaluators agree to 1e-4 relative.
"""

from __future__ import annotations

import numpy as np
import optuna
import pytest
import recorded

import trimtab

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore"),
    pytest.mark.timeout(1800),  # Optuna's torch GP fits, one per trial, on a shared machine
]


@pytest.mark.parametrize("case", recorded.CASES, ids=[c.name for c in recorded.CASES])
def test_stops_at_the_same_trial_as_optuna(case: recorded.Case) -> None:
    pytest.importorskip("torch")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = recorded.record(case)
    ours_trials = study.get_trials(deepcopy=False)
    theirs_trials = recorded.to_optuna(ours_trials)
    direction = optuna.study.StudyDirection[study.direction.name]
    theirs = recorded.walk(optuna, theirs_trials, direction, case.evaluators, stop_early=True)
    assert theirs.stop is not None, f"{case.name}: Optuna never stops; the case tests nothing"
    until = min(len(ours_trials), theirs.stop + 1)
    ours = recorded.walk(trimtab, ours_trials, study.direction, case.evaluators, until=until)
    assert ours.stop is not None and abs(ours.stop - theirs.stop) <= 1, (ours.stop, theirs.stop)
    n = min(len(ours.improvements), len(theirs.improvements))
    mine, ref = np.array(ours.improvements[:n]), np.array(theirs.improvements[:n])
    np.testing.assert_allclose(mine, ref, rtol=0.05, atol=1e-9)
    np.testing.assert_allclose(ours.errors[:n], theirs.errors[:n], rtol=1e-4, atol=1e-300)
