"""The storage conformance suite on ``InMemoryStorage``."""

from __future__ import annotations

import pickle

from trimtab.storages import BaseStorage, InMemoryStorage
from trimtab.testing.storages import StorageContract


class TestInMemoryStorage(StorageContract):
    def make_storage(self) -> BaseStorage:
        return InMemoryStorage()


def test_in_memory_storage_pickles_with_its_trials() -> None:
    storage = InMemoryStorage()
    study_id = storage.create_new_study([1], "pickled")  # type: ignore[list-item]
    storage.create_new_trial(study_id)
    restored = pickle.loads(pickle.dumps(storage))
    assert restored.get_study_id_from_name("pickled") == study_id
    assert len(restored.get_all_trials(study_id)) == 1
    restored.create_new_trial(study_id)
