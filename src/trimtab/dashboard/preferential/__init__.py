"""Preferential optimisation: a person compares candidates, a GP learns what they prefer.

``create_study(n_generate=...)`` returns a ``PreferentialStudy``; the script asks trials while
``should_generate()``, shows each (a note or an artifact), and the person picks the worse
candidates in the dashboard (or the script calls ``report_preference``). The default sampler,
``PreferentialGPSampler``, runs on trimtab's numpy GP (no PyTorch).
"""

from trimtab.dashboard.preferential._study import (
    PreferentialStudy,
    create_study,
    load_study,
    register_preference_feedback_component,
)
from trimtab.samplers._gp._preferential import PreferentialGPSampler

__all__ = [
    "PreferentialGPSampler",
    "PreferentialStudy",
    "create_study",
    "load_study",
    "register_preference_feedback_component",
]
