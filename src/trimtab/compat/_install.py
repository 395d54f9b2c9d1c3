"""``install_as_optuna()`` and its start-up switch, ``TRIMTAB_AS_OPTUNA``."""

from __future__ import annotations

import os
import sys

from trimtab.compat._finder import OptunaAliasFinder, installed_finder

ENVIRONMENT_VARIABLE = "TRIMTAB_AS_OPTUNA"
"""Set to ``1`` to run ``install_as_optuna()`` at interpreter start-up."""

_TRUE_VALUES = ("1", "true", "yes", "on")


def install_as_optuna() -> None:
    """Make ``import optuna`` (and every ``optuna.*`` module) import trimtab instead.

    Compare ``pymysql.install_as_MySQLdb()``. ``sys.modules["optuna.samplers"]`` becomes
    ``trimtab.samplers`` itself, so objects created through either name are the same classes.
    ``optuna.__version__`` (and ``importlib.metadata.version("optuna")``) report
    ``OPTUNA_API_VERSION``, the Optuna release whose API trimtab serves. Calling it again does
    nothing.

    Raises:
        RuntimeError: the real Optuna is imported already; code holding its objects would mix
            them with trimtab's. Call this before anything imports ``optuna`` (or set
            ``TRIMTAB_AS_OPTUNA=1``).
    """
    if installed_finder() is not None:
        return
    loaded = sorted(name for name in sys.modules if name == "optuna" or name.startswith("optuna."))
    if loaded:
        origin = getattr(sys.modules.get("optuna"), "__file__", None) or "an unknown location"
        raise RuntimeError(
            "trimtab.install_as_optuna() must run before Optuna is imported, but the real "
            f"optuna is imported already (from {origin}; loaded: {', '.join(loaded[:5])}"
            f"{', ...' if len(loaded) > 5 else ''}). Call it at the very start of the program, "
            f"or set {ENVIRONMENT_VARIABLE}=1 in the environment."
        )
    sys.meta_path.insert(0, OptunaAliasFinder())


def install_from_environment() -> bool:
    """Run ``install_as_optuna()`` if ``TRIMTAB_AS_OPTUNA`` is set to a true value.

    Returns:
        Whether trimtab now serves ``import optuna``.
    """
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower()
    if value not in _TRUE_VALUES:
        return installed_finder() is not None
    install_as_optuna()
    return True
