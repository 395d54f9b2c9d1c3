"""``trimtab run``: check the arguments, build the study, hand the program to ``optimize``."""

from __future__ import annotations

import json
import os
import shlex
import signal
import sys
import threading
from argparse import Namespace
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trimtab import logging
from trimtab.cli._commands import open_storage, storage_url
from trimtab.cli._run._metrics import NUMBER_LINE, MetricSource, make_source
from trimtab.cli._run._objective import ProgramObjective, RunSettings, program_inputs, suggest
from trimtab.cli._run._process import Interrupt, ProgramError
from trimtab.cli._run._sequential import SequentialExecutor
from trimtab.cli._run._space import Param, build_space, grid_size, grid_space, parse_enqueue
from trimtab.cli._run._template import CommandTemplate
from trimtab.exceptions import CLIUsageError
from trimtab.trial import FrozenTrial, TrialState

_logger = logging.get_logger("trimtab.cli")
_DRY_RUN_TRIALS = 5
_PRUNERS = {
    "median": "MedianPruner",
    "percentile": "PercentilePruner",
    "successive-halving": "SuccessiveHalvingPruner",
    "hyperband": "HyperbandPruner",
    "threshold": "ThresholdPruner",
    "patient": "PatientPruner",
    "wilcoxon": "WilcoxonPruner",
    "nop": "NopPruner",
}


@dataclass
class _Plan:
    """Everything checked before the first program starts."""

    space: dict[str, Param]
    template: CommandTemplate
    values: list[MetricSource]
    reports: list[MetricSource]
    directions: list[Any]
    enqueued: list[dict[str, Any]]
    sampler: Any
    pruner: Any
    n_trials: int | None
    grid_points: int | None = None


def _json_kwargs(text: str | None, flag: str) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        kwargs = json.loads(text)
    except json.JSONDecodeError as err:
        raise CLIUsageError(f"{flag}: not valid JSON ({err}).") from None
    if not isinstance(kwargs, dict):
        raise CLIUsageError(f"{flag}: expected a JSON object.")
    return kwargs


def _component(module: Any, name: str | None, kwargs_text: str | None, flag: str) -> Any:
    kwargs = _json_kwargs(kwargs_text, f"{flag}-kwargs")
    if name is None:
        if kwargs:
            raise CLIUsageError(f"{flag}-kwargs needs {flag}.")
        return None
    cls = getattr(module, _PRUNERS.get(name, name), None)
    if not isinstance(cls, type) or name.startswith("_"):
        raise CLIUsageError(f"{flag} {name}: no such class in trimtab.{module.__name__[8:]}.")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as err:
        raise CLIUsageError(f"{flag} {name}: {err}") from None


def _sources(items: list[tuple[str, str, str]] | None) -> list[MetricSource]:
    return [make_source(kind, text, flag) for kind, text, flag in items or []]


def _directions(args: Namespace, values: list[MetricSource]) -> list[Any]:
    directions = args.direction or ["minimize"] * len(values)
    if len(directions) != len(values):
        raise CLIUsageError(
            f"{len(directions)} --direction for {len(values)} objective value(s): give one "
            "--direction per --value (or none, to minimize)."
        )
    return list(directions)


def _warn_unused(space: dict[str, Param], template: CommandTemplate) -> None:
    for param in space.values():
        if param.name not in template.used and not template.mentions(param.env_name):
            _logger.warning(
                f"Parameter '{param.name}' does not appear in the command; the program gets it "
                f"only as the environment variable {param.env_name}."
            )


def _check_executor_arguments(args: Namespace) -> None:
    for flag, value in (
        ("--cpus-per-trial", args.cpus_per_trial),
        ("--gpus-per-trial", args.gpus_per_trial),
    ):
        if value is not None and not value >= 0:
            raise CLIUsageError(f"{flag} must be 0 or more, got {value}.")
    if args.max_retries < 0:
        raise CLIUsageError(f"--max-retries must be 0 or more, got {args.max_retries}.")
    if args.executor == "thread":
        given = [
            flag
            for flag, value in (
                ("--cluster-address", args.cluster_address),
                ("--cpus-per-trial", args.cpus_per_trial),
                ("--gpus-per-trial", args.gpus_per_trial or None),
                ("--max-retries", args.max_retries or None),
            )
            if value is not None
        ]
        if given:
            raise CLIUsageError(f"{', '.join(given)} need(s) --executor ray or --executor dask.")


