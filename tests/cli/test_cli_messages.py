"""What the real ``trimtab`` command prints on stderr: state names and warning lines."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def _trimtab(*argv: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(BIN / "trimtab"), *argv], capture_output=True, text=True, timeout=120, env=os.environ
    )
    assert done.returncode == 0, done.stderr
    return done


def test_tell_names_the_state_and_the_warning_has_no_launcher_line(tmp_path: Path) -> None:
    common = ("--storage", f"sqlite:///{tmp_path}/cli.db", "--study-name", "s")
    _trimtab("create-study", *common)
    _trimtab("ask", *common)
    done = _trimtab("tell", *common, "--trial-number", "0", "--state", "pruned")
    lines = [re.sub(r"^\[I [^]]*\] ", "", line) for line in done.stderr.splitlines()]
    # The "Told" line is the one Optuna's CLI prints.
    assert lines == [
        "trimtab: ExperimentalWarning: 'tell' is an experimental CLI command. The interface "
        "can change in the future.",
        "Told trial 0 with values None and state TrialState.PRUNED.",
    ]
