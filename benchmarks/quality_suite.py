"""One table for optimisation quality: every sampler on every kind of problem, normalised.

Each sampler (trimtab's TPE, GP, CMA-ES and AutoSampler; Optuna 5.0's TPE, GP and CMA-ES;
optionally OptunaHub's AutoSampler) runs every problem ``seeds`` times with the same budget.
A run's raw score is the best value found (for the noisy problem, the noiseless value of the
best reported trial). Per problem, a run is normalised to ``100 * (R - v) / (R - B)``: 0 is the
median of random search (``R``, the same seeds and budget), 100 the best value any run found or
the known optimum (``B``). The summary gives each sampler's mean normalised score per group
(continuous, mixed/conditional, ML) and overall, and wins/ties/losses of every trimtab sampler
against every Optuna sampler (two-sided Mann-Whitney U on the raw scores, p < 0.05).

Run: ``python -m benchmarks.quality_suite`` (``--quick``: 8 problems, 5 seeds; ``--jobs 2``
to use two processes; ``--json out.json`` to save every raw score; ``--optunahub-auto DIR``
with DIR a checkout's ``package/samplers`` folder of optuna/optunahub-registry to add
OptunaHub's AutoSampler; ``--samplers`` and ``--only`` to filter; ``--reuse old.json`` takes
the Optuna and random-search runs from an earlier run instead of repeating them, since
changes to trimtab cannot affect them; ``--rerun`` names the samplers to run again instead).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import quality, quality_models, quality_problems  # noqa: E402
from benchmarks._functions import Objective, hartmann6, print_table, verdict  # noqa: E402


@dataclass(frozen=True)
class Problem:
    """A minimisation problem of the suite; ``optimum`` is its known best value, if any."""

    name: str
    group: str
    make: Callable[[int], Objective]
    n_trials: int
    quick: bool = False
    optimum: float | None = None
    score: Callable[[Any], float] | None = None


PROBLEMS: list[Problem] = [
    # continuous
    Problem("rosenbrock-4d", "continuous", quality_models.rosenbrock(4), 60, optimum=0.0),
    Problem("styblinski-tang-8d", "continuous", quality_models.styblinski_tang(8), 80,
            optimum=0.0),
    Problem("hartmann-6d", "continuous", hartmann6, 60, True, optimum=0.0),
    Problem("levy-8d", "continuous", quality_models.levy(8), 80, optimum=0.0),
    Problem("rastrigin-rotated-4d", "continuous", quality_problems.rastrigin_rotated(4), 80,
            True, optimum=0.0),
    Problem("gallagher21-5d", "continuous", quality_problems.gallagher(5), 80, True,
            optimum=0.0),
    Problem("gallagher101-3d", "continuous", quality_problems.gallagher(3, 101), 60,
            optimum=0.0),
    # mixed, categorical and conditional
    Problem("int+log+step", "mixed", quality.int_log, 80, optimum=0.0),
    Problem("mixed-5d", "mixed", quality_models.mixed, 60),
    Problem("categorical-8x5", "mixed", quality.categorical_only, 80),
    Problem("family-conditional", "mixed", quality.categorical_conditional, 80),
    Problem("trap-branch", "mixed", quality_problems.trap_branch, 80, True, optimum=0.0),
    Problem("model-choice", "mixed", quality_problems.model_choice, 80, True, optimum=0.05),
    # ML: synthetic HPO surfaces and scikit-learn models on bundled data
    Problem("hpo-like-7d", "ml", quality_models.hpo_like, 60),
    Problem("noisy-hpo-6d", "ml", quality_problems.noisy_hpo, 80, True,
            score=quality_problems.noiseless_best),
    Problem("sklearn-svc", "ml", quality.sklearn_svc, 50, True),
    Problem("sklearn-tree", "ml", quality.sklearn_tree, 50),
    Problem("sklearn-model-choice", "ml", quality_problems.sklearn_model_choice, 50),
]

GROUPS = ("continuous", "mixed", "ml")

SamplerFactory = Callable[[Any, int], Any]  # (library module, seed) -> sampler


def _hub_auto(lib: Any, seed: int) -> Any:
    return importlib.import_module("auto_sampler").AutoSampler(seed=seed)


SAMPLERS: dict[str, tuple[str, SamplerFactory]] = {
    "random": ("trimtab", lambda lib, s: lib.samplers.RandomSampler(seed=s)),
    "trimtab TPE": ("trimtab", lambda lib, s: lib.samplers.TPESampler(seed=s)),
    "trimtab TPE group": (
        "trimtab", lambda lib, s: lib.samplers.TPESampler(seed=s, multivariate=True, group=True)
    ),
    "trimtab GP": ("trimtab", lambda lib, s: lib.samplers.GPSampler(seed=s)),
    "trimtab CMA-ES": ("trimtab", lambda lib, s: lib.samplers.CmaEsSampler(seed=s)),
    "trimtab Auto": ("trimtab", lambda lib, s: lib.samplers.AutoSampler(seed=s)),
    "optuna TPE": ("optuna", lambda lib, s: lib.samplers.TPESampler(seed=s)),
    "optuna GP": ("optuna", lambda lib, s: lib.samplers.GPSampler(seed=s)),
    "optuna CMA-ES": ("optuna", lambda lib, s: lib.samplers.CmaEsSampler(seed=s)),
    "OptunaHub Auto": ("optuna", _hub_auto),
}


def run_one(task: tuple[str, str, int, str | None]) -> tuple[str, str, int, float, float, float]:
    """Run one study; returns (sampler, problem, seed, raw score, wall s, CPU s)."""
    sampler_name, problem_name, seed, hub_dir = task
    if hub_dir and hub_dir not in sys.path:
        sys.path.insert(0, hub_dir)
    problem = next(p for p in PROBLEMS if p.name == problem_name)
    lib_name, factory = SAMPLERS[sampler_name]
    lib = importlib.import_module(lib_name)
    lib.logging.set_verbosity(lib.logging.ERROR)
    objective = problem.make(seed)
    wall, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = lib.create_study(sampler=factory(lib, seed))
        study.optimize(objective, n_trials=problem.n_trials)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    raw = problem.score(study) if problem.score is not None else float(study.best_value)
    return sampler_name, problem_name, seed, raw, wall, cpu


def normalise(raw: dict[str, list[float]], optimum: float | None) -> dict[str, list[float]]:
    """Scores 0 = median of ``raw["random"]``, 100 = the best raw value (or ``optimum``)."""
    reference = float(np.median(raw["random"]))
    best = min(min(v) for v in raw.values())
    if optimum is not None:
        best = min(best, optimum)
    span = reference - best
    return {
        name: [100.0 * (reference - v) / span if span > 0 else 0.0 for v in values]
        for name, values in raw.items()
    }


def summarise(results: dict[str, Any], samplers: list[str]) -> dict[str, Any]:
    """Group scores and trimtab-vs-Optuna verdicts from ``results["problems"]``."""
    groups: dict[str, dict[str, float]] = {}
    for name in samplers:
        per_group: dict[str, float] = {}
        for group in (*GROUPS, "overall"):
            scores = [
                float(np.mean(p["normalised"][name])) for p in results["problems"]
                if group in (p["group"], "overall") and name in p["normalised"]
            ]
            if scores:
                per_group[group] = float(np.mean(scores))
        groups[name] = per_group
    ours = [s for s in samplers if SAMPLERS[s][0] == "trimtab" and s != "random"]
    theirs = [s for s in samplers if SAMPLERS[s][0] == "optuna"]
    verdicts = []
    for problem in results["problems"]:
        for a in ours:
            for b in theirs:
                p, outcome = verdict(
                    np.array(problem["raw"][a]), np.array(problem["raw"][b]), "min"
                )
                verdicts.append({"problem": problem["name"], "trimtab": a, "optuna": b,
                                 "p": p, "result": outcome})
    return {"groups": groups, "verdicts": verdicts}


def print_report(results: dict[str, Any], samplers: list[str]) -> None:
    """Print per-problem medians, group scores and the wins/ties/losses matrix."""
    rows = []
    for problem in results["problems"]:
        row = {"problem": problem["name"], "group": problem["group"],
               "trials": problem["n_trials"]}
        best = max(float(np.median(problem["normalised"][s])) for s in samplers)
        for name in samplers:
            median = float(np.median(problem["normalised"][name]))
            row[name] = f"{median:.0f}" + ("*" if median == best else "")
        rows.append(row)
    print("\nMedian normalised score per problem (0 = random search's median, 100 = best; "
          "* = best sampler)\n")
    print_table(rows)
    summary = results["summary"]
    print("\nMean normalised score per group\n")
    print_table([
        {"sampler": name, **{g: f"{summary['groups'][name].get(g, math.nan):.1f}"
                             for g in (*GROUPS, "overall")},
         "median CPU s/run": f"{results['cpu_seconds'][name]:.2f}"}
        for name in samplers
    ])
    print("\nWins/ties/losses per problem, trimtab (rows) vs Optuna (columns); "
          "Mann-Whitney U two-sided, p < 0.05\n")
    table = []
    for a in dict.fromkeys(v["trimtab"] for v in summary["verdicts"]):
        row = {"trimtab": a}
        for b in dict.fromkeys(v["optuna"] for v in summary["verdicts"]):
            outcomes = [v["result"] for v in summary["verdicts"]
                        if v["trimtab"] == a and v["optuna"] == b]
            row[b] = "/".join(str(outcomes.count(k)) for k in ("win", "tie", "loss"))
        table.append(row)
    if table:
        print_table(table)
    significant = [v for v in summary["verdicts"] if v["result"] != "tie"]
    if significant:
        print("\nSignificant differences\n")
        print_table([{**v, "p": f"{v['p']:.3f}"} for v in significant])


def _load_runs(path: str) -> list[list[Any]]:
    """Runs stored by an earlier ``--json`` run: its JSON file, or the ``.runs.jsonl`` file
    it appends to while running (so an interrupted run can be reused too)."""
    with open(path) as stored:
        if path.endswith(".jsonl"):
            return [json.loads(line) for line in stored if line.strip()]
        return list(json.load(stored)["runs"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="8 problems, 5 seeds")
    parser.add_argument("--seeds", type=int, default=None, help="default 10 (quick: 5)")
    parser.add_argument("--only", default=None,
                        help="problems whose name contains one of these (comma-separated)")
    parser.add_argument("--samplers", default=None, help="comma-separated sampler names")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--json", default=None, help="write raw and normalised scores here")
    parser.add_argument("--reuse", default=None,
                        help="earlier --json outputs or .runs.jsonl checkpoints "
                        "(comma-separated) whose Optuna and random runs are reused")
    parser.add_argument("--no-run", action="store_true",
                        help="only report the --reuse runs (problems missing a sampler's "
                        "runs are left out)")
    parser.add_argument("--rerun", default=None,
                        help="with --reuse: samplers to run again (default: every trimtab one)")
    parser.add_argument("--optunahub-auto", default=os.environ.get("OPTUNAHUB_SAMPLERS"),
                        help="optunahub-registry's package/samplers folder (adds its AutoSampler)")
    args = parser.parse_args(argv)
    seeds = args.seeds or (5 if args.quick else 10)
    samplers = [s for s in SAMPLERS if s != "OptunaHub Auto" or args.optunahub_auto]
    if args.samplers:
        wanted = ["random", *args.samplers.split(",")]
        unknown = set(wanted) - set(SAMPLERS)
        if unknown:
            parser.error(f"--samplers: unknown {sorted(unknown)}; known: {list(SAMPLERS)}")
        samplers = [s for s in SAMPLERS if s in wanted]
    problems = [
        p for p in PROBLEMS
        if (p.quick or not args.quick)
        and (not args.only or any(part in p.name for part in args.only.split(",")))
    ]
    if not problems:
        parser.error("no problem matched")
    tasks = [(s, p.name, seed, args.optunahub_auto) for p in problems
             for seed in range(seeds) for s in samplers]
    outcomes = []
    if args.reuse:
        stored = {
            (r[0], r[1], r[2]): tuple(r)
            for path in args.reuse.split(",") for r in _load_runs(path)
        }
        rerun = (
            set(args.rerun.split(",")) if args.rerun is not None
            else {s for s in SAMPLERS if SAMPLERS[s][0] == "trimtab" and s != "random"}
        )
        reusable = {t[:3] for t in tasks if t[0] not in rerun}
        outcomes = [stored[key] for key in reusable if key in stored]
        tasks = [t for t in tasks if t[:3] not in stored or t[:3] not in reusable]
        print(f"Reusing {len(outcomes)} runs from {args.reuse}; {len(tasks)} to run.")
    if args.no_run:
        tasks = []
    start = time.time()
    checkpoint = open(args.json + ".runs.jsonl", "a") if args.json else None

    def record(outcome: tuple[Any, ...]) -> None:
        outcomes.append(outcome)
        if checkpoint is not None:
            checkpoint.write(json.dumps(list(outcome)) + "\n")
            checkpoint.flush()

    if args.jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            for i, outcome in enumerate(pool.imap_unordered(run_one, tasks), 1):
                record(outcome)
                print(f"  [{time.time() - start:6.0f}s] {i}/{len(tasks)} {outcome[0]} "
                      f"{outcome[1]} seed {outcome[2]}: {outcome[3]:.4g}", flush=True)
    else:
        for i, task in enumerate(tasks, 1):
            record(run_one(task))
            print(f"  [{time.time() - start:6.0f}s] {i}/{len(tasks)} {task[0]} {task[1]} "
                  f"seed {task[2]}: {outcomes[-1][3]:.4g}", flush=True)
    if checkpoint is not None:
        checkpoint.close()
    results: dict[str, Any] = {"seeds": seeds, "quick": args.quick, "problems": []}
    for problem in problems:
        raw = {s: [o[3] for o in sorted(outcomes, key=lambda o: o[2])
                   if o[0] == s and o[1] == problem.name] for s in samplers}
        if not all(raw.values()):
            print(f"Left out {problem.name}: no runs of "
                  f"{[s for s, v in raw.items() if not v]}")
            continue
        results["problems"].append({
            "name": problem.name, "group": problem.group, "n_trials": problem.n_trials,
            "raw": raw, "normalised": normalise(raw, problem.optimum),
        })
    for key, column in (("wall_seconds", 4), ("cpu_seconds", 5)):
        results[key] = {  # runs reused from a log may lack timings (None)
            s: float(np.median([o[column] for o in outcomes
                                if o[0] == s and o[column] is not None] or [math.nan]))
            for s in samplers
        }
    results["runs"] = [list(o) for o in outcomes]
    results["summary"] = summarise(results, samplers)
    print(f"\n{seeds} seeds (0..{seeds - 1}) per problem and sampler, "
          f"{time.time() - start:.0f} s in all")
    print_report(results, samplers)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
