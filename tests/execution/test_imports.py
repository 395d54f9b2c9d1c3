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


def test_ray_and_dask_are_not_imported_until_their_executor_is_created() -> None:
    code = (
        "import sys, trimtab, trimtab.execution\n"
        "from trimtab.study._optimize import resolve_executor\n"
        "resolve_executor('process')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'ray', 'dask', 'distributed'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
