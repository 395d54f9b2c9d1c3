"""Tune a training *script*: run it as a subprocess and parse ``score: X`` from its output.

The "training script" here is a tiny inline Python program so the example runs anywhere;
replace ``TRAIN_COMMAND`` with your own (``["python", "train.py"]``).
"""

from __future__ import annotations

import re
import subprocess
import sys

import trimtab

TRAIN_SCRIPT = """
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float)
parser.add_argument("--layers", type=int)
args = parser.parse_args()
for epoch in range(3):
    loss = (args.lr - 0.01) ** 2 * 1e4 + abs(args.layers - 3) + 1.0 / (epoch + 1)
    print(f"epoch {epoch} score: {loss:.6f}", flush=True)
"""
TRAIN_COMMAND = [sys.executable, "-c", TRAIN_SCRIPT]
SCORE = re.compile(r"score:\s*([-+0-9.eE]+)")


def objective(trial: trimtab.Trial) -> float:
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    layers = trial.suggest_int("layers", 1, 6)
    process = subprocess.Popen(
        [*TRAIN_COMMAND, "--lr", str(lr), "--layers", str(layers)],
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
            raise trimtab.TrialPruned()
    if process.wait() != 0:
        raise RuntimeError(f"training exited with {process.returncode}")
    return score


if __name__ == "__main__":
    study = trimtab.create_study()
    study.optimize(objective, n_trials=15)
    print("best:", study.best_params, study.best_value)
