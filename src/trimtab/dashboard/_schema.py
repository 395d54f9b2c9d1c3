"""The dashboard API's data model: the one source of its JSON shapes.

Every response and request body is a dataclass here. Handlers build responses from these
classes, request bodies are parsed and validated against them, and ``/api/schema.json`` (an
OpenAPI document) is generated from them by ``_jsonschema``; the front-end reads that
document instead of a hand-written copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trimtab.dashboard._ablation_schema import MODELS as ablation_models


@dataclass
class Error:
    """An error answer (4xx/5xx)."""

    error: str


@dataclass
class Meta:
    """Server facts the front-end needs before anything else."""

    version: str
    read_only: bool
    token_required: bool
    plotly_available: bool
    charts: list[str]


@dataclass
class StudySummary:
    """One row of the study list (``loading``: trials still being read; counts null)."""

    study_id: int
    study_name: str
    directions: list[str]
    loading: bool
    n_trials: int | None
    state_counts: dict[str, int] | None
    best_values: list[float] | None
    datetime_start: str | None
    last_activity: str | None


@dataclass
class StudyList:
    """The study list."""

    studies: list[StudySummary]


@dataclass
class ParamColumn:
    """A parameter seen in a study, with the union of its distributions' ranges."""

    name: str
    kind: str
    low: float | None
    high: float | None
    log: bool
    choices: list[Any] | None


@dataclass
class Note:
    """A Markdown note with its version (optimistic concurrency) and safe HTML rendering."""

    version: int
    body: str
    html: str


@dataclass
class StudyDetail:
    """A study's description: everything the study page shows except trials and charts."""

    study_id: int
    study_name: str
    directions: list[str]
    objective_names: list[str]
    user_attrs: dict[str, Any]
    n_trials: int
    state_counts: dict[str, int]
    best_trial_numbers: list[int]
    best_values: list[float] | None
    params: list[ParamColumn]
    user_attr_keys: list[str]
    has_intermediate_values: bool
    cursor: int
    note: Note
    form_widgets: dict[str, Any] | None = None
    preferential: bool = False


@dataclass
class TrialRow:
    """A trial as a table row."""

    number: int
    trial_id: int
    state: str
    values: list[float | None] | None
    params: dict[str, Any]
    user_attrs: dict[str, Any]
    datetime_start: str | None
    datetime_complete: str | None
    duration: float | None


@dataclass
class TrialPage:
    """A page of the (filtered, sorted) trial table."""

    total: int
    n_trials: int
    offset: int
    limit: int
    cursor: int
    columns: list[str]
    rows: list[TrialRow]


@dataclass
class TrialDetail:
    """Everything about one trial."""

    row: TrialRow
    distributions: dict[str, str]
    intermediate_values: list[list[float | None]]
    constraints: list[float] | None
    feasible: bool | None
    system_attrs: dict[str, Any] | None
    note: Note


@dataclass
class ArtifactInfo:
    """One artifact of a study or trial (its metadata; the body is at ``url``).

    ``preview`` says how the page may show it: ``image``, ``text``, ``csv``, or null (download
    only).
    """

    artifact_id: str
    filename: str
    mimetype: str
    encoding: str | None
    preview: str | None
    url: str


@dataclass
class ArtifactList:
    """The artifacts of a study or trial; bodies are served only with an artifact store."""

    store_configured: bool
    artifacts: list[ArtifactInfo]


@dataclass
class Updates:
    """What changed since the client's cursor: the live-update poll answer."""

    cursor: int
    n_trials: int
    state_counts: dict[str, int]
    best_values: list[float] | None
    changed: list[TrialRow]
    params: list[ParamColumn]
    user_attr_keys: list[str]


@dataclass
class ChartData:
    """The data of one chart, as computed by ``trimtab.visualization``'s data functions."""

    kind: str
    cursor: int
    data: Any
    extra: dict[str, Any]


@dataclass
class UserFigure:
    """A Plotly figure saved with ``save_plotly_graph_object`` (``{data, layout}``)."""

    graph_object_id: str
    figure: Any


@dataclass
class UserFigures:
    """The user-defined figures of a study."""

    figures: list[UserFigure]


@dataclass
class Candidate:
    """A candidate of a preferential study's compare page."""

    row: TrialRow
    note_html: str


@dataclass
class PreferenceAnswer:
    """One answer: ``[better, worse]`` trial-number pairs."""

    answer_id: str
    pairs: list[list[int]]


@dataclass
class PreferencePage:
    """A preferential study's candidates and answers."""

    n_generate: int
    component: dict[str, Any]
    candidates: list[Candidate]
    answers: list[PreferenceAnswer]


@dataclass
class Done:
    """A mutation's success answer."""

    ok: bool
    study_id: int | None = None
    trial_number: int | None = None


# Request bodies.


@dataclass
class Filter:
    """A table filter: ``column op value`` (ops: ==, !=, <, <=, >, >=, contains, in)."""

    column: str
    op: str
    value: Any


@dataclass
class CreateStudy:
    """Body of ``POST /api/studies``."""

    study_name: str
    directions: list[str] = field(default_factory=lambda: ["minimize"])


@dataclass
class RenameStudy:
    """Body of ``POST /api/studies/{study_id}/rename``."""

    study_name: str


@dataclass
class SaveNote:
    """Body of the note PUTs: ``version`` must be the stored version plus one."""

    version: int
    body: str


@dataclass
class TellTrial:
    """Body of ``POST /api/studies/{study_id}/trials/{number}/tell``."""

    state: str
    values: list[float] | None = None


@dataclass
class SaveUserAttrs:
    """Body of ``POST /api/studies/{study_id}/trials/{number}/user-attrs`` (form answers)."""

    user_attrs: dict[str, Any]


@dataclass
class ReportPreference:
    """Body of ``POST /api/studies/{study_id}/preferences``: the worst of the candidates."""

    candidates: list[int]
    worst: int


@dataclass
class EnqueueTrial:
    """Body of ``POST /api/studies/{study_id}/enqueue``."""

    params: dict[str, Any]
    user_attrs: dict[str, Any] | None = None


MODELS: tuple[type, ...] = (
    Error,
    Meta,
    StudySummary,
    StudyList,
    ParamColumn,
    Note,
    StudyDetail,
    TrialRow,
    TrialPage,
    TrialDetail,
    Updates,
    ChartData,
    Done,
    Filter,
    CreateStudy,
    RenameStudy,
    SaveNote,
    TellTrial,
    EnqueueTrial,
    SaveUserAttrs,
    UserFigure,
    UserFigures,
    Candidate,
    PreferenceAnswer,
    PreferencePage,
    ReportPreference,
    ArtifactInfo,
    ArtifactList,
    *ablation_models,
)
