"""Installs ``trimtab_as_optuna.pth`` next to the package (the metadata is in pyproject.toml).

The .pth file lets ``TRIMTAB_AS_OPTUNA=1`` serve ``import optuna`` from trimtab in every
interpreter of the environment; a .pth file must sit at the top of site-packages, which
package data cannot reach, so the build copies it there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.editable_wheel import editable_wheel

PTH_FILE = Path("src", "trimtab_as_optuna.pth")


class BuildPyWithPth(build_py):
    """``build_py`` that also puts the .pth file at the top of the built tree."""

    def run(self) -> None:
        super().run()
        self.copy_file(str(PTH_FILE), str(Path(self.build_lib, PTH_FILE.name)), preserve_mode=0)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), str(Path(self.build_lib, PTH_FILE.name))]


class _StrategyWithPth:
    """Wraps an editable-install strategy so that the editable wheel holds the .pth file too."""

    def __init__(self, strategy: Any) -> None:
        self._strategy = strategy

    def __enter__(self) -> _StrategyWithPth:
        self._strategy.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._strategy.__exit__(*exc_info)

    def __call__(self, wheel: Any, files: list[str], mapping: dict[str, str]) -> None:
        self._strategy(wheel, files, mapping)
        wheel.writestr(PTH_FILE.name, PTH_FILE.read_bytes())


class EditableWheelWithPth(editable_wheel):
    """``pip install -e`` installs the .pth file as a regular install does."""

    def _select_strategy(self, *args: Any, **kwargs: Any) -> Any:
        return _StrategyWithPth(super()._select_strategy(*args, **kwargs))


setup(cmdclass={"build_py": BuildPyWithPth, "editable_wheel": EditableWheelWithPth})
