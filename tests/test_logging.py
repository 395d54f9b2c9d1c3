"""trimtab.logging: verbosity controls what reaches stderr, in Optuna's line format."""

from __future__ import annotations

import re
import subprocess
import sys


def _stderr(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stderr


def test_default_lines_have_optuna_format() -> None:
    err = _stderr(
        "import trimtab; s = trimtab.create_study(); "
        "s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=1)"
    )
    lines = err.strip().splitlines()
    assert lines[0].startswith("[I ") and "A new study created in memory with name: " in lines[0]
    assert "] Trial 0 finished with value: " in lines[1]
    assert re.fullmatch(
        r"\[I \d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] Trial 0 finished with value: ([0-9.e-]+) and "
        r"parameters: \{'x': \1\}\. Best is trial 0 with value: \1\.",
        lines[1],
    )


def test_set_verbosity_and_disable_default_handler() -> None:
    err = _stderr(
        "import trimtab; trimtab.logging.set_verbosity(trimtab.logging.WARNING); "
        "assert trimtab.logging.get_verbosity() == trimtab.logging.WARNING; "
        "s = trimtab.create_study(); s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=1); "
        "trimtab.logging.set_verbosity(trimtab.logging.INFO); "
        "trimtab.logging.disable_default_handler(); "
        "s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=1)"
    )
    assert err == ""


def test_failed_trial_lines() -> None:
    err = _stderr(
        "import trimtab; s = trimtab.create_study(); s.optimize(lambda t: float('nan'), n_trials=1)"
    )
    assert "[W " in err
    assert (
        "Trial 0 failed with parameters: {} because of the following error: "
        "The value nan is not acceptable." in err
    )
    assert "Trial 0 failed with value nan." in err
