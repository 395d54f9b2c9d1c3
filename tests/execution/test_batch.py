"""Batch asking: k trials at once for an external scheduler, told back in any order."""

from __future__ import annotations

import pytest

import trimtab
from trimtab.distributions import FloatDistribution, IntDistribution
from trimtab.execution import ask_batch
from trimtab.samplers import TPESampler
from trimtab.trial import TrialState


def test_ask_batch_samples_k_trials_that_are_told_back_in_any_order() -> None:
    study = trimtab.create_study(sampler=TPESampler(seed=0, constant_liar=True))
    space = {"x": FloatDistribution(-5, 5), "n": IntDistribution(1, 9)}
    for _ in range(3):
        batch = ask_batch(study, 4, space)
        assert [t.number for t in batch] == list(range(batch[0].number, batch[0].number + 4))
        assert all(set(t.params) == {"x", "n"} for t in batch)
        assert len({t.params["x"] for t in batch}) == 4
        for trial in reversed(batch):
            study.tell(trial, trial.params["x"] ** 2 + trial.params["n"])
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 12


def test_ask_batch_without_a_space_gives_define_by_run_trials() -> None:
    study = trimtab.create_study()
    batch = ask_batch(study, 2)
    assert [t.params for t in batch] == [{}, {}]
    study.tell(batch[1], batch[1].suggest_float("y", 0, 1))
    study.tell(batch[0], state=TrialState.PRUNED)
    assert [t.state for t in study.trials] == [TrialState.PRUNED, TrialState.COMPLETE]


@pytest.mark.parametrize("n", [0, -1, 2.0, True])
def test_ask_batch_rejects_a_bad_count(n: object) -> None:
    study = trimtab.create_study()
    with pytest.raises(ValueError, match="`n` must be a positive int"):
        ask_batch(study, n)  # type: ignore[arg-type]
    assert study.trials == []
