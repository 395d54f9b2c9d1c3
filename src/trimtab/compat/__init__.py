"""Serve code that imports Optuna from trimtab: ``trimtab.install_as_optuna()``.

After ``install_as_optuna()``, ``import optuna`` and ``import optuna.<module>`` give trimtab's
modules, so libraries that call Optuna themselves (Hugging Face Transformers'
``hyperparameter_search``, Ray Tune's ``OptunaSearch``, ``optuna-integration``) run on trimtab.
The same happens without code changes when the environment variable ``TRIMTAB_AS_OPTUNA=1`` is
set: the ``trimtab_as_optuna.pth`` file installed with trimtab calls ``install_from_environment``
at interpreter start-up, before any tool imports Optuna.
"""

from trimtab.compat._finder import OPTUNA_API_VERSION
from trimtab.compat._install import (
    ENVIRONMENT_VARIABLE,
    install_as_optuna,
    install_from_environment,
)

__all__ = [
    "ENVIRONMENT_VARIABLE",
    "OPTUNA_API_VERSION",
    "install_as_optuna",
    "install_from_environment",
]
