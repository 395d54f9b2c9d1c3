"""The objective ``trimtab run`` hands to ``Study.optimize``: run the program for one trial.

It suggests every parameter, starts the program with them in its arguments and environment,
reports intermediate values as they appear (terminating the program when the pruner says so),
and returns the objective value(s) read from the output, or what the program told with
``trimtab tell`` (see ``_handoff``). A failure raises :class:`ProgramError` with the reason,
which the trial's system attributes also keep (``run:fail_reason``, ``run:exit_code``,
``run:stderr_tail``, ``run:log_dir``). With an artifact store, the trial's ``stdout.log`` and
``stderr.log`` are also uploaded as trial artifacts.

The objective is picklable (only the settings travel), so the Ray and Dask executors run it
on their workers: there the trial is the executor's remote trial and every write goes through
the coordinator.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from trimtab import logging
from trimtab.cli._run._handoff import TELL_FILE_ENV, TELL_FILE_NAME, read_told
from trimtab.cli._run._metrics import MetricSource, NotANumberError, OutputScanner
from trimtab.cli._run._process import Interrupt, Program, ProgramError
from trimtab.cli._run._space import Param
from trimtab.cli._run._template import CommandTemplate
from trimtab.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from trimtab.exceptions import TrialPruned, UpdateFinishedTrialError
from trimtab.trial import Trial

_logger = logging.get_logger("trimtab.cli")
_LOG_FILES = ("stdout.log", "stderr.log")


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
    cwd: str | None = None
    artifact_store: Any = None


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
    env[TELL_FILE_ENV] = str(directory / TELL_FILE_NAME)
    return argv, env


def _exit_description(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _set_system_attr(trial: Any, key: str, value: Any) -> None:
    """Store a system attribute on ``trial``: in-process directly, remotely via the coordinator."""
    remote_setter = getattr(trial, "_set_system_attr", None)
    if remote_setter is not None:
        remote_setter(key, value)
    else:
        trial.storage.set_trial_system_attr(trial._trial_id, key, value)


class ProgramObjective:
    """Runs the program for a trial; pass it to ``Study.optimize`` with ``catch=ProgramError``.

    Args:
        settings: The run's command, space, metric sources, names, limits and artifact store.
        interrupt: Shared by all trials of this process; Ctrl-C triggers it. None (in an
            executor's worker) makes one per process.
    """

    def __init__(self, settings: RunSettings, interrupt: Interrupt | None = None) -> None:
        self._settings = settings
        self._interrupt = interrupt
        self.finished_by_program: int | None = None
        """The number of a trial the program finished itself in the storage, if any."""
        self._environ: dict[str, str] | None = None
        self.on_started: Callable[[], None] | None = None
        """Called once a trial's program has started (work to do while it runs)."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_interrupt"] = None  # a pipe of this process; a worker makes its own
        state["_environ"] = None  # a worker's programs get the worker's environment
        state["on_started"] = None  # work of this process
        return state

    def _environment(self, extra: dict[str, str]) -> dict[str, str]:
        """This process's environment plus ``extra``; ``os.environ`` is copied once per run
        (copying it decodes every variable, a tenth of a millisecond per trial)."""
        if self._environ is None:
            self._environ = dict(os.environ)
        return {**self._environ, **extra}

    @property
    def interrupt(self) -> Interrupt:
        if self._interrupt is None:
            self._interrupt = Interrupt()
        return self._interrupt

    def __call__(self, trial: Any) -> float | list[float]:
        settings = self._settings
        params = {name: suggest(trial, param) for name, param in settings.space.items()}
        argv, extra_env = program_inputs(settings, trial.number, params)
        directory = trial_dir(settings.log_root, settings.study_name, trial.number)
        interrupt = self.interrupt
        if interrupt.triggered:
            raise RunInterrupted("interrupted before the program started")
        told_file = directory / TELL_FILE_NAME
        cwd = settings.cwd if settings.cwd and os.path.isdir(settings.cwd) else None
        try:
            program = Program(argv, self._environment(extra_env), directory, interrupt, cwd=cwd)
        except ProgramError as err:
            self._record_failure(trial, str(err), None, [])
            raise
        try:
            with program:
                if self.on_started is not None:
                    self.on_started()
                values = self._follow(trial, program, told_file)
        finally:
            if settings.artifact_store is not None:
                self._upload_logs(trial, directory)
        return values[0] if len(values) == 1 else values

    def _follow(self, trial: Any, program: Program, told_file: Path) -> list[float]:
        settings = self._settings
        scanner = OutputScanner(*settings.scanner_sources)
        deadline = None
        if settings.trial_timeout is not None:
            deadline = time.monotonic() + settings.trial_timeout
        try:
            remote = getattr(trial, "_set_system_attr", None) is not None
            # Remotely, a cheap read now and then ends the program once the coordinator has
            # dropped the trial (Ctrl-C, a lost coordinator): the read raises then.
            ping = (lambda: trial.study.directions) if remote else None
            for stream, line in program.lines(deadline, ping):
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
        told = read_told(told_file, program.started_at)
        if told is not None:
            return self._told_values(trial, program, told)
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

    def _told_values(self, trial: Any, program: Program, told: dict[str, Any]) -> list[float]:
        """The result the program gave with ``trimtab tell`` (it wins over the output)."""
        state = told.get("state")
        _set_system_attr(trial, "run:told_by_program", True)
        if state == "pruned":
            raise TrialPruned("The program told state pruned (trimtab tell).")
        if state == "fail":
            self._fail(trial, program, "the program told state fail (trimtab tell)")
        values = told.get("values")
        if values is None:
            self._fail(trial, program, "the program told no values (trimtab tell)")
        return [float(v) for v in values]

    def _where(self, trial: Any) -> str:
        directory = trial_dir(self._settings.log_root, self._settings.study_name, trial.number)
        logs = [str(directory / n) for n in _LOG_FILES if (directory / n).exists()]
        if not logs:
            return f"{directory} (the program wrote no output)"
        return " and ".join(logs)

    def _fail(self, trial: Any, program: Program, reason: str) -> NoReturn:
        try:
            self._record_failure(trial, reason, program.returncode, program.stderr_tail)
        except UpdateFinishedTrialError:
            self.finished_by_program = trial.number
            raise ProgramError(f"trial {trial.number} was finished by the program itself") from None
        raise ProgramError(reason)

    def _record_failure(self, trial: Any, reason: str, code: int | None, tail: Any) -> None:
        directory = trial_dir(self._settings.log_root, self._settings.study_name, trial.number)
        attrs: dict[str, Any] = {
            "run:fail_reason": reason,
            "run:log_dir": str(directory),
            "run:stderr_tail": "\n".join(tail),
        }
        if code is not None:
            attrs["run:exit_code"] = code
        for key, value in attrs.items():
            _set_system_attr(trial, key, value)

    def _upload_logs(self, trial: Any, directory: Path) -> None:
        """Upload the trial's log files as artifacts of the trial (a failure is only logged)."""
        import uuid

        from trimtab.artifacts._meta import ARTIFACTS_ATTR_PREFIX, ArtifactMeta

        store = self._settings.artifact_store
        for name in _LOG_FILES:
            path = directory / name
            if not path.exists():
                continue
            meta = ArtifactMeta(str(uuid.uuid4()), name, "text/plain", None)
            try:
                with path.open("rb") as body:
                    store.write(meta.artifact_id, body)
                _set_system_attr(trial, ARTIFACTS_ATTR_PREFIX + meta.artifact_id, meta.to_json())
            except Exception as err:  # noqa: BLE001 - the trial's result matters more
                _logger.warning(
                    f"Trial {trial.number}: could not store {path} as an artifact ({err!r}); "
                    "the file stays in the log directory."
                )
