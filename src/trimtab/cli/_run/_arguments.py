"""The options of ``trimtab run``."""

from __future__ import annotations

import argparse
from argparse import Action, ArgumentParser, Namespace
from collections.abc import Sequence
from typing import Any

from trimtab.cli._commands import add_study_name

HELP = "Tune a program: run it once per trial and read its score from its output."
DESCRIPTION = f"""{HELP}

Example:
  trimtab run --storage sqlite:///tune.db --study-name resnet --n-trials 50 \\
    --direction maximize --param lr=float:1e-5:1e-1:log --param layers=int:1:4 \\
    --param opt=cat:adam,sgd --value 'score: {{value}}' \\
    --report 'epoch {{step}} val_acc={{value}}' --pruner median --jobs 2 \\
    -- python train.py --lr {{lr}} --layers {{layers}} --optimizer {{opt}}

Each trial's parameters replace {{name}} in the command and are also in the environment as
TRIMTAB_PARAM_<NAME>, with TRIMTAB_TRIAL_NUMBER, TRIMTAB_STUDY_NAME, TRIMTAB_STORAGE,
TRIMTAB_TRIAL_DIR and TRIMTAB_PARAMS (JSON). The output of trial N is kept in
LOG_DIR/<study>/trial-N/stdout.log and stderr.log (once the program writes to them).
"""


