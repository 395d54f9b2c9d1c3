"""Several real worker processes share one ablation design: each run happens exactly once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

import trimtab
from trimtab.ablation import enqueue_ablation, pending_trials
from trimtab.storages.journal import JournalFileBackend, JournalStorage
from trimtab.trial import TrialState

WORKER = textwrap.dedent(
    """
    import sys, time
    import trimtab
    from trimtab.ablation import run_ablation, trial_seed
    from trimtab.storages.journal import JournalFileBackend, JournalStorage

    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    url = sys.argv[1]
    storage = JournalStorage(JournalFileBackend(url)) if url.endswith(".log") else url

    def objective(trial):
        time.sleep(0.01)
        return trial.suggest_float("x", -5, 5) + trial_seed(trial)

    if __name__ == "__main__":  # the process executor's workers import this file
        study = trimtab.load_study(study_name="ablate", storage=storage)
        if sys.argv[2:] == ["enqueue"]:  # every worker enqueues the design itself
            from trimtab.ablation import enqueue_ablation
            enqueue_ablation(study, {"x": 0.0}, base={"x": 1.0}, n_repeats=4)
            del sys.argv[2]
        executor = sys.argv[2] if len(sys.argv) > 2 else None
        ran = run_ablation(study, objective, n_jobs=2 if executor else 1, executor=executor)
        print(ran)
    """
)


def _storage(kind: str, tmp_path: Path):
    if kind == "journal":
        path = str(tmp_path / "ablate.log")
        return path, JournalStorage(JournalFileBackend(path))
    url = f"sqlite:///{tmp_path / 'ablate.db'}"
    return url, url


def _check_each_run_once(study: trimtab.Study, n_variants: int, n_repeats: int) -> None:
    trials = study.get_trials()
    assert all(t.state == TrialState.COMPLETE for t in trials), Counter(t.state for t in trials)
    runs = Counter(
        (t.user_attrs["ablation:variant"], t.user_attrs["ablation:seed"]) for t in trials
    )
    assert len(runs) == n_variants * n_repeats and set(runs.values()) == {1}
    per_variant = Counter(variant for variant, _ in runs)
    assert set(per_variant.values()) == {n_repeats}
    assert sorted(t.number for t in trials) == list(range(len(trials)))


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_worker_processes_run_each_variant_exactly_n_repeats_times(kind, tmp_path) -> None:
    address, storage = _storage(kind, tmp_path)
    study = trimtab.create_study(study_name="ablate", storage=storage)
    enqueue_ablation(study, {"x": 0.0, "y": 1}, base={"x": 1.0, "y": 2}, n_repeats=5, pairs=True)
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    workers = [
        subprocess.Popen([sys.executable, str(script), address], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    counts = [int(w.communicate(timeout=240)[0].split()[-1]) for w in workers]
    assert all(w.returncode == 0 for w in workers)
    assert sum(counts) == 20  # no worker sampled an extra trial
    _check_each_run_once(trimtab.load_study(study_name="ablate", storage=storage), 4, 5)


@pytest.mark.slow
def test_process_executor_runs_the_design(tmp_path) -> None:
    address, storage = _storage("sqlite", tmp_path)
    study = trimtab.create_study(study_name="ablate", storage=storage)
    enqueue_ablation(study, {"x": 0.0}, base={"x": 1.0}, n_repeats=3)
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    result = subprocess.run(
        [sys.executable, str(script), address, "process"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == "6"
    study = trimtab.load_study(study_name="ablate", storage=storage)
    assert pending_trials(study) == 0
    _check_each_run_once(study, 2, 3)


def test_workers_that_all_enqueue_the_design_still_run_it_once(tmp_path) -> None:
    address, storage = _storage("sqlite", tmp_path)
    trimtab.create_study(study_name="ablate", storage=storage)
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), address, "enqueue"], stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    counts = [int(w.communicate(timeout=240)[0].split()[-1]) for w in workers]
    assert all(w.returncode == 0 for w in workers) and sum(counts) == 8
    study = trimtab.load_study(study_name="ablate", storage=storage)
    duplicates = [t for t in study.trials if "ablation:duplicate_of" in t.system_attrs]
    assert all(t.state == TrialState.FAIL for t in duplicates)
    kept = [t for t in study.trials if t not in duplicates]
    runs = Counter((t.user_attrs["ablation:variant"], t.user_attrs["ablation:seed"]) for t in kept)
    assert len(runs) == 8 and set(runs.values()) == {1}
    assert all(t.state == TrialState.COMPLETE for t in kept)
