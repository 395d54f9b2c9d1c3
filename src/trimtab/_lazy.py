"""Package attributes that import their module on first access.

``import trimtab`` loads only what every study needs; samplers, pruners and storages with
heavier dependencies (numpy kernels, scipy, SQLAlchemy, redis) load when first named.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` that resolves ``names[attr]`` lazily.

    A value is a module path, optionally with ``:attribute`` when the attribute has another
    name there. A name that maps to its own module path (``"nsgaii":
    "trimtab.samplers.nsgaii"``) resolves to that module; any other name resolves to the
    attribute of that name (or the one after ``:``) in the module.
    """

    def __getattr__(name: str) -> Any:
        target = names.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_path, _, attribute = target.partition(":")
        module = importlib.import_module(module_path)
        if not attribute and module_path == f"{package}.{name}":
            return module
        return getattr(module, attribute or name)

    return __getattr__