class _AppendSource(Action):
    """Appends ``(kind, text, flag)`` so that --value/--value-regex/--value-json keep order."""

    def __init__(self, option_strings: Sequence[str], dest: str, kind: str, **kwargs: Any):
        super().__init__(option_strings, dest, **kwargs)
        self.kind = kind

    def __call__(
        self,
        parser: ArgumentParser,
        namespace: Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        items = list(getattr(namespace, self.dest) or [])
        items.append((self.kind, values, option_string))
        setattr(namespace, self.dest, items)


def metric_arguments(parser: ArgumentParser) -> None:
    """The --value/--report options (also used by ``trimtab ablate``)."""
    group = parser.add_argument_group(
        "metrics",
        "Where numbers are read from the program's stdout and stderr (default: the last "
        "line that holds only a number is the value).",
    )
    for dest, what in (("values", "an objective value"), ("reports", "an intermediate value")):
        flag = "--value" if dest == "values" else "--report"
        group.add_argument(
            flag,
            dest=dest,
            action=_AppendSource,
            kind="format",
            metavar="PATTERN",
            help=f"A line pattern holding {what}, e.g. 'score: {{value}}' or "
            "'epoch {step} acc={value}'. Repeat --value for several objectives.",
        )
        group.add_argument(
            f"{flag}-regex",
            dest=dest,
            action=_AppendSource,
            kind="regex",
            metavar="REGEX",
            help=f"A regular expression for {what}: group 'value' (or the only group), "
            "optional group 'step'.",
        )
        group.add_argument(
            f"{flag}-json",
            dest=dest,
            action=_AppendSource,
            kind="json",
            metavar="KEY",
            help=f"Read {what} from JSON-object lines under KEY (step from their 'step' key).",
        )


def _study_arguments(parser: ArgumentParser) -> None:
    add_study_name(parser)
    parser.add_argument(
        "--direction",
        action="append",
        choices=("minimize", "maximize"),
        default=None,
        help="Direction of each objective (repeat with several --value). Default: minimize.",
    )
    parser.add_argument(
        "--n-trials",
        type=int,
        default=None,
        help="Trials to run in this call (default: until --timeout or Ctrl-C).",
    )
    parser.add_argument("--timeout", type=float, default=None, help="Start no trial after SECONDS.")
    parser.add_argument("--jobs", type=int, default=1, help="Programs running at once.")
    parser.add_argument("--sampler", default=None, help="Sampler class, e.g. TPESampler.")
    parser.add_argument("--sampler-kwargs", default=None, help="Sampler arguments as JSON.")
    parser.add_argument(
        "--pruner",
        default=None,
        help="median, percentile, successive-halving, hyperband, threshold, patient, wilcoxon, "
        "nop, or a pruner class name. Default: median when --report is given.",
    )
    parser.add_argument("--pruner-kwargs", default=None, help="Pruner arguments as JSON.")


def _executor_arguments(parser: ArgumentParser) -> None:
    group = parser.add_argument_group(
        "executor",
        "Where the programs run. 'thread' (default): on this machine. 'ray' / 'dask': as tasks "
        "on a cluster; each task starts the program on its worker and streams its reports "
        "back, so pruning works as on this machine.",
    )
    group.add_argument(
        "--executor",
        choices=("thread", "ray", "dask"),
        default="thread",
        help="thread, ray (pip install 'trimtab[ray]') or dask (pip install 'trimtab[dask]').",
    )
    group.add_argument(
        "--cluster-address",
        default=None,
        metavar="ADDRESS",
        help="Ray: the cluster to join ('auto', 'host:6379', 'ray://host:10001'; default: the "
        "running one or a new local Ray). Dask: the scheduler address (default: a local "
        "cluster with --jobs threads).",
    )
    group.add_argument(
        "--cpus-per-trial",
        type=float,
        default=None,
        metavar="N",
        help="CPUs each trial reserves (Ray default 1; Dask: a worker resource 'CPU' that the "
        "workers must declare).",
    )
    group.add_argument(
        "--gpus-per-trial",
        type=float,
        default=0.0,
        metavar="N",
        help="GPUs each trial reserves (fractions pack several trials on one GPU; Dask: a worker "
        "resource 'GPU').",
    )
    group.add_argument(
        "--max-retries",
        type=int,
        default=0,
        metavar="N",
        help="Ray/Dask: re-run a trial whose worker or node died, with the same parameters, up "
        "to N times (as a new trial).",
    )


def configure(parser: ArgumentParser) -> None:
    """Add the options of ``trimtab run`` to its sub-parser."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    _study_arguments(parser)
    space = parser.add_argument_group("search space")
    space.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="SPEC",
        help="NAME=float:LOW:HIGH[:log|:step=S], NAME=int:LOW:HIGH[:log|:step=S] or "
        "NAME=cat:A,B,C.",
    )
    space.add_argument("--space", default=None, metavar="FILE", help="A YAML or TOML space file.")
    space.add_argument(
        "--enqueue",
        action="append",
        default=[],
        metavar="POINT",
        help="Run this point first: 'lr=0.01,opt=adam' or a JSON object. Repeatable.",
    )
    space.add_argument(
        "--grid",
        action="store_true",
        help="Try every combination (floats need a step); --n-trials defaults to the grid size.",
    )
    metric_arguments(parser)
    program = program_arguments(parser)
    program.add_argument(
        "--dry-run",
        action="store_true",
        help="Print the commands of the first trials; run nothing.",
    )
    program.add_argument(
        "--progress-bar",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Show a progress bar (default: when stderr is a terminal).",
    )
    _executor_arguments(parser)
    parser.add_argument(
        "command", nargs=argparse.REMAINDER, help="The program and its arguments, after '--'."
    )


def program_arguments(parser: ArgumentParser) -> Any:
    """Add the options about running the program (also used by ``trimtab ablate``).

    Returns:
        The argument group, for more options.
    """
    program = parser.add_argument_group("program")
    program.add_argument(
        "--trial-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="Stop a trial's program after SECONDS (the trial fails).",
    )
    program.add_argument(
        "--grace-period",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="Seconds between SIGTERM and SIGKILL when stopping a program (pruned, timed "
        "out, interrupted, or exited leaving children behind). Default: 5.",
    )
    program.add_argument(
        "--log-dir",
        default="trimtab-runs",
        help="Where each trial's stdout/stderr are kept (default: trimtab-runs).",
    )
    program.add_argument(
        "--artifact-dir",
        default=None,
        metavar="DIR",
        help="Also keep each trial's stdout.log/stderr.log as trial artifacts in this "
        "FileSystemArtifactStore directory (shown by 'trimtab dashboard --artifact-dir DIR').",
    )
    return program
