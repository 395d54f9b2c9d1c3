"""TPE with several worker processes on one journal-file study: constant liar across processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import trimtab
from trimtab.storages import JournalStorage
from trimtab.storages.journal import JournalFileBackend
from trimtab.trial import TrialState

_WORKER = textwrap.dedent(
    """
    import sys, time
    import trimtab
    from trimtab.storages import JournalStorage
    from trimtab.storages.journal import JournalFileBackend

    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    storage = JournalStorage(JournalFileBackend(sys.argv[1]))
    sampler = trimtab.samplers.TPESampler(seed=int(sys.argv[2]), n_startup_trials=4)
    study = trimtab.load_study(study_name="shared", storage=storage, sampler=sampler)

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        y = trial.suggest_float("y", -10, 10)
        time.sleep(0.02)
        return (x - 1) ** 2 + (y + 2) ** 2

    study.optimize(objective, n_trials=int(sys.argv[3]))
    """
)


def test_worker_processes_share_a_study_and_spread(tmp_path: Path) -> None:
    path = str(tmp_path / "journal.log")
    storage = JournalStorage(JournalFileBackend(path))
    trimtab.create_study(study_name="shared", storage=storage)
    workers = [
        subprocess.Popen([sys.executable, "-c", _WORKER, path, str(seed), "12"]) for seed in (1, 2)
    ]
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    study = trimtab.load_study(
        study_name="shared", storage=JournalStorage(JournalFileBackend(path))
    )
    trials = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(trials) == 24
    points = {(t.params["x"], t.params["y"]) for t in trials}
    assert len(points) == 24
    # The relative sample of each TPE trial was published for the other worker's liar.
    shared = [t for t in trials if "tpe:state" in t.system_attrs]
    assert len(shared) >= 10
    assert study.best_value < 20.0
