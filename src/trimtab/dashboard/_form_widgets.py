"""Human-in-the-loop forms: widgets a person fills in the dashboard for each RUNNING trial.

``register_objective_form_widgets`` makes the answers the trial's objective values (one
widget per objective; submitting tells the trial COMPLETE); ``register_user_attr_form_widgets``
stores them as the trial's user attributes. The widgets are kept in the study's system
attributes under optuna-dashboard's key and format (``dashboard:form_widgets:v2``), so either
dashboard shows the other's forms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Union

from trimtab import _warnings
from trimtab.study import Study

FORM_WIDGETS_KEY = "dashboard:form_widgets:v2"


def _check_number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number, got {value!r}.")
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}.")
    return float(value)


@dataclass
class ChoiceWidget:
    """Buttons, one per choice; picking one gives its value.

    Args:
        choices: The labels shown.
        values: The value of each choice (same length as ``choices``).
        description: A text shown above the buttons.
        user_attr_key: The user attribute the value is stored in (user-attr forms only).
    """

    choices: list[str]
    values: list[float]
    description: str | None = None
    user_attr_key: str | None = None

    def __post_init__(self) -> None:
        if not self.choices or len(self.choices) != len(self.values):
            raise ValueError("ChoiceWidget needs as many values as choices, at least one.")
        if not all(isinstance(c, str) for c in self.choices):
            raise TypeError("ChoiceWidget choices must be strings.")
        for i, value in enumerate(self.values):
            _check_number(value, f"ChoiceWidget values[{i}]")

    def to_dict(self) -> dict[str, Any]:
        """Return the widget in optuna-dashboard's JSON format."""
        return {
            "type": "choice",
            "description": self.description,
            "choices": list(self.choices),
            "values": list(self.values),
            "user_attr_key": self.user_attr_key,
        }


@dataclass
class SliderWidget:
    """A slider from ``min`` to ``max`` (in steps of ``step``, with optional tick labels).

    Args:
        min: The lowest value.
        max: The highest value.
        step: The step between values (None: continuous).
        labels: ``(value, label)`` pairs shown under the slider.
        description: A text shown above the slider.
        user_attr_key: The user attribute the value is stored in (user-attr forms only).
    """

    min: float
    max: float
    step: float | None = None
    labels: list[tuple[float, str]] | None = None
    description: str | None = None
    user_attr_key: str | None = None

    def __post_init__(self) -> None:
        low = _check_number(self.min, "SliderWidget min")
        high = _check_number(self.max, "SliderWidget max")
        if low >= high:
            raise ValueError(f"SliderWidget min ({low}) must be below max ({high}).")
        if self.step is not None and _check_number(self.step, "SliderWidget step") <= 0:
            raise ValueError(f"SliderWidget step must be positive, got {self.step}.")

    def to_dict(self) -> dict[str, Any]:
        """Return the widget in optuna-dashboard's JSON format."""
        labels = None
        if self.labels is not None:
            labels = [{"value": value, "label": label} for value, label in self.labels]
        return {
            "type": "slider",
            "description": self.description,
            "min": self.min,
            "max": self.max,
            "step": self.step,
            "labels": labels,
            "user_attr_key": self.user_attr_key,
        }


@dataclass
class TextInputWidget:
    """A text field (a number when it answers an objective).

    Args:
        description: A text shown above the field.
        user_attr_key: The user attribute the text is stored in (user-attr forms only).
        optional: Whether an empty answer is accepted (user-attr forms only).
    """

    description: str | None = None
    user_attr_key: str | None = None
    optional: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the widget in optuna-dashboard's JSON format."""
        return {
            "type": "text",
            "description": self.description,
            "user_attr_key": self.user_attr_key,
            "optional": self.optional,
        }


@dataclass
class ObjectiveUserAttrRef:
    """An objective value taken from the trial's user attribute ``key`` (set by the script).

    Args:
        key: The user attribute holding the value.
    """

    key: str

    def to_dict(self) -> dict[str, Any]:
        """Return the widget in optuna-dashboard's JSON format."""
        return {"type": "user_attr", "key": self.key}


FormWidget = Union[ChoiceWidget, SliderWidget, TextInputWidget, ObjectiveUserAttrRef]
# optuna-dashboard's older names.
ObjectiveChoiceWidget = ChoiceWidget
ObjectiveSliderWidget = SliderWidget
ObjectiveTextInputWidget = TextInputWidget


def _store(study: Study, output_type: str, widgets: list[dict[str, Any]]) -> None:
    value = {"output_type": output_type, "widgets": widgets}
    study.storage.set_study_system_attr(study.study_id, FORM_WIDGETS_KEY, value)


def register_objective_form_widgets(study: Study, widgets: list[FormWidget]) -> None:
    """Show a form in the dashboard for each RUNNING trial whose answers are its objective
    values; submitting it tells the trial COMPLETE.

    Args:
        study: The study.
        widgets: One widget per objective.

    Raises:
        ValueError: not one widget per objective, or an optional text field.
        TypeError: something else than a widget.
    """
    if len(widgets) != len(study.directions):
        raise ValueError(
            f"widgets: {len(widgets)} given for {len(study.directions)} objective(s); "
            "give one per objective."
        )
    for widget in widgets:
        if not isinstance(widget, FormWidget):  # type: ignore[arg-type,misc]
            raise TypeError(f"widgets: {widget!r} is not a form widget.")
        if isinstance(widget, TextInputWidget) and widget.optional:
            raise ValueError("widgets: an objective cannot come from an optional text field.")
        if not isinstance(widget, ObjectiveUserAttrRef) and widget.user_attr_key is not None:
            _warnings.warn("user_attr_key is not used by objective form widgets.")
    _store(study, "objective", [w.to_dict() for w in widgets])


def register_user_attr_form_widgets(study: Study, widgets: list[FormWidget]) -> None:
    """Show a form in the dashboard for each RUNNING trial whose answers are stored as its
    user attributes (the trial stays RUNNING; the script reads them).

    Args:
        study: The study.
        widgets: Widgets, each with its own ``user_attr_key``.

    Raises:
        ValueError: an ``ObjectiveUserAttrRef``, a widget without ``user_attr_key``, or two
            widgets with the same key.
    """
    keys = []
    for widget in widgets:
        if isinstance(widget, ObjectiveUserAttrRef):
            raise ValueError("widgets: ObjectiveUserAttrRef only answers objectives.")
        if not isinstance(widget, (ChoiceWidget, SliderWidget, TextInputWidget)):
            raise TypeError(f"widgets: {widget!r} is not a form widget.")
        if not widget.user_attr_key:
            raise ValueError(f"widgets: {widget!r} needs a user_attr_key.")
        keys.append(widget.user_attr_key)
    if len(set(keys)) != len(keys):
        raise ValueError("widgets: each user_attr_key must be used once.")
    _store(study, "user_attr", [w.to_dict() for w in widgets])


def form_widgets(system_attrs: dict[str, Any]) -> dict[str, Any] | None:
    """Return the registered form (``{"output_type", "widgets"}``) of a study, or None."""
    form = system_attrs.get(FORM_WIDGETS_KEY)
    if isinstance(form, dict) and isinstance(form.get("widgets"), list):
        return form
    return None
