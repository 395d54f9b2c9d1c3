"""The execution package's public names, and that Ray/Dask load only when picked."""

from __future__ import annotations

import subprocess
import sys

import trimtab.execution


def test_public_names() -> None:
    assert sorted(trimtab.execution.__all__) == [
        "DaskExecutor",
        "FAIL_REASON_KEY",
        "ProcessExecutor",
        "RayExecutor",
        "RemoteTrialError",
        "WorkerLostError",
        "ask_batch",
    ]


def test_ray_and_dask_are_imported_only_when_an_executor_is_created() -> None:
    code = (
        "import sys, trimtab, trimtab.execution\n"
        "s = trimtab.create_study()\n"
        "s.optimize(lambda t: 1.0, n_trials=2, n_jobs=2, executor='process')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'ray', 'dask', 'distributed'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
