"""Executors: run a study's trials in processes, on Ray or on Dask, with one coordinator.

The process calling ``study.optimize`` stays the coordinator (sampler, pruner, storage);
evaluators run the objective and send every ``trial`` call back to it::

    study.optimize(objective, n_trials=100, n_jobs=4, executor="process")
    study.optimize(objective, n_trials=100, n_jobs=8, executor=RayExecutor(num_cpus=1))
    study.optimize(objective, n_trials=100, n_jobs=8, executor=DaskExecutor(client))

For ask/tell users, ``ask_batch(study, k)`` starts k trials at once for an external
scheduler. Ray and Dask are imported only when their executor is created.
"""

from __future__ import annotations

from trimtab.execution._batch import ask_batch
from trimtab.execution._coordinator import FAIL_REASON_KEY, WorkerLostError
from trimtab.execution._dask import DaskExecutor
from trimtab.execution._process import ProcessExecutor
from trimtab.execution._protocol import RemoteTrialError
from trimtab.execution._ray import RayExecutor

__all__ = [
    "FAIL_REASON_KEY",
    "DaskExecutor",
    "ProcessExecutor",
    "RayExecutor",
    "RemoteTrialError",
    "WorkerLostError",
    "ask_batch",
]
