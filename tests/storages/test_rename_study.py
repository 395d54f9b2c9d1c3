"""``rename_study`` where a storage has it (RDB backends, in-memory): the id, trials and
attributes stay; a taken name is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import trimtab
from trimtab.exceptions import DuplicatedStudyError
from trimtab.storages import BaseStorage, InMemoryStorage


def _check_rename(storage: BaseStorage) -> None:
    study = trimtab.create_study(storage=storage, study_name="before")
    trimtab.create_study(storage=storage, study_name="taken")
    running = study.ask()
    study.set_user_attr("k", 1)
    with pytest.raises(DuplicatedStudyError):
        storage.rename_study(study._study_id, "taken")  # type: ignore[attr-defined]
    assert storage.get_study_name_from_id(study._study_id) == "before"
    storage.rename_study(study._study_id, "after ✓")  # type: ignore[attr-defined]
    study.tell(running, 2.0)
    assert storage.get_study_id_from_name("after ✓") == study._study_id
    with pytest.raises(KeyError):
        storage.get_study_id_from_name("before")
    loaded = trimtab.load_study(study_name="after ✓", storage=storage)
    assert loaded.user_attrs == {"k": 1} and loaded.trials[0].value == 2.0
    trimtab.create_study(storage=storage, study_name="before")  # the old name is free again
    with pytest.raises(KeyError):
        storage.rename_study(10**9, "x")  # type: ignore[attr-defined]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"], indirect=True)
def test_rdb_rename_keeps_the_id(storage_factory: Callable[..., tuple[BaseStorage, str]]) -> None:
    _check_rename(storage_factory()[0])


def test_in_memory_rename_keeps_the_id() -> None:
    _check_rename(InMemoryStorage())
