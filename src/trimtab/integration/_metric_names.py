"""Names under which tracking callbacks log a trial's objective values."""

from __future__ import annotations

from collections.abc import Sequence


def check_metric_name(metric_name: object) -> str | tuple[str, ...]:
    """Validate a callback's ``metric_name`` argument.

    Args:
        metric_name: A string, or a sequence with one string per objective.

    Returns:
        The string, or the names as a tuple.

    Raises:
        TypeError: ``metric_name`` is neither a string nor a sequence of strings.
    """
    if isinstance(metric_name, str):
        return metric_name
    if isinstance(metric_name, Sequence) and all(isinstance(n, str) for n in metric_name):
        return tuple(metric_name)
    raise TypeError(f"metric_name must be a string or a sequence of strings, got {metric_name!r}.")


def metric_names_for(metric_name: str | tuple[str, ...], n_objectives: int) -> list[str]:
    """The name for each of a study's objectives.

    A single name is used as it is for one objective and suffixed ``_0``, ``_1``, ... for
    several (Optuna's broadcasting); a sequence must name every objective.

    Args:
        metric_name: The value :func:`check_metric_name` returned.
        n_objectives: The study's number of objectives.

    Returns:
        One name per objective.

    Raises:
        ValueError: A sequence whose length is not the number of objectives.
    """
    if isinstance(metric_name, str):
        if n_objectives == 1:
            return [metric_name]
        return [f"{metric_name}_{i}" for i in range(n_objectives)]
    if len(metric_name) != n_objectives:
        raise ValueError(
            f"metric_name names {len(metric_name)} metric(s) {list(metric_name)}, but the study "
            f"has {n_objectives} objective(s); give one name per objective, or a single string "
            "to be suffixed _0, _1, ..."
        )
    return list(metric_name)