def _plan(args: Namespace) -> _Plan:
    import trimtab

    space = build_space(args.param, args.space)
    if not space:
        raise CLIUsageError("No parameters: give --param NAME=KIND:ARGS or --space FILE.")
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    template = CommandTemplate(command, space)
    template.check_executable()
    values = _sources(args.values) or [NUMBER_LINE]
    reports = _sources(args.reports)
    directions = _directions(args, values)
    if reports and len(values) > 1:
        raise CLIUsageError("--report works with one objective only (pruning is single-objective).")
    if args.jobs < 1:
        raise CLIUsageError(f"--jobs must be at least 1, got {args.jobs}.")
    _check_executor_arguments(args)
    _warn_unused(space, template)
    sampler = _component(trimtab.samplers, args.sampler, args.sampler_kwargs, "--sampler")
    n_trials = args.n_trials
    if args.grid:
        if sampler is not None:
            raise CLIUsageError("--grid chooses the sampler itself; drop --sampler.")
        grid = grid_space(space)
        sampler = trimtab.samplers.GridSampler(grid, seed=0)
        n_trials = grid_size(grid) if n_trials is None else n_trials
    pruner_name = args.pruner if args.pruner is not None else ("median" if reports else "nop")
    pruner = _component(trimtab.pruners, pruner_name, args.pruner_kwargs, "--pruner")
    enqueued = [parse_enqueue(text, space) for text in args.enqueue]
    plan = _Plan(space, template, values, reports, directions, enqueued, sampler, pruner, n_trials)
    plan.grid_points = grid_size(grid_space(space)) if args.grid else None
    return plan


def _artifact_store(args: Namespace) -> Any:
    if args.artifact_dir is None:
        return None
    from trimtab.artifacts import FileSystemArtifactStore

    directory = Path(args.artifact_dir).resolve()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CLIUsageError(
            f"--artifact-dir {args.artifact_dir}: cannot create it ({err})."
        ) from None
    if not os.access(directory, os.W_OK):
        raise CLIUsageError(f"--artifact-dir {args.artifact_dir}: not writable.")
    return FileSystemArtifactStore(directory)


def _settings(
    args: Namespace, plan: _Plan, study_name: str, url: str, artifact_store: Any = None
) -> RunSettings:
    remote = args.executor != "thread"
    log_root = Path(args.log_dir)
    return RunSettings(
        template=plan.template,
        space=plan.space,
        scanner_sources=(plan.values, plan.reports),
        study_name=study_name,
        storage_url=url,
        # Workers start elsewhere: absolute paths, valid on this machine and shared disks.
        log_root=log_root.resolve() if remote else log_root,
        trial_timeout=args.trial_timeout,
        grace_period=args.grace_period,
        cwd=os.getcwd() if remote else None,
        artifact_store=artifact_store,
    )


def _dry_run(args: Namespace, plan: _Plan) -> int:
    import trimtab

    study = trimtab.create_study(directions=plan.directions, sampler=plan.sampler)
    for point in plan.enqueued:
        study.enqueue_trial(point)
    name = args.study_name or "(new study)"
    settings = _settings(args, plan, name, args.storage or "")
    limits = [plan.n_trials or _DRY_RUN_TRIALS, plan.grid_points or _DRY_RUN_TRIALS]
    count = min(*limits, _DRY_RUN_TRIALS)
    print(f"Dry run: the first {count} trials would run (parameters also in TRIMTAB_PARAM_*):")
    for _ in range(count):
        trial = study.ask()
        params = {n: suggest(trial, p) for n, p in plan.space.items()}
        argv, _env = program_inputs(settings, trial.number, params)
        print(f"trial {trial.number}: {shlex.join(argv)}")
        study.tell(trial, state=TrialState.FAIL)
    return 0


def _open_study(args: Namespace, plan: _Plan) -> Any:
    import trimtab

    storage = open_storage(args)
    study = trimtab.create_study(
        storage=storage,
        study_name=args.study_name,
        directions=plan.directions,
        sampler=plan.sampler,
        pruner=plan.pruner,
        load_if_exists=True,
    )
    stored = [d.name.lower() for d in study.directions]
    if stored != plan.directions:
        raise CLIUsageError(
            f"Study '{study.study_name}' exists with directions {stored}, but --direction "
            f"asks for {plan.directions}."
        )
    for point in plan.enqueued:
        study.enqueue_trial(point, skip_if_exists=True)
    return study, storage


