"""Reading a study does not import scipy, which the default TPESampler needs only to sample."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_reading_a_study_imports_scipy_only_when_tpe_samples(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'read.db'}"
    code = (
        "import sys, trimtab;"
        "trimtab.logging.set_verbosity(trimtab.logging.WARNING);"
        f"study = trimtab.create_study(study_name='s', storage={url!r});"
        "study.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=12);"
        "print(len(study.trials), 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The first ten trials are random: TPE samples the last two, so it has loaded scipy.
    assert out.stdout.split() == ["12", "True"]
    read = (
        "import sys, trimtab;"
        f"study = trimtab.load_study(study_name='s', storage={url!r});"
        "print(len(study.trials), study.best_value <= 1, 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", read], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["12", "True", "False"]
