"""The documentation: every tutorial code block runs, and the site builds in strict mode.

Pages in ``EXECUTED`` run block by block in one fresh process per page (so a block can use
what an earlier block of its page defined), in a scratch directory. ``python`` blocks run in
that process; ``bash`` blocks run in a shell with this interpreter's ``trimtab`` on PATH.
Blocks in other languages (``console``, ``sh``, ``yaml``) are shown, not run. A block right
after the comment ``<!-- docs-test: skip (reason) -->`` is not run; ``SKIPPED`` lists them so
that none is skipped by accident.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import trimtab

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXECUTED = [
    "getting-started.md",
    "migration.md",
    *sorted(str(p.relative_to(DOCS)) for p in (DOCS / "tutorials").glob("*.md")),
]
# Blocks deliberately not run: page -> how many (each carries its reason in the page).
SKIPPED: dict[str, int] = {}
# Pages that start worker processes, Dask, Ray, several CLI runs or train models: in the slow
# CI step.
SLOW = {"tutorials/distributed.md", "tutorials/ablation.md", "tutorials/integrations.md"}
_FENCE = re.compile(
    r"(?P<skip><!-- docs-test: skip[^>]*-->\n)?```(?P<lang>[\w-]*)[^\n]*\n(?P<code>.*?)\n```",
    re.DOTALL,
)
_RUNNER = textwrap.dedent(
    """
    import json, subprocess, sys

    def main():
        blocks = json.load(open(sys.argv[1]))
        namespace = {"__name__": "__main__"}
        for index, (lang, code) in enumerate(blocks):
            print(f"--- block {index} ({lang})", flush=True)
            if lang == "python":
                exec(compile(code, f"<block {index}>", "exec"), namespace)
            else:
                subprocess.run(["bash", "-euo", "pipefail", "-c", code], check=True)

    if __name__ == "__main__":  # worker processes of the examples import this file
        main()
    """
)


def code_blocks(page: str) -> tuple[list[tuple[str, str]], int]:
    """The page's runnable blocks as (language, code), and how many were skipped."""
    text = (DOCS / page).read_text()
    blocks, skipped = [], 0
    for match in _FENCE.finditer(text):
        if match["lang"] not in ("python", "bash"):
            continue
        if match["skip"]:
            skipped += 1
            continue
        blocks.append((match["lang"], match["code"]))
    return blocks, skipped


def _env() -> dict[str, str]:
    source = str(Path(trimtab.__file__).parents[1])
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")])),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        "MPLBACKEND": "Agg",
    }


@pytest.mark.parametrize(
    "page", [pytest.param(p, marks=pytest.mark.slow) if p in SLOW else p for p in EXECUTED]
)
def test_code_blocks_run(page: str, tmp_path: Path) -> None:
    blocks, skipped = code_blocks(page)
    assert skipped == SKIPPED.get(page, 0), f"{page}: {skipped} blocks skipped"
    assert blocks or skipped, f"{page} has no code block"
    (tmp_path / "blocks.json").write_text(json.dumps(blocks))
    (tmp_path / "runner.py").write_text(_RUNNER)
    result = subprocess.run(
        [sys.executable, "runner.py", "blocks.json"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"{page}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


def test_every_page_is_in_the_navigation() -> None:
    import yaml

    config = (ROOT / "mkdocs.yml").read_text()
    nav = yaml.safe_load(config.split("\nhooks:")[0])["nav"]
    listed = set(re.findall(r"[\w/.-]+\.md", json.dumps(nav)))
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert pages - listed == set(), "pages missing from the nav of mkdocs.yml"
    assert listed - pages == set(), "the nav of mkdocs.yml names pages that do not exist"


def test_site_builds_in_strict_mode(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
    result = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    page = (tmp_path / "site" / "choosing-a-sampler" / "index.html").read_text()
    assert "<svg" in page and "After 60 trials" in page  # generated from the benchmark data
    reference = (tmp_path / "site" / "reference" / "ablation" / "index.html").read_text()
    assert "enqueue_ablation" in reference and "n_repeats" in reference
