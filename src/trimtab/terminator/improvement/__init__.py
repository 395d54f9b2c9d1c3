"""Optuna's package path ``optuna.terminator.improvement`` (see ``evaluator`` and ``emmr``)."""

__all__: list[str] = []