@contextmanager
def _signals_stop(interrupt: Interrupt) -> Iterator[list[int]]:
    """While running, SIGINT and SIGTERM stop every program (the list gets the signal)."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handle(signum: int, _frame: Any) -> None:
        received.append(signum)
        first = len(received) == 1
        note = "stopping the running programs" if first else "killing the running programs"
        message = f"\ntrimtab run: {signal.Signals(signum).name}, {note}.\n"
        os.write(2, message.encode())  # print() is not reentrant
        interrupt.trigger()

    previous = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _signals_raise() -> Iterator[list[int]]:
    """With a cluster executor: SIGINT and SIGTERM raise KeyboardInterrupt in the coordinator,
    which stops the tasks (each stops its program) and fails their trials."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handle(signum: int, _frame: Any) -> None:
        received.append(signum)
        if len(received) == 1:
            os.write(2, f"\ntrimtab run: {signal.Signals(signum).name}, stopping.\n".encode())
            raise KeyboardInterrupt

    previous = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _executor(args: Namespace) -> Iterator[Any]:
    """The executor ``--executor`` names, with the per-trial resources (None: threads)."""
    if args.executor == "thread":
        yield None
        return
    if args.executor == "ray":
        from trimtab.execution import RayExecutor

        cpus = 1.0 if args.cpus_per_trial is None else args.cpus_per_trial
        yield RayExecutor(
            num_cpus=cpus,
            num_gpus=args.gpus_per_trial,
            max_retries=args.max_retries,
            address=args.cluster_address,
            # A program stopped by Ctrl-C gets SIGTERM, then SIGKILL after --grace-period:
            # its task must outlive that, or the kill of its worker would orphan the program.
            interrupt_grace=args.grace_period + 5.0,
        )
        return
    from trimtab.execution import DaskExecutor

    resources = {}
    if args.cpus_per_trial:
        resources["CPU"] = args.cpus_per_trial
    if args.gpus_per_trial:
        resources["GPU"] = args.gpus_per_trial
    if args.cluster_address is not None:
        yield DaskExecutor(args.cluster_address, max_retries=args.max_retries, resources=resources)
        return
    from trimtab.execution._dask import _import_distributed

    distributed = _import_distributed()
    # Programs are separate processes: one worker with --jobs threads supervises them all.
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=args.jobs, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield DaskExecutor(client, max_retries=args.max_retries, resources=resources)


def _summary(study: Any, states: Counter[TrialState]) -> int:
    total = sum(states.values())
    counts = ", ".join(f"{n} {s.name.lower()}" for s, n in states.items())
    _logger.info(f"Finished {total} trials of study '{study.study_name}' ({counts or 'none'}).")
    best: list[FrozenTrial] = study.best_trials
    for trial in best if len(study.directions) > 1 else best[:1]:
        values = trial.values if len(study.directions) > 1 else trial.value
        key = "values" if len(study.directions) > 1 else "value"
        print(json.dumps({"number": trial.number, key: values, "params": trial.params}))
    if total and states[TrialState.FAIL] == total:
        _logger.error("Every trial failed; the reasons are above and in each trial's log files.")
        return 1
    return 0


def run(args: Namespace) -> int:
    """The ``trimtab run`` command; returns the exit code."""
    plan = _plan(args)
    if args.dry_run:
        return _dry_run(args, plan)
    url = storage_url(args)
    artifact_store = _artifact_store(args)
    study, _storage = _open_study(args, plan)
    interrupt = Interrupt()
    remote = args.executor != "thread"
    settings = _settings(args, plan, study.study_name, url, artifact_store)
    objective = ProgramObjective(settings, None if remote else interrupt)
    states: Counter[TrialState] = Counter()

    def after_trial(study: Any, trial: FrozenTrial) -> None:
        states[trial.state] += 1
        if interrupt.triggered:
            study.stop()

    show_bar = sys.stderr.isatty() if args.progress_bar is None else args.progress_bar
    signals = _signals_raise() if remote else _signals_stop(interrupt)
    try:
        with signals as received, _executor(args) as executor:
            if executor is None and args.jobs == 1:
                executor = SequentialExecutor(objective)
            study.optimize(
                objective,
                n_trials=plan.n_trials,
                timeout=args.timeout,
                n_jobs=args.jobs,
                catch=(ProgramError,),
                callbacks=[after_trial],
                show_progress_bar=show_bar,
                executor=executor,
            )
    except Exception:
        if objective.finished_by_program is None:
            raise
        raise CLIUsageError(
            f"Trial {objective.finished_by_program} was finished by the program itself (with "
            "'trimtab tell'); trimtab run finishes each trial from the program's output: print "
            "the value instead (see --value), or drive the study with 'trimtab ask' and "
            "'trimtab tell' from your own loop."
        ) from None
    except KeyboardInterrupt:
        signum = received[0] if received else signal.SIGINT
        _logger.error("Interrupted: the running programs were stopped and their trials failed.")
        return 128 + int(signum)
    finally:
        interrupt.close()
    return _summary(study, states)
