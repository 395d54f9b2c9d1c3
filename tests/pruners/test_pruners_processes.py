"""Pruner caches stay right when another process writes to the same study."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import trimtab
from trimtab.pruners import MedianPruner, SuccessiveHalvingPruner
from trimtab.trial import create_trial


@pytest.fixture(autouse=True)
def quiet() -> None:
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)


def in_another_process(url: str, body: str) -> None:
    script = textwrap.dedent(
        f"""
        import trimtab
        trimtab.logging.set_verbosity(trimtab.logging.WARNING)
        study = trimtab.load_study(study_name="shared", storage={url!r})
        """
    ) + textwrap.dedent(body)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


def ask_and_report(study: trimtab.Study, step: int, value: float) -> bool:
    trial = study.ask()
    trial.report(value, step)
    return trial.should_prune()


def test_median_pruner_sees_trials_finished_by_another_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    pruner = MedianPruner(n_startup_trials=1)
    study = trimtab.create_study(study_name="shared", storage=url, pruner=pruner)
    study.add_trial(create_trial(value=0.0, intermediate_values={0: 0.0}))
    assert ask_and_report(study, 0, 5.0) is True  # median 0
    in_another_process(
        url,
        """
        for _ in range(2):
            trial = study.ask()
            trial.report(10.0, 0)
            study.tell(trial, 10.0)
        """,
    )
    assert ask_and_report(study, 0, 5.0) is False  # median of 0, 10, 10 is 10
    fresh = trimtab.load_study(study_name="shared", storage=url, pruner=MedianPruner(1))
    assert ask_and_report(fresh, 0, 5.0) is False


def test_successive_halving_counts_rungs_of_another_processs_running_trial(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    study = trimtab.create_study(study_name="shared", storage=url, pruner=pruner)
    assert ask_and_report(study, 1, 5.0) is False  # first at rung 0: goes on
    in_another_process(
        url,
        """
        pruner = trimtab.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
        study.pruner = pruner
        running = study.ask()  # left RUNNING, with a better rung-0 value
        running.report(1.0, 1)
        assert running.should_prune() is False  # rung 0 holds 5.0 and 1.0: the best goes on
        """,
    )
    # Rung 0 now holds 5.0 and 1.0 (both RUNNING) and this 3.0: 3 // 2 = 1 goes on: 1.0.
    assert ask_and_report(study, 1, 3.0) is True
    assert ask_and_report(study, 1, 0.5) is False
