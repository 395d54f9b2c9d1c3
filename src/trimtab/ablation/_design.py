"""The balanced ablation design: variants of a base configuration, each run with the same seeds.

A *factor* changes one or more parameters of the base configuration. The design holds the
base, one variant per factor and, optionally, one per pair of factors that change different
parameters. Every variant is enqueued ``n_repeats`` times with the seeds ``seed``,
``seed + 1``, …, the same seeds for every variant, so that variant and base see the same
randomness (a paired comparison). Each enqueued trial carries three user attributes:
``ablation:design`` (the design's name), ``ablation:variant`` (the variant's label) and
``ablation:seed``; the design itself is kept in the study's system attributes so that the
report can be computed later, from another process.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trimtab._study_view import view_of
from trimtab.trial import TrialState, create_trial
from trimtab.trial._trial import FIXED_PARAMS_KEY

if TYPE_CHECKING:
    from trimtab.study import Study
    from trimtab.trial import FrozenTrial, Trial

DESIGN_KEY = "ablation:design"
VARIANT_KEY = "ablation:variant"
SEED_KEY = "ablation:seed"
BATCH_KEY = "ablation:batch"
DUPLICATE_KEY = "ablation:duplicate_of"
BASE_LABEL = "base"
_STUDY_ATTR_PREFIX = "ablation:design:"


@dataclass(frozen=True)
class Factor:
    """One change to the base configuration.

    Args:
        changes: The parameters this factor sets, ``{name: value}`` (several when they only
            make sense together, such as an optimizer and its momentum).
        label: How reports name the factor; default ``name=value`` joined by commas.
    """

    changes: Mapping[str, Any]
    label: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.changes, Mapping) or not self.changes:
            raise ValueError(f"`changes` must be a non-empty dict, got {self.changes!r}.")
        for name in self.changes:
            if not isinstance(name, str):
                raise TypeError(f"Parameter names must be str, got {name!r} in {self.changes!r}.")
        _check_json(dict(self.changes), "Factor changes")
        if self.label is not None and (not isinstance(self.label, str) or not self.label):
            raise ValueError(f"`label` must be a non-empty str, got {self.label!r}.")

    @property
    def name(self) -> str:
        """The label, or ``name=value`` of each change."""
        if self.label is not None:
            return self.label
        return ",".join(f"{k}={v}" for k, v in self.changes.items())


@dataclass(frozen=True)
class Variant:
    """One configuration of the design: the base with some factors applied."""

    label: str
    params: dict[str, Any]
    factors: tuple[str, ...]


@dataclass(frozen=True)
class AblationDesign:
    """A base configuration, the factors to switch, and how often to run each variant.

    Args:
        base: The configuration every variant starts from.
        factors: The changes to test, one variant each.
        n_repeats: Runs of each variant (with the seeds ``seed`` … ``seed + n_repeats - 1``).
        pairs: Also run every pair of factors that change different parameters.
        name: Names the design in the study (several designs may share a study).
        seed: The first seed.
    """

    base: dict[str, Any]
    factors: tuple[Factor, ...]
    n_repeats: int = 3
    pairs: bool = False
    name: str = "ablation"
    seed: int = 0
    variants: tuple[Variant, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.base, dict) or not all(isinstance(k, str) for k in self.base):
            raise TypeError(f"`base` must be a dict of parameter values, got {self.base!r}.")
        _check_json(self.base, "The base configuration")
        if isinstance(self.n_repeats, bool) or not isinstance(self.n_repeats, int):
            raise TypeError(f"`n_repeats` must be an int, got {self.n_repeats!r}.")
        if self.n_repeats < 1:
            raise ValueError(f"`n_repeats` must be at least 1, got {self.n_repeats}.")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise TypeError(f"`seed` must be an int, got {self.seed!r}.")
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"`name` must be a non-empty str, got {self.name!r}.")
        if not self.factors:
            raise ValueError("`factors` is empty: give at least one parameter to switch.")
        object.__setattr__(self, "variants", tuple(self._build_variants()))

    def _build_variants(self) -> list[Variant]:
        variants = [Variant(BASE_LABEL, dict(self.base), ())]
        for factor in self.factors:
            if all(
                name in self.base and self.base[name] == v for name, v in factor.changes.items()
            ):
                raise ValueError(
                    f"Factor '{factor.name}' does not change the base configuration {self.base}."
                )
            variants.append(Variant(factor.name, {**self.base, **factor.changes}, (factor.name,)))
        if self.pairs:
            for one, two in itertools.combinations(self.factors, 2):
                if set(one.changes) & set(two.changes):
                    continue  # both set the same parameter: no combined variant
                params = {**self.base, **one.changes, **two.changes}
                variants.append(Variant(f"{one.name} + {two.name}", params, (one.name, two.name)))
        labels = [v.label for v in variants]
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise ValueError(f"Two factors have the same label {repeated}; give each a `label`.")
        return variants

    @property
    def seeds(self) -> list[int]:
        """The seeds every variant runs with."""
        return [self.seed + i for i in range(self.n_repeats)]

    def to_json(self) -> dict[str, Any]:
        """The design as the JSON object kept in the study."""
        return {
            "base": self.base,
            "factors": [[dict(f.changes), f.label] for f in self.factors],
            "n_repeats": self.n_repeats,
            "pairs": self.pairs,
            "name": self.name,
            "seed": self.seed,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AblationDesign:
        """The design :meth:`to_json` wrote."""
        factors = tuple(Factor(changes, label) for changes, label in data["factors"])
        return cls(
            data["base"], factors, data["n_repeats"], data["pairs"], data["name"], data["seed"]
        )


def _check_json(value: Any, what: str) -> None:
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{what} must be JSON-serializable: {err}") from None
    if json.loads(text) != value:
        raise TypeError(f"{what} does not survive a JSON round trip (tuples, non-str keys?).")


def _as_factors(factors: Any) -> tuple[Factor, ...]:
    if isinstance(factors, Mapping):
        return tuple(Factor({name: value}) for name, value in factors.items())
    if isinstance(factors, (str, bytes)) or not isinstance(factors, Sequence):
        raise TypeError(
            "`factors` must be a dict {param: value} or a list of Factor / (param, value), "
            f"got {type(factors).__name__}."
        )
    result = []
    for item in factors:
        if isinstance(item, Factor):
            result.append(item)
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            result.append(Factor({item[0]: item[1]}))
        else:
            raise TypeError(f"Not a factor: {item!r} (expected Factor or (param, value)).")
    return tuple(result)


def reference_trial(study: Study) -> FrozenTrial:
    """The best completed trial that is not part of an ablation design.

    Raises:
        ValueError: the study has several objectives, or no such trial.
    """
    if len(study.directions) > 1:
        raise ValueError(
            "The best trial of a multi-objective study is not defined: pass `base` explicitly."
        )
    trials = [
        t
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if DESIGN_KEY not in t.user_attrs
    ]
    if not trials:
        raise ValueError(
            f"Study '{study.study_name}' has no completed trial (outside ablation designs) to "
            "take the base configuration from: pass `base` explicitly."
        )
    pick = min if study.direction.name == "MINIMIZE" else max
    return pick(trials, key=lambda t: float(t.value))  # type: ignore[arg-type]


def enqueue_ablation(
    study: Study,
    factors: Mapping[str, Any] | Sequence[Factor | tuple[str, Any]],
    *,
    base: Mapping[str, Any] | None = None,
    n_repeats: int = 3,
    pairs: bool = False,
    name: str = "ablation",
    seed: int = 0,
    seed_param: str | None = None,
) -> AblationDesign:
    """Enqueue a balanced ablation design into ``study`` and return it.

    Every variant (the base, each factor, each pair when ``pairs``) is enqueued ``n_repeats``
    times, once per seed. The objective reads the seed with :func:`trial_seed` (or, with
    ``seed_param``, as a parameter). Run the trials with :func:`run_ablation`, ``optimize``
    or any executor, then look at :func:`ablation_effects`.

    Enqueuing a design again under the same ``name`` does nothing when it is the same
    design (so a restarted script can call this unconditionally).

    Args:
        study: Where the trials go (to ablate another study's best trial into a new study,
            pass ``base=old_study.best_params``).
        factors: ``{param: alternative value}``, or a list of :class:`Factor`
            (a factor may change several parameters) or ``(param, value)`` tuples.
        base: The base configuration; default: the base of the design already enqueued
            under ``name``, else the parameters of the study's best trial (among those
            that are not part of an ablation design).
        n_repeats: Runs per variant.
        pairs: Also run each pair of factors together (interactions).
        name: The design's name in the study.
        seed: The first seed; the variants run with ``seed`` … ``seed + n_repeats - 1``.
        seed_param: Also pass the seed as this fixed parameter (the objective calls
            ``trial.suggest_int(seed_param, 0, 2**31 - 1)``), for programs that only see
            parameters, such as those of ``trimtab run``.

    Returns:
        The design.

    Raises:
        ValueError: an empty or no-op factor, no completed trial and no ``base``, a
            different design already enqueued under ``name``, or bad ``n_repeats``.
        TypeError: factors or values of the wrong type (values must be JSON-serializable).
    """
    stored = load_design(study, name, missing_ok=True)
    if base is not None:
        base_params = dict(base)
    elif stored is not None:  # a restarted or second worker: the same base as the first
        base_params = stored.base
    else:
        base_params = dict(reference_trial(study).params)
    design = AblationDesign(base_params, _as_factors(factors), n_repeats, pairs, name, seed)
    if seed_param is not None:
        if not isinstance(seed_param, str) or not seed_param:
            raise ValueError(f"`seed_param` must be a non-empty str, got {seed_param!r}.")
        if any(seed_param in v.params for v in design.variants):
            raise ValueError(f"`seed_param` '{seed_param}' is already a parameter of the design.")
    if stored is not None:
        if stored.to_json() != design.to_json():
            raise ValueError(
                f"Study '{study.study_name}' already holds a different ablation design named "
                f"'{name}'; pick another `name`."
            )
        return stored
    key = _STUDY_ATTR_PREFIX + name
    study.storage.set_study_system_attr(study.study_id, key, design.to_json())
    batch = uuid.uuid4().hex
    trials = []
    for seed_value in design.seeds:
        for variant in design.variants:
            params = dict(variant.params)
            if seed_param is not None:
                params[seed_param] = seed_value
            attrs = {DESIGN_KEY: name, VARIANT_KEY: variant.label, SEED_KEY: seed_value}
            trials.append(
                create_trial(
                    state=TrialState.WAITING,
                    system_attrs={FIXED_PARAMS_KEY: params, BATCH_KEY: batch},
                    user_attrs=attrs,
                )
            )
    study.add_trials(trials)  # one batch: all or none
    _withdraw_if_duplicate(study, name, batch)
    return design


def winning_batch(trials: Sequence[FrozenTrial]) -> str | None:
    """Of the batches that enqueued a design, the first one (by trial number).

    Two processes that enqueue the same design at the same moment both write it; the batch
    whose first trial has the lowest number is the design, the other is withdrawn.
    """
    first: dict[str, int] = {}
    for trial in trials:
        batch = trial.system_attrs.get(BATCH_KEY)
        if batch is not None:
            first[batch] = min(first.get(batch, trial.number), trial.number)
    return min(first, key=first.__getitem__) if first else None


def _withdraw_if_duplicate(study: Study, name: str, batch: str) -> None:
    """Fail this batch's trials if another process enqueued the same design first."""
    trials = design_trials(study, name)
    winner = winning_batch(trials)
    if winner == batch:
        return
    storage = study.storage
    for trial in trials:
        if trial.system_attrs.get(BATCH_KEY) != batch or trial.state != TrialState.WAITING:
            continue
        if storage.set_trial_state_values(trial._trial_id, state=TrialState.RUNNING):
            storage.set_trial_system_attr(trial._trial_id, DUPLICATE_KEY, winner)
            storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)


