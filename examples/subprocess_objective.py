"""Tune a training *script*: run it once per trial and read ``score: X`` from its output.

Two ways to do it:

1. No Python at all — ``trimtab run`` starts the script, substitutes the parameters, reads the
   score and the per-epoch values (pruning hopeless runs), and keeps each run's output::

       trimtab run --storage sqlite:///tune.db --study-name script --n-trials 15 \\
         --param lr=float:1e-4:1e-1:log --param layers=int:1:6 \\
         --value 'final score: {value}' --report 'epoch {step} score: {value}' \\
         -- python train.py --lr {lr} --layers {layers}

2. A hand-written objective that starts the script with ``subprocess`` and parses its output
   (when you need logic the command line cannot express).

The "training script" is a tiny program written to a temporary directory so the example runs
anywhere; ``main()`` runs both ways on it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import trimtab
from trimtab.cli import main as trimtab_command

TRAIN_SCRIPT = """
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float)
parser.add_argument("--layers", type=int)
args = parser.parse_args()
for epoch in range(3):
    loss = (args.lr - 0.01) ** 2 * 1e4 + abs(args.layers - 3) + 1.0 / (epoch + 1)
    print(f"epoch {epoch} score: {loss:.6f}", flush=True)
print(f"final score: {loss:.6f}")
"""
SCORE = re.compile(r"^epoch \d+ score:\s*([-+0-9.eE]+)")


def tune_with_trimtab_run(train_py: Path, workdir: Path) -> None:
    """The command line shown above, run in this process."""
    exit_code = trimtab_command(
        [
            "run", "--storage", f"sqlite:///{workdir}/tune.db", "--study-name", "script",
            "--n-trials", "15", "--log-dir", str(workdir / "runs"),
            "--param", "lr=float:1e-4:1e-1:log", "--param", "layers=int:1:6",
            "--value", "final score: {value}", "--report", "epoch {step} score: {value}",
            "--", sys.executable, str(train_py), "--lr", "{lr}", "--layers", "{layers}",
        ]
    )  # fmt: skip
    study = trimtab.load_study(study_name="script", storage=f"sqlite:///{workdir}/tune.db")
    print("trimtab run, best:", study.best_params, study.best_value, "exit code", exit_code)


def tune_with_an_objective(train_py: Path) -> None:
    """The same study with a hand-written subprocess objective."""

    def objective(trial: trimtab.Trial) -> float:
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        layers = trial.suggest_int("layers", 1, 6)
        process = subprocess.Popen(
            [sys.executable, str(train_py), "--lr", str(lr), "--layers", str(layers)],
            stdout=subprocess.PIPE,
            text=True,
        )
        score = float("nan")
        assert process.stdout is not None
        for step, line in enumerate(process.stdout):
            match = SCORE.search(line)
            if match is None:
                continue
            score = float(match.group(1))
            trial.report(score, step)
            if trial.should_prune():
                process.kill()
                process.wait()
                raise trimtab.TrialPruned()
        if process.wait() != 0:
            raise RuntimeError(f"training exited with {process.returncode}")
        return score

    study = trimtab.create_study()
    study.optimize(objective, n_trials=15)
    print("subprocess objective, best:", study.best_params, study.best_value)


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        train_py = workdir / "train.py"
        train_py.write_text(TRAIN_SCRIPT)
        tune_with_trimtab_run(train_py, workdir)
        tune_with_an_objective(train_py)


if __name__ == "__main__":
    main()
