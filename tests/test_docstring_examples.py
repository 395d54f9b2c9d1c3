"""The ``Example:`` sections of the public docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

import trimtab

MODULES = [
    "trimtab.distributions",
    "trimtab.storages._factory",
    "trimtab.storages._in_memory",
    "trimtab.storages._rdb._storage",
    "trimtab.storages.journal._storage",
    "trimtab.study._functions",
    "trimtab.study._study",
    "trimtab.trial._base",
    "trimtab.trial._frozen",
    "trimtab.trial._trial",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