def load_design(study: Study, name: str = "ablation", missing_ok: bool = False) -> Any:
    """The design enqueued into ``study`` under ``name``.

    Args:
        study: The study.
        name: The design's name.
        missing_ok: Return None instead of raising when there is no such design.

    Returns:
        The :class:`AblationDesign` (or None).

    Raises:
        KeyError: no design of that name (the message lists those that exist).
    """
    attrs = view_of(study).system_attrs()
    data = attrs.get(_STUDY_ATTR_PREFIX + name)
    if data is None:
        if missing_ok:
            return None
        names = design_names(study)
        raise KeyError(
            f"Study '{study.study_name}' has no ablation design named '{name}' "
            f"(designs: {names or 'none'})."
        )
    return AblationDesign.from_json(data)


def design_names(study: Study) -> list[str]:
    """The names of the ablation designs enqueued into ``study``."""
    attrs = view_of(study).system_attrs()
    return sorted(k[len(_STUDY_ATTR_PREFIX) :] for k in attrs if k.startswith(_STUDY_ATTR_PREFIX))


def trial_seed(trial: Trial | FrozenTrial, default: int | None = None) -> int:
    """The seed an ablation trial should run with (``default`` for other trials).

    Args:
        trial: The trial the objective received.
        default: Returned for a trial that is not part of an ablation design.

    Returns:
        The seed.

    Raises:
        ValueError: the trial is not an ablation trial and there is no ``default``.
    """
    seed = trial.user_attrs.get(SEED_KEY, default)
    if seed is None:
        raise ValueError(
            f"Trial {trial.number} is not part of an ablation design (no '{SEED_KEY}' user "
            "attribute); pass `default` to run it anyway."
        )
    return int(seed)


def design_trials(
    study: Study, name: str, states: tuple[TrialState, ...] | None = None
) -> list[FrozenTrial]:
    """The trials of design ``name`` (in ``states``, default all)."""
    trials = study.get_trials(deepcopy=False, states=states)
    return [t for t in trials if t.user_attrs.get(DESIGN_KEY) == name]
