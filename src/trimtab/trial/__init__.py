"""Trials: the live ``Trial``, the ``FrozenTrial`` record, ``FixedTrial`` and ``TrialState``."""

from trimtab.trial._base import BaseTrial
from trimtab.trial._fixed import FixedTrial
from trimtab.trial._frozen import FrozenTrial, create_trial
from trimtab.trial._state import TrialState
from trimtab.trial._trial import Trial

__all__ = ["BaseTrial", "FixedTrial", "FrozenTrial", "Trial", "TrialState", "create_trial"]
