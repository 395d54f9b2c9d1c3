"""Ablation studies: switch parameters of a configuration one at a time, measure each effect.

From a base configuration (by default the study's best trial) and a set of factors, enqueue a
balanced design (every variant ``n_repeats`` times, with the same seeds), run it with
:func:`run_ablation`, ``Study.optimize`` or any executor, then report each factor's effect
with a confidence interval and a significance test::

    design = enqueue_ablation(study, {"lr": 1e-3, "layers": 2}, n_repeats=5)
    run_ablation(study, objective)            # the objective reads trial_seed(trial)
    print(ablation_table(study))              # or plot_ablation(study), the dashboard

The command line does the same for any program: ``trimtab ablate``.
"""

from __future__ import annotations

from trimtab.ablation._design import (
    AblationDesign,
    Factor,
    Variant,
    design_names,
    enqueue_ablation,
    load_design,
    trial_seed,
)
from trimtab.ablation._plot import plot_ablation, plot_ablation_matplotlib
from trimtab.ablation._run import pending_trials, run_ablation
from trimtab.ablation._stats import FactorEffect, ablation_effects, ablation_table

__all__ = [
    "AblationDesign",
    "Factor",
    "FactorEffect",
    "Variant",
    "ablation_effects",
    "ablation_table",
    "design_names",
    "enqueue_ablation",
    "load_design",
    "pending_trials",
    "plot_ablation",
    "plot_ablation_matplotlib",
    "run_ablation",
    "trial_seed",
]
