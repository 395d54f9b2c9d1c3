"""Helpers for the ``trimtab run`` tests: write child programs, run the command, read logs."""

from __future__ import annotations

import logging
import os
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trimtab
from trimtab.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str
    logs: list[str]

    @property
    def log_text(self) -> str:
        return "\n".join(self.logs)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def collected_logs() -> Iterator[list[str]]:
    handler = _Collect()
    logger = logging.getLogger("trimtab")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def script(tmp_path: Path, name: str, body: str) -> str:
    """Write a Python program into ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return str(path)


def shell_script(tmp_path: Path, name: str, body: str) -> str:
    """Write an executable POSIX shell script into ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return str(path)


class Runner:
    """Runs ``trimtab run`` in this process against a fresh SQLite storage in ``tmp_path``."""

    def __init__(self, tmp_path: Path, capsys: Any) -> None:
        self.tmp_path = tmp_path
        self.capsys = capsys
        self.url = f"sqlite:///{tmp_path}/run.db"
        self.log_dir = str(tmp_path / "logs")

    def __call__(self, *args: str, study: str = "s", command: list[str]) -> Result:
        argv = ["run", "--storage", self.url, "--study-name", study, "--log-dir", self.log_dir]
        argv += ["--grace-period", "1", *args, "--", *command]
        with collected_logs() as logs:
            code = main(argv)
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err, list(logs))

    def study(self, name: str = "s") -> trimtab.Study:
        return trimtab.load_study(study_name=name, storage=self.url)

    def trial_log(self, number: int, stream: str = "stdout", study: str = "s") -> str:
        return (Path(self.log_dir) / study / f"trial-{number}" / f"{stream}.log").read_text()


PYTHON = sys.executable


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
