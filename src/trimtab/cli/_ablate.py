"""``trimtab ablate``: an ablation of any program, on ``trimtab run``'s machinery.

The base configuration is the study's best trial (or ``--base``); each ``--factor`` switches
some of its parameters. Every variant runs ``--n-repeats`` times with the seeds 0, 1, … (the
program gets the seed as ``{seed}`` and ``TRIMTAB_PARAM_SEED``), then the effects are printed.
Several ``trimtab ablate`` processes on one storage share the design: each run happens once.
"""

from __future__ import annotations

import argparse
import json
import math
from argparse import ArgumentParser, Namespace
from pathlib import Path
from typing import Any

from trimtab.cli._commands import add_study_name, open_storage, storage_url
from trimtab.cli._registry import Command
from trimtab.cli._run._arguments import metric_arguments, program_arguments
from trimtab.cli._run._command import _directions, _signals_stop, _sources
from trimtab.cli._run._metrics import NUMBER_LINE
from trimtab.cli._run._objective import ProgramObjective, RunSettings
from trimtab.cli._run._process import Interrupt, ProgramError
from trimtab.cli._run._space import Param, build_space, parse_enqueue
from trimtab.cli._run._template import CommandTemplate
from trimtab.distributions import CategoricalDistribution, IntDistribution
from trimtab.exceptions import CLIUsageError

HELP = "Ablate a configuration: run each parameter change with several seeds, report effects."
DESCRIPTION = f"""{HELP}

Example (after 'trimtab run' tuned the study 'resnet'):
  trimtab ablate --storage sqlite:///tune.db --study-name resnet \\
    --factor lr=1e-3 --factor layers=2 --factor opt=sgd --n-repeats 5 --jobs 2 \\
    -- python train.py --lr {{lr}} --layers {{layers}} --optimizer {{opt}} --seed {{seed}}

The parameters come from the study's best trial (or --param/--space for a new study); the
program gets them as in 'trimtab run', and the seed as {{seed}} and TRIMTAB_PARAM_SEED.
"""
_SEED_HIGH = 2**31 - 1


