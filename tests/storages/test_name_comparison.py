"""Names that differ only in case, in trailing spaces or in characters outside the Basic
Multilingual Plane stay distinct on every backend (MariaDB's default collation folds them)."""

from __future__ import annotations

from collections.abc import Callable

import trimtab
from trimtab.storages import BaseStorage

NAMES = ("x", "X", "c\U0001f600", "c\U0007f314")


def test_case_and_astral_names_stay_distinct(
    storage_factory: Callable[..., tuple[BaseStorage, str]],
) -> None:
    storage, _ = storage_factory()
    upper = trimtab.create_study(storage=storage, study_name="Study")
    lower = trimtab.create_study(storage=storage, study_name="study")
    trial = upper.ask()
    params = {name: trial.suggest_int(name, 0, 100) for name in NAMES}
    for i, name in enumerate(NAMES):
        trial.set_user_attr(name, i)
    upper.tell(trial, 1.0)
    lower.set_user_attr("k", 1)
    lower.set_user_attr("K", 2)

    (stored,) = trimtab.load_study(study_name="Study", storage=storage).trials
    assert stored.params == params
    assert stored.user_attrs == {name: i for i, name in enumerate(NAMES)}
    assert trimtab.load_study(study_name="study", storage=storage).user_attrs == {"k": 1, "K": 2}
    trimtab.create_study(storage=storage, study_name="")
    trimtab.create_study(storage=storage, study_name=" ")
    names = sorted(s.study_name for s in trimtab.get_all_study_summaries(storage))
    assert names == ["", " ", "Study", "study"]
