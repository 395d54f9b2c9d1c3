"""The public API, pinned: every public module's ``__all__`` equals ``tests/public_api.txt``.

A public module is one whose dotted path has no ``_``-prefixed part. Adding, removing or
renaming a public name (or module) is a deliberate change: update the list with

    python tests/test_public_api.py > tests/public_api.txt

and say why in the commit. Every listed name must exist, and a public *package* (a facade
``__init__``) must not show a public name that is not in its ``__all__`` (a leaked import).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import types
from pathlib import Path

import pytest

import trimtab

# Resolving trimtab.integration's names imports the tools; Keras 3 runs on torch here.
os.environ.setdefault("KERAS_BACKEND", "torch")

PINNED = Path(__file__).with_name("public_api.txt")
# Packages whose __init__ holds implementation rather than re-exports.
_NOT_FACADES = {"trimtab.cli"}


def public_modules() -> list[str]:
    """Every importable public module of trimtab, sorted."""
    names = ["trimtab"]
    for info in pkgutil.walk_packages(trimtab.__path__, "trimtab."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return sorted(names)


def current_api() -> list[str]:
    """``"module name"`` for each name in each public module's ``__all__``; ``"module -"`` for a
    module that exports nothing."""
    lines = []
    for name in public_modules():
        exported = sorted(importlib.import_module(name).__all__)
        lines.extend(f"{name} {item}" for item in exported)
        if not exported:
            lines.append(f"{name} -")
    return lines


def _pinned() -> list[str]:
    text = PINNED.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_public_names_match_the_pinned_list() -> None:
    current, pinned = set(current_api()), set(_pinned())
    added, removed = sorted(current - pinned), sorted(pinned - current)
    assert not added and not removed, (
        f"public API changed: added {added}, removed {removed}. If deliberate, regenerate "
        "tests/public_api.txt (see this module's docstring)."
    )


@pytest.mark.parametrize("name", public_modules())
def test_every_public_module_defines_all_and_every_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert isinstance(getattr(module, "__all__", None), list), f"{name} has no __all__ list"
    missing = [item for item in module.__all__ if not hasattr(module, item)]
    assert missing == [], f"{name}.__all__ names missing attributes: {missing}"
    assert len(set(module.__all__)) == len(module.__all__), f"{name}.__all__ has duplicates"


@pytest.mark.parametrize("name", [m for m in public_modules() if m not in _NOT_FACADES])
def test_public_packages_leak_no_imports(name: str) -> None:
    module = importlib.import_module(name)
    if not hasattr(module, "__path__"):
        return  # a plain module: its imports are its implementation
    leaked = [
        key
        for key, value in vars(module).items()
        if not key.startswith("_")
        and key not in module.__all__
        and key not in ("annotations", "TYPE_CHECKING")
        and not (isinstance(value, types.ModuleType) and value.__name__.startswith(f"{name}."))
    ]
    assert leaked == [], f"{name} shows names outside __all__: {leaked}"


if __name__ == "__main__":
    sys.stdout.write(
        "# The public API: one 'module name' line per name in each public module's __all__\n"
        "# ('module -' when it exports nothing). Checked by tests/test_public_api.py.\n"
    )
    sys.stdout.write("\n".join(current_api()) + "\n")
