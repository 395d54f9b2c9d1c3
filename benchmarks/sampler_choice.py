"""Which trimtab sampler to pick: every sampler on the same problems, seeds and budgets.

Unlike ``benchmarks.quality`` (trimtab against Optuna, sampler by sampler), this compares
trimtab's samplers with each other. Each sampler runs each problem ``--seeds`` times for the
largest budget; the score at a smaller budget is read from the first trials of the same run
(the best value so far; the noiseless value of the best-reported trial for the noisy
problem; the hypervolume of the Pareto front for the multi-objective one).

The results go to ``docs/data/sampler_choice.json``, from which the documentation's
"Choosing a sampler" page is generated (``docs/gen_sampler_tables.py``). Regenerate with::

    python -m benchmarks.sampler_choice            # ~15 min on 2 busy cores
    python -m benchmarks.sampler_choice --seeds 2  # a quick look, not for committing
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.quality import PROBLEMS, Problem, _noisy_sphere_value

OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "data" / "sampler_choice.json"
SINGLE = ["RandomSampler", "QMCSampler", "TPESampler", "CmaEsSampler", "GPSampler"]
MULTI = ["RandomSampler", "TPESampler", "NSGAIISampler", "GPSampler"]
CHOSEN = [
    ("sphere-2d", "continuous"),
    ("rosenbrock-5d", "continuous"),
    ("hartmann-6d", "continuous"),
    ("ackley-10d (multimodal)", "continuous"),
    ("int+log+step", "mixed"),
    ("categorical-conditional", "categorical"),
    ("noisy-sphere-5d", "noisy"),
    ("zdt1-6d (hypervolume)", "multi-objective"),
]
ZDT1_REFERENCE = np.array([1.1, 11.0])


def _score(problem: Problem, trials: list[Any]) -> float:
    """The problem's score over ``trials`` (the first ones of a run)."""
    done = [t for t in trials if t.values is not None]
    if len(problem.directions) > 1:
        from trimtab._multi_objective import pareto_front_trials
        from trimtab.hypervolume import compute_hypervolume
        from trimtab.study import StudyDirection

        front = pareto_front_trials(done, [StudyDirection.MINIMIZE] * 2)
        points = np.array([t.values for t in front], dtype=float)
        inside = points[np.all(points <= ZDT1_REFERENCE, axis=1)] if len(points) else points
        return float(compute_hypervolume(inside, ZDT1_REFERENCE)) if len(inside) else 0.0
    best = min(done, key=lambda t: t.value)
    if problem.name.startswith("noisy"):
        return _noisy_sphere_value(best.params)
    return float(best.value)


def run(problem: Problem, sampler_name: str, seed: int, budgets: list[int]) -> list[float]:
    """One run of ``max(budgets)`` trials; the score after each budget."""
    import trimtab

    trimtab.logging.set_verbosity(trimtab.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kwargs: dict[str, Any] = {"seed": seed}
        if sampler_name == "QMCSampler":
            # Unscrambled Sobol starts at the centre of the space, where several test
            # functions have their optimum: scrambling makes QMC's result depend on the seed.
            kwargs["scramble"] = True
        sampler = getattr(trimtab.samplers, sampler_name)(**kwargs)
        study = trimtab.create_study(sampler=sampler, directions=list(problem.directions))
        study.optimize(problem.make(seed), n_trials=max(budgets))
    trials = study.trials
    return [_score(problem, trials[:budget]) for budget in budgets]


def main(argv: list[str] | None = None) -> None:
    import trimtab

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--budgets", type=int, nargs="+", default=[20, 60])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    problems = {p.name: p for p in PROBLEMS}
    rows = []
    wall, cpu = time.time(), time.process_time()
    for name, kind in CHOSEN:
        problem = problems[name]
        for sampler_name in MULTI if kind == "multi-objective" else SINGLE:
            start, start_cpu = time.time(), time.process_time()
            scores = np.array(
                [run(problem, sampler_name, seed, args.budgets) for seed in range(args.seeds)]
            )
            seconds = (time.time() - start) / args.seeds
            cpu_seconds = (time.process_time() - start_cpu) / args.seeds
            for column, budget in enumerate(args.budgets):
                values = scores[:, column]
                rows.append(
                    {
                        "problem": name,
                        "kind": kind,
                        "better": problem.better,
                        "sampler": sampler_name,
                        "budget": budget,
                        "median": float(np.median(values)),
                        "q25": float(np.quantile(values, 0.25)),
                        "q75": float(np.quantile(values, 0.75)),
                        "scores": values.tolist(),
                        "seconds_per_run": round(seconds, 2),
                        "cpu_seconds_per_run": round(cpu_seconds, 2),
                    }
                )
            print(f"{name} {sampler_name}: {seconds:.1f}s per run", flush=True)
    result = {
        "generated_by": "python -m benchmarks.sampler_choice "
        + " ".join(argv if argv is not None else []),
        "date": datetime.date.today().isoformat(),
        "trimtab_version": trimtab.__version__,
        "python": platform.python_version(),
        "seeds": args.seeds,
        "budgets": args.budgets,
        "wall_seconds": round(time.time() - wall),
        "cpu_seconds": round(time.process_time() - cpu),
        "rows": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
