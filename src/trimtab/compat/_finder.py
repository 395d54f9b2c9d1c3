"""The import hook that answers ``import optuna[.x]`` with trimtab's modules.

A meta-path finder placed first on ``sys.meta_path`` maps each ``optuna.<path>`` to
``trimtab.<path>`` (or to a trimtab module of another name, ``_RENAMED``) and hands back the
trimtab module object itself, so ``sys.modules["optuna.samplers"] is trimtab.samplers``. Only
the top-level ``optuna`` is a module of its own (``OptunaFacade``): it forwards every attribute
to ``trimtab`` but reports the Optuna API version trimtab serves, because libraries check
``optuna.__version__`` against Optuna's release numbers.

The finder also answers ``importlib.metadata`` queries for the ``optuna`` distribution with that
version, so libraries that check the installed distribution see an Optuna they accept.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.metadata
import importlib.util
import os
import pathlib
import sys
import types
from collections.abc import Iterator, Sequence
from typing import Any

OPTUNA_API_VERSION = "5.0.0"
"""The Optuna release whose API trimtab serves (``optuna.__version__`` once installed)."""

# Optuna module paths whose trimtab counterpart has another name.
_RENAMED = {
    "optuna.version": "trimtab.compat._version",
    "optuna._imports": "trimtab.compat._imports",
    "optuna._experimental": "trimtab.compat._experimental",
    "optuna._deprecated": "trimtab.compat._deprecated",
    "optuna._typing": "trimtab.compat._typing",
    "optuna.storages._cached_storage": "trimtab.compat._cached_storage",
    "optuna.search_space.group_decomposed": "trimtab.search_space._group_decomposed",
    "optuna.storages._rdb.models": "trimtab.storages._rdb._schema",
    "optuna.terminator.callback": "trimtab.terminator.callback",
}


def trimtab_name(optuna_name: str) -> str:
    """Return the trimtab module path that serves the Optuna module path ``optuna_name``."""
    renamed = _RENAMED.get(optuna_name)
    if renamed is not None:
        return renamed
    return "trimtab" + optuna_name[len("optuna") :]


class OptunaFacade(types.ModuleType):
    """The ``optuna`` module: trimtab's namespace with Optuna's version number.

    Reads go to ``trimtab`` (its submodules included, imported on first use); writes
    (monkeypatching ``optuna.X``) go to ``trimtab`` as well, so both names stay one namespace.
    """

    def __getattr__(self, name: str) -> Any:
        import trimtab

        try:
            return getattr(trimtab, name)
        except AttributeError:
            if name.startswith("__"):
                raise
        try:
            return importlib.import_module(f"optuna.{name}")
        except ModuleNotFoundError as err:
            raise AttributeError(f"module 'optuna' (trimtab) has no attribute {name!r}") from err

    def __setattr__(self, name: str, value: Any) -> None:
        # The import system records each imported ``optuna.x`` here; those (and dunders) stay
        # on the facade, since a renamed alias (``optuna.version``) must not replace trimtab's.
        if name.startswith("__") or isinstance(value, types.ModuleType):
            super().__setattr__(name, value)
            return
        import trimtab

        setattr(trimtab, name, value)
        self.__dict__.pop(name, None)

    def __delattr__(self, name: str) -> None:
        if name in self.__dict__:
            super().__delattr__(name)
            return
        import trimtab

        delattr(trimtab, name)

    def __dir__(self) -> list[str]:
        import trimtab

        return sorted(set(dir(trimtab)) | set(self.__dict__))

    def __repr__(self) -> str:
        return f"<module 'optuna' served by trimtab from {self.__dict__.get('__file__')!r}>"


class _FacadeLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        import trimtab

        return OptunaFacade("optuna", trimtab.__doc__)

    def exec_module(self, module: types.ModuleType) -> None:
        import trimtab

        module.__version__ = OPTUNA_API_VERSION  # type: ignore[attr-defined]
        module.__path__ = []  # a package whose submodules only this finder provides
        module.__file__ = trimtab.__file__
        module.__trimtab_version__ = trimtab.__version__  # type: ignore[attr-defined]
        importlib.import_module("optuna.version")  # Optuna's number, not trimtab's


class _AliasLoader(importlib.abc.Loader):
    """Loads ``optuna.<path>`` as the already imported (or now imported) trimtab module."""

    def __init__(self, target: str) -> None:
        self._target = target
        self._target_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = importlib.import_module(self._target)
        self._target_spec = module.__spec__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        # The import system stamped the alias's spec on the module; trimtab's stays its own.
        if self._target_spec is not None:
            module.__spec__ = self._target_spec


class _OptunaDistribution(importlib.metadata.Distribution):
    """The ``optuna`` distribution as ``importlib.metadata`` sees it: served by trimtab."""

    def read_text(self, filename: str) -> str | None:
        if filename == "METADATA":
            return (
                "Metadata-Version: 2.1\n"
                "Name: optuna\n"
                f"Version: {OPTUNA_API_VERSION}\n"
                "Summary: Optuna's API, served by trimtab (trimtab.install_as_optuna)\n"
            )
        return None

    def locate_file(self, path: str | os.PathLike[str]) -> pathlib.Path:
        import trimtab

        return pathlib.Path(trimtab.__file__).parent / path


class OptunaAliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``optuna`` and ``optuna.*`` in trimtab (see the module docstring)."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == "optuna":
            return importlib.util.spec_from_loader("optuna", _FacadeLoader(), is_package=True)
        if not fullname.startswith("optuna."):
            return None
        top = ".".join(fullname.split(".")[:2])
        if top.startswith("optuna._") and top not in _RENAMED:
            # trimtab's own private top-level modules (``_transform``, ...) share some of
            # Optuna's names but not their contents: serving them would mislead.
            return None
        target_name = trimtab_name(fullname)
        try:
            target_spec = importlib.util.find_spec(target_name)
        except ModuleNotFoundError:
            return None
        if target_spec is None:
            return None
        return importlib.util.spec_from_loader(
            fullname,
            _AliasLoader(target_name),
            is_package=target_spec.submodule_search_locations is not None,
        )

    def find_distributions(
        self, context: importlib.metadata.DistributionFinder.Context | None = None
    ) -> Iterator[importlib.metadata.Distribution]:
        name = getattr(context, "name", None)
        if name is not None and name.replace("_", "-").lower() == "optuna":
            yield _OptunaDistribution()

    def invalidate_caches(self) -> None:
        pass


def installed_finder() -> OptunaAliasFinder | None:
    """Return the finder if ``install_as_optuna()`` has run in this interpreter."""
    for finder in sys.meta_path:
        if isinstance(finder, OptunaAliasFinder):
            return finder
    return None
