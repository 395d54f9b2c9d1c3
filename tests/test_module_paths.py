"""Optuna module paths that user code imports resolve in trimtab to the public objects.

Each path below is imported somewhere in public code (type hints, custom samplers and
pruners, test suites), e.g. ``from optuna.study.study import Study, ObjectiveFuncType``.
Only paths that name public objects are offered; private helpers (``_CONSTRAINTS_KEY``,
``_CachedStorage``, ORM models) are not part of the compatibility promise.
"""

from __future__ import annotations

import importlib

import pytest

# (module path below trimtab/optuna, name, where trimtab's public object lives)
PATHS = [
    ("study.study", "Study", "study"),
    ("study.study", "ObjectiveFuncType", "study._optimize"),
    ("study.study", "create_study", "study"),
    ("study.study", "load_study", "study"),
    ("study.study", "delete_study", "study"),
    ("study.study", "copy_study", "study"),
    ("study.study", "get_all_study_summaries", "study"),
    ("study.study", "get_all_study_names", "study"),
    ("study._study_direction", "StudyDirection", "study"),
    ("study._frozen", "FrozenStudy", "study"),
    ("study._study_summary", "StudySummary", "study"),
    ("trial._frozen", "FrozenTrial", "trial"),
    ("trial._frozen", "create_trial", "trial"),
    ("trial._state", "TrialState", "trial"),
    ("trial._trial", "Trial", "trial"),
    ("trial._base", "BaseTrial", "trial"),
    ("trial._fixed", "FixedTrial", "trial"),
    ("samplers._base", "BaseSampler", "samplers"),
    ("samplers._random", "RandomSampler", "samplers"),
    ("samplers._grid", "GridSampler", "samplers"),
    ("samplers._tpe.sampler", "TPESampler", "samplers"),
    ("samplers._cmaes", "CmaEsSampler", "samplers"),
    ("samplers._qmc", "QMCSampler", "samplers"),
    ("samplers._partial_fixed", "PartialFixedSampler", "samplers"),
    ("samplers._brute_force", "BruteForceSampler", "samplers"),
    ("samplers.nsgaii", "BaseCrossover", "samplers.nsgaii"),
    ("samplers.nsgaii", "UniformCrossover", "samplers.nsgaii"),
    ("pruners._base", "BasePruner", "pruners"),
    ("pruners._median", "MedianPruner", "pruners"),
    ("pruners._percentile", "PercentilePruner", "pruners"),
    ("pruners._hyperband", "HyperbandPruner", "pruners"),
    ("pruners._successive_halving", "SuccessiveHalvingPruner", "pruners"),
    ("pruners._nop", "NopPruner", "pruners"),
    ("pruners._threshold", "ThresholdPruner", "pruners"),
    ("pruners._patient", "PatientPruner", "pruners"),
    ("pruners._wilcoxon", "WilcoxonPruner", "pruners"),
    ("storages._base", "BaseStorage", "storages"),
    ("storages._rdb.storage", "RDBStorage", "storages"),
    ("storages._in_memory", "InMemoryStorage", "storages"),
    ("storages._callbacks", "RetryFailedTrialCallback", "storages"),
    ("storages.journal", "JournalStorage", "storages"),
    ("storages.journal._base", "BaseJournalBackend", "storages.journal"),
    ("storages.journal._storage", "JournalStorage", "storages"),
    ("storages.journal._file", "JournalFileBackend", "storages.journal"),
    ("distributions", "BaseDistribution", "distributions"),
    ("search_space.intersection", "IntersectionSearchSpace", "search_space"),
    ("search_space.intersection", "intersection_search_space", "search_space"),
    ("importance._base", "BaseImportanceEvaluator", "importance"),
    ("importance._fanova", "FanovaImportanceEvaluator", "importance"),
    ("exceptions", "TrialPruned", ""),
    ("logging", "get_logger", "logging"),
    ("visualization.matplotlib", "plot_optimization_history", "visualization.matplotlib"),
    ("terminator.erroreval", "BaseErrorEvaluator", "terminator"),
    ("terminator.erroreval", "StaticErrorEvaluator", "terminator"),
    ("terminator.erroreval", "CrossValidationErrorEvaluator", "terminator"),
    ("terminator.erroreval", "report_cross_validation_scores", "terminator"),
    ("terminator.median_erroreval", "MedianErrorEvaluator", "terminator"),
    ("terminator.improvement.evaluator", "BaseImprovementEvaluator", "terminator"),
    ("terminator.improvement.evaluator", "RegretBoundEvaluator", "terminator"),
    ("terminator.improvement.evaluator", "BestValueStagnationEvaluator", "terminator"),
    ("terminator.improvement.emmr", "EMMREvaluator", "terminator"),
    ("terminator.terminator", "BaseTerminator", "terminator"),
    ("terminator.terminator", "Terminator", "terminator"),
    ("terminator.callback", "TerminatorCallback", "terminator"),
]


def _ids() -> list[str]:
    return [f"{path}.{name}" for path, name, _ in PATHS]


@pytest.mark.parametrize("path, name, home", PATHS, ids=_ids())
def test_optuna_module_path_resolves_to_the_public_object(path: str, name: str, home: str) -> None:
    module = importlib.import_module(f"trimtab.{path}")
    public = importlib.import_module(f"trimtab.{home}" if home else "trimtab")
    assert getattr(module, name) is getattr(public, name)


def test_optuna_has_the_same_paths() -> None:
    """The list is Optuna 5.0's: each path really names that object in Optuna."""
    pytest.importorskip("optuna")
    missing = [
        f"optuna.{path}.{name}"
        for path, name, _ in PATHS
        if not hasattr(importlib.import_module(f"optuna.{path}"), name)
    ]
    assert missing == []


def test_import_as_optuna_runs_typed_user_code() -> None:
    """A custom pruner module written against Optuna's module paths."""
    from trimtab.pruners._base import BasePruner
    from trimtab.study.study import ObjectiveFuncType, Study, create_study
    from trimtab.trial import FrozenTrial

    class EveryOther(BasePruner):
        def prune(self, study: Study, trial: FrozenTrial) -> bool:
            return trial.number % 2 == 1

    def objective(trial):  # type: ObjectiveFuncType
        trial.report(1.0, 0)
        if trial.should_prune():
            import trimtab

            raise trimtab.TrialPruned()
        return trial.suggest_float("x", 0, 1)

    func: ObjectiveFuncType = objective
    study = create_study(pruner=EveryOther())
    study.optimize(func, n_trials=4)
    assert [t.state.name for t in study.trials] == ["COMPLETE", "PRUNED"] * 2
