from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_helpers import Runner


@pytest.fixture()
def runner(tmp_path: Path, capsys: Any) -> Runner:
    """``trimtab run`` in this process, on a fresh SQLite storage and log directory."""
    return Runner(tmp_path, capsys)
