"""``trimtab worker``: a worker you start yourself (Slurm array jobs, Kubernetes Jobs, hosts).

Every worker opens the same study on a shared storage and runs trials of an importable
objective. Heartbeats are on by default, so the trial of a worker that is killed is failed
by the next worker that asks for a trial, and re-run with the same parameters.
"""

from __future__ import annotations

import importlib
import warnings
from argparse import ArgumentParser, Namespace
from collections.abc import Callable
from typing import Any

from trimtab import logging
from trimtab.cli._registry import Command
from trimtab.exceptions import CLIUsageError, ExperimentalWarning

_logger = logging.get_logger("trimtab.cli")
HELP = "Run trials of an importable objective on a shared study (heartbeats on)."


def load_objective(spec: str) -> Callable[..., Any]:
    """Import ``pkg.module:func`` (the attribute may be dotted: ``module:Class.method``).

    Raises:
        CLIUsageError: the spec is malformed, or the module or attribute cannot be found, or
            it is not callable.
    """
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise CLIUsageError(f"--objective must look like 'pkg.module:func', got {spec!r}.")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as err:
        raise CLIUsageError(f"--objective {spec!r}: cannot import {module_name!r}: {err}") from err
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise CLIUsageError(
                f"--objective {spec!r}: {module_name!r} has no {attribute!r}."
            ) from None
    if not callable(target):
        raise CLIUsageError(f"--objective {spec!r} is not callable.")
    return target  # type: ignore[no-any-return]


def open_heartbeat_storage(args: Namespace) -> Any:
    """The storage ``--storage`` names, with heartbeats and a retry-on-stale callback."""
    from trimtab.cli._commands import open_storage
    from trimtab.storages import RetryHeartbeatStaleTrialCallback

    interval = args.heartbeat_interval or None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        options: dict[str, Any] = {}
        if interval is not None:
            options = {
                "heartbeat_interval": interval,
                "grace_period": args.grace_period,
                "heartbeat_stale_trial_callback": RetryHeartbeatStaleTrialCallback(
                    args.max_retries
                ),
            }
        return open_storage(args, **options)


def run_worker(args: Namespace) -> int:
    """Run ``--n-trials`` trials (or until ``--timeout``) of ``--objective``; return 0."""
    import trimtab

    if args.study_name is None:
        raise CLIUsageError("--study-name is required.")
    if args.n_trials is None and args.timeout is None:
        raise CLIUsageError("Give --n-trials or --timeout (or both).")
    objective = load_objective(args.objective)
    storage = open_heartbeat_storage(args)
    if args.directions:
        study = trimtab.create_study(
            storage=storage,
            study_name=args.study_name,
            directions=args.directions,
            load_if_exists=True,
        )
    else:
        study = trimtab.load_study(study_name=args.study_name, storage=storage)
    study.optimize(
        objective,
        n_trials=args.n_trials,
        timeout=args.timeout,
        n_jobs=args.n_jobs,
        executor=args.executor,
    )
    done = len(study.get_trials(deepcopy=False))
    _logger.info(f"Worker finished; the study {args.study_name!r} has {done} trials.")
    return 0


def _configure(parser: ArgumentParser) -> None:
    parser.add_argument("--study-name", default=None, help="The study to work on.")
    parser.add_argument("--objective", required=True, help="The objective, as 'pkg.module:func'.")
    parser.add_argument("--n-trials", type=int, default=None, help="Trials this worker runs.")
    parser.add_argument("--timeout", type=float, default=None, help="Seconds to run.")
    parser.add_argument(
        "--direction",
        dest="directions",
        action="append",
        choices=("minimize", "maximize"),
        help="Create the study if missing, with this direction (repeat for several "
        "objectives); without it the study must exist.",
    )
    parser.add_argument(
        "--heartbeat-interval",
        type=int,
        default=60,
        help="Seconds between heartbeats of the running trial (0 turns heartbeats off).",
    )
    parser.add_argument(
        "--grace-period",
        type=int,
        default=None,
        help="Seconds without a heartbeat before a trial is failed (default: 2 intervals).",
    )
    parser.add_argument(
        "--max-retries",
        type=int,
        default=3,
        help="Times a trial failed by a lost heartbeat is re-run with the same parameters.",
    )
    parser.add_argument("--n-jobs", type=int, default=1, help="Trials this worker runs at once.")
    parser.add_argument(
        "--executor",
        default=None,
        choices=("thread", "process"),
        help="How --n-jobs trials run at once (default: threads).",
    )


COMMANDS = {"worker": Command(run_worker, HELP, _configure)}
