"""The study page stays live and responsive while a study grows by 50 trials/s.

Runs ``benchmarks.dashboard_live`` (headless Chromium, a writer process, a real server) for
a shorter time than the benchmark and checks what a user would see: no reload, every new
trial in the count, the history chart and the table, and frames that keep coming.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cdp_browser import chromium_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="needs chromium (apt-get install chromium)"),
]
ROOT = Path(__file__).resolve().parents[2]


def test_page_follows_a_study_growing_by_50_trials_per_second() -> None:
    pytest.importorskip("websocket")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.dashboard_live",
            "--start",
            "1000",
            "--rate",
            "50",
            "--seconds",
            "10",
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["trials added"] == 500
    assert result["page never reloaded"]
    assert result["history chart has every trial"] and result["trial table has every trial"]
    assert result["caught up after the writer stopped (s)"] < 10
    # Responsive: most frames come on time even on a loaded machine (a frozen page has none).
    assert result["frames"] > 100
    assert result["frame time p50 (ms)"] < 50
