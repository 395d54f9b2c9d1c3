"""The objective ``trimtab run`` hands to ``Study.optimize``: run the program for one trial.

It suggests every parameter, starts the program with them in its arguments and environment,
reports intermediate values as they appear (terminating the program when the pruner says so),
and returns the objective value(s) read from the output. A failure raises
:class:`ProgramError` with the reason, which the trial's system attributes also keep
(``run:fail_reason``, ``run:exit_code``, ``run:stderr_tail``, ``run:log_dir``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trimtab.cli._run._metrics import MetricSource, NotANumberError, OutputScanner
from trimtab.cli._run._process import Interrupt, Program, ProgramError
from trimtab.cli._run._space import Param
from trimtab.cli._run._template import CommandTemplate
from trimtab.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from trimtab.exceptions import TrialPruned, UpdateFinishedTrialError
from trimtab.storages import BaseStorage
from trimtab.trial import Trial


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped the trial's program; the trial fails and the run ends."""


@dataclass(frozen=True)
class RunSettings:
    """What every trial of one ``trimtab run`` shares."""

    template: CommandTemplate
    space: dict[str, Param]
    scanner_sources: tuple[list[MetricSource], list[MetricSource]]
    study_name: str
    storage_url: str
    log_root: Path
    trial_timeout: float | None
    grace_period: float


def suggest(trial: Trial, param: Param) -> Any:
    """Ask ``trial`` for ``param``'s value."""
    dist = param.distribution
    if isinstance(dist, CategoricalDistribution):
        return trial.suggest_categorical(param.name, dist.choices)
    if isinstance(dist, FloatDistribution):
        return trial.suggest_float(param.name, dist.low, dist.high, step=dist.step, log=dist.log)
    assert isinstance(dist, IntDistribution)
    return trial.suggest_int(param.name, dist.low, dist.high, step=dist.step, log=dist.log)


def trial_dir(log_root: Path, study_name: str, number: int) -> Path:
    """``LOG_DIR/<study>/trial-<number>``: where a trial's output files go."""
    safe = re.sub(r"[^A-Za-z0-9_.\-]", "_", study_name) or "study"
    return log_root / safe / f"trial-{number}"


def program_inputs(
    settings: RunSettings, number: int, params: dict[str, Any]
) -> tuple[list[str], dict[str, str]]:
    """The command line and the extra environment of trial ``number`` with ``params``."""
    directory = trial_dir(settings.log_root, settings.study_name, number)
    texts = {name: settings.space[name].text(value) for name, value in params.items()}
    argv = settings.template.render(
        {
            **texts,
            "trial_number": str(number),
            "trial_dir": str(directory),
            "study_name": settings.study_name,
        }
    )
    env = {settings.space[name].env_name: text for name, text in texts.items()}
    env.update(
        TRIMTAB_TRIAL_NUMBER=str(number),
        TRIMTAB_STUDY_NAME=settings.study_name,
        TRIMTAB_STORAGE=settings.storage_url,
        TRIMTAB_TRIAL_DIR=str(directory),
        TRIMTAB_PARAMS=json.dumps(params),
    )
    return argv, env


def _exit_description(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


class ProgramObjective:
    """Runs the program for a trial; pass it to ``Study.optimize`` with ``catch=ProgramError``.

    Args:
        settings: The run's command, space, metric sources, names and limits.
        storage: The study's storage (for the failure details in system attributes).
        interrupt: Shared by all trials; Ctrl-C triggers it.
    """

    def __init__(self, settings: RunSettings, storage: BaseStorage, interrupt: Interrupt) -> None:
        self._settings = settings
        self._storage = storage
        self._interrupt = interrupt
        self.finished_by_program: int | None = None
        """The number of a trial the program finished itself (``trimtab tell``), if any."""

    def __call__(self, trial: Trial) -> float | list[float]:
        params = {name: suggest(trial, param) for name, param in self._settings.space.items()}
        argv, extra_env = program_inputs(self._settings, trial.number, params)
        directory = trial_dir(self._settings.log_root, self._settings.study_name, trial.number)
        if self._interrupt.triggered:
            raise RunInterrupted("interrupted before the program started")
        try:
            program = Program(argv, {**os.environ, **extra_env}, directory, self._interrupt)
        except ProgramError as err:
            self._record_failure(trial, str(err), None, [])
            raise
        with program:
            values = self._follow(trial, program)
        return values[0] if len(values) == 1 else values

    def _follow(self, trial: Trial, program: Program) -> list[float]:
        settings = self._settings
        scanner = OutputScanner(*settings.scanner_sources)
        deadline = None
        if settings.trial_timeout is not None:
            deadline = time.monotonic() + settings.trial_timeout
        try:
            for stream, line in program.lines(deadline):
                for value, step in scanner.feed(stream, line):
                    trial.report(value, step)
                    if trial.should_prune():
                        program.close(settings.grace_period)
                        raise TrialPruned(f"Pruned at step {step}; the program was stopped.")
        except NotANumberError as err:
            program.close(settings.grace_period)
            self._fail(trial, program, f"{err} (the output is in {self._where(trial)})")
        if program.stop_reason is not None:
            program.close(settings.grace_period)
            if program.stop_reason == "interrupted":
                self._record_failure(trial, "interrupted", program.returncode, program.stderr_tail)
                raise RunInterrupted("interrupted (Ctrl-C); the program was stopped")
            self._fail(trial, program, f"timed out after {settings.trial_timeout:g} s")
        program.close(settings.grace_period)
        code = program.returncode
        assert code is not None
        if code != 0:
            tail = " | ".join(list(program.stderr_tail)[-3:]) or "(empty)"
            self._fail(
                trial,
                program,
                f"the program {_exit_description(code)}; stderr ends with: {tail} "
                f"(full output in {self._where(trial)})",
            )
        missing = scanner.missing()
        if missing:
            patterns = ", ".join(source.label for source in missing)
            self._fail(
                trial,
                program,
                f"no value matched {patterns} in the output; see {self._where(trial)}",
            )
        return [v for v in scanner.values if v is not None]

    def _where(self, trial: Trial) -> str:
        directory = trial_dir(self._settings.log_root, self._settings.study_name, trial.number)
        logs = [
            str(directory / n) for n in ("stdout.log", "stderr.log") if (directory / n).exists()
        ]
        if not logs:
            return f"{directory} (the program wrote no output)"
        return " and ".join(logs)

    def _fail(self, trial: Trial, program: Program, reason: str) -> None:
        try:
            self._record_failure(trial, reason, program.returncode, program.stderr_tail)
        except UpdateFinishedTrialError:
            self.finished_by_program = trial.number
            raise ProgramError(f"trial {trial.number} was finished by the program itself") from None
        raise ProgramError(reason)

    def _record_failure(self, trial: Trial, reason: str, code: int | None, tail: Any) -> None:
        trial_id = trial._trial_id
        directory = trial_dir(self._settings.log_root, self._settings.study_name, trial.number)
        attrs: dict[str, Any] = {
            "run:fail_reason": reason,
            "run:log_dir": str(directory),
            "run:stderr_tail": "\n".join(tail),
        }
        if code is not None:
            attrs["run:exit_code"] = code
        for key, value in attrs.items():
            self._storage.set_trial_system_attr(trial_id, key, value)