def configure(parser: ArgumentParser) -> None:
    """Add the options of ``trimtab ablate`` to its sub-parser."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add_study_name(parser, required=True)
    design = parser.add_argument_group("design")
    design.add_argument(
        "--factor",
        action="append",
        default=[],
        metavar="CHANGE",
        help="Parameters to switch from the base: 'lr=1e-3' or 'opt=sgd,momentum=0.9' "
        "(changed together). Repeatable.",
    )
    design.add_argument(
        "--base",
        default=None,
        metavar="POINT",
        help="The base configuration ('lr=0.01,layers=4' or JSON); default: the best trial.",
    )
    design.add_argument("--n-repeats", type=int, default=3, help="Seeds per variant (default 3).")
    design.add_argument("--pairs", action="store_true", help="Also run each pair of factors.")
    design.add_argument("--name", default="ablation", help="The design's name in the study.")
    design.add_argument("--seed", type=int, default=0, help="The first seed (default 0).")
    design.add_argument(
        "--seed-param", default="seed", help="The seed's parameter name (default: seed)."
    )
    design.add_argument(
        "--param", action="append", default=[], metavar="SPEC", help="As in 'trimtab run'."
    )
    design.add_argument("--space", default=None, metavar="FILE", help="As in 'trimtab run'.")
    report = parser.add_argument_group("report")
    report.add_argument(
        "--test", choices=("welch", "mannwhitney", "paired"), default="welch", help="Default welch."
    )
    report.add_argument("--confidence", type=float, default=0.95, help="Default 0.95.")
    parser.add_argument(
        "--direction",
        choices=("minimize", "maximize"),
        default=None,
        help="For a new study (default: minimize).",
    )
    parser.add_argument("--jobs", type=int, default=1, help="Programs running at once.")
    metric_arguments(parser)
    program_arguments(parser)
    parser.add_argument(
        "command", nargs=argparse.REMAINDER, help="The program and its arguments, after '--'."
    )


def _param_of(name: str, distribution: Any) -> Param:
    texts: tuple[str, ...] = ()
    if isinstance(distribution, CategoricalDistribution):
        texts = tuple(c if isinstance(c, str) else json.dumps(c) for c in distribution.choices)
    return Param(name, distribution, texts)


def _space_and_base(args: Namespace, study: Any) -> tuple[dict[str, Param], dict[str, Any]]:
    from trimtab.ablation import load_design
    from trimtab.ablation._design import reference_trial

    space = build_space(args.param, args.space)
    stored = load_design(study, args.name, missing_ok=True)
    reference = None
    if not space or (args.base is None and stored is None):
        try:
            reference = reference_trial(study)
        except ValueError:
            raise CLIUsageError(
                f"Study '{study.study_name}' has no best trial to take the parameters and the "
                "base from: give --param (or --space) and --base."
            ) from None
    if not space:
        assert reference is not None
        space = {n: _param_of(n, d) for n, d in reference.distributions.items()}
    if args.seed_param in space:
        raise CLIUsageError(
            f"--seed-param {args.seed_param}: already a parameter; pick another name."
        )
    if args.base is not None:
        base = parse_enqueue(args.base, space)
    elif stored is not None:
        base = dict(stored.base)
    else:
        assert reference is not None
        base = dict(reference.params)
    missing = sorted(set(space) - set(base))
    if missing:
        raise CLIUsageError(f"--base: no value for {', '.join(missing)}.")
    return space, base


def _factors(args: Namespace, space: dict[str, Param]) -> list[Any]:
    from trimtab.ablation import Factor

    if not args.factor:
        raise CLIUsageError("No --factor: give at least one, e.g. --factor lr=1e-3.")
    return [Factor(parse_enqueue(text, space), label=text) for text in args.factor]


def _format_table(effects: list[Any], confidence: float) -> str:
    def number(x: float) -> str:
        return "nan" if math.isnan(x) else f"{x:.4g}"

    header = ["variant", "n", "mean", "effect", f"{confidence:.0%} CI", "p", "significant"]
    rows = [header]
    for e in effects:
        ci = f"[{number(e.ci_low)}, {number(e.ci_high)}]"
        flag = "yes" if e.significant else "no"
        rows.append(
            [e.variant, str(e.n), number(e.mean), number(e.effect), ci, number(e.p_value), flag]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _check(args: Namespace) -> None:
    if args.n_repeats < 1:
        raise CLIUsageError(f"--n-repeats must be at least 1, got {args.n_repeats}.")
    if args.jobs < 1:
        raise CLIUsageError(f"--jobs must be at least 1, got {args.jobs}.")
    if not 0.0 < args.confidence < 1.0:
        raise CLIUsageError(f"--confidence must be between 0 and 1, got {args.confidence}.")


def ablate(args: Namespace) -> int:
    """The ``trimtab ablate`` command; returns the exit code."""
    import trimtab
    from trimtab.ablation import ablation_effects, enqueue_ablation, run_ablation

    _check(args)
    values = _sources(args.values) or [NUMBER_LINE]
    reports = _sources(args.reports)
    if reports and len(values) > 1:
        raise CLIUsageError("--report works with one objective only (pruning is single-objective).")
    if len(values) > 1:
        raise CLIUsageError("trimtab ablate compares one objective value: give one --value.")
    args.direction = [args.direction] if args.direction else None
    directions = _directions(args, values)
    storage = open_storage(args)
    study = trimtab.create_study(
        storage=storage,
        study_name=args.study_name,
        directions=directions,
        pruner=trimtab.pruners.NopPruner(),  # a pruned run would unbalance the design
        load_if_exists=True,
    )
    space, base = _space_and_base(args, study)
    factors = _factors(args, space)
    space[args.seed_param] = Param(args.seed_param, IntDistribution(0, _SEED_HIGH))
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    template = CommandTemplate(command, space)
    template.check_executable()
    try:
        enqueue_ablation(
            study,
            factors,
            base=base,
            n_repeats=args.n_repeats,
            pairs=args.pairs,
            name=args.name,
            seed=args.seed,
            seed_param=args.seed_param,
        )
    except (TypeError, ValueError) as err:
        raise CLIUsageError(str(err)) from None
    settings = RunSettings(
        template=template,
        space=space,
        scanner_sources=(values, reports),
        study_name=study.study_name,
        storage_url=storage_url(args),
        log_root=Path(args.log_dir),
        trial_timeout=args.trial_timeout,
        grace_period=args.grace_period,
    )
    interrupt = Interrupt()
    objective = ProgramObjective(settings, interrupt)
    try:
        with _signals_stop(interrupt) as received:
            try:
                run_ablation(study, objective, args.name, n_jobs=args.jobs, catch=(ProgramError,))
            except KeyboardInterrupt:
                signum = received[0] if received else 2
                return 128 + int(signum)
    finally:
        interrupt.close()
    effects = ablation_effects(study, args.name, test=args.test, confidence=args.confidence)
    print(_format_table(effects, args.confidence))
    return 0


COMMANDS = {"ablate": Command(ablate, HELP, configure, DESCRIPTION)}
