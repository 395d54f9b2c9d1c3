"""Import a third-party library on first use, with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType


def import_or_explain(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or raise an ImportError telling how to install it.

    Args:
        module: The dotted module name to import (``"mlflow"``, ``"lightning.pytorch"``).
        extra: The trimtab extra that installs it (``pip install "trimtab[extra]"``).
        feature: What needs the module, for the message (``"MLflowCallback"``).

    Returns:
        The imported module.

    Raises:
        ImportError: The module cannot be imported; the message names the extra.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(
            f"{feature} needs the {module.split('.')[0]!r} package, which could not be "
            f'imported ({err}). Install it with: pip install "trimtab[{extra}]"'
        ) from err
