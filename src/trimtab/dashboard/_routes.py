"""The API's route table: method, path, handler, body and response types.

This table is the only place routes are declared; ``_app`` mounts it and ``_openapi``
describes it, so the served OpenAPI document always matches what the server does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trimtab.dashboard import _ablation_schema as ab
from trimtab.dashboard import _schema as s
from trimtab.dashboard.handlers import (
    _ablation,
    _actions,
    _artifacts,
    _charts,
    _figures,
    _forms,
    _meta,
    _notes,
    _preferences,
    _studies,
    _trials,
)

Handler = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Endpoint:
    """One API route."""

    method: str
    path: str
    handler: Handler
    response: type | None
    body: type | None = None
    query: tuple[str, ...] = ()
    upload_limit: int | None = None  # the body is raw bytes (a file) of at most this size

    @property
    def mutating(self) -> bool:
        """Whether the route changes the storage (refused in read-only mode)."""
        return self.method in ("POST", "PUT", "DELETE", "PATCH")

    @property
    def summary(self) -> str:
        """The handler's one-line description."""
        return (self.handler.__doc__ or "").strip().splitlines()[0]


STUDY = "/api/studies/{study_id:int}"
TRIAL = STUDY + "/trials/{number:int}"
TABLE_QUERY = ("offset", "limit", "sort", "desc", "filters")

ROUTES: tuple[Endpoint, ...] = (
    Endpoint("GET", "/api/meta", _meta.get_meta, s.Meta),
    Endpoint("GET", "/api/studies", _studies.list_studies, s.StudyList),
    Endpoint("POST", "/api/studies", _studies.create_study, s.Done, body=s.CreateStudy),
    Endpoint("GET", STUDY, _studies.get_study, s.StudyDetail),
    Endpoint("DELETE", STUDY, _studies.delete_study, s.Done),
    Endpoint("POST", STUDY + "/rename", _studies.rename_study, s.Done, body=s.RenameStudy),
    Endpoint("GET", STUDY + "/trials", _trials.trials_page, s.TrialPage, query=TABLE_QUERY),
    Endpoint("GET", STUDY + "/trials.csv", _trials.export_csv, None, query=TABLE_QUERY[2:]),
    Endpoint("GET", STUDY + "/updates", _trials.updates, s.Updates, query=("cursor",)),
    Endpoint("GET", TRIAL, _trials.trial_detail, s.TrialDetail, query=("system_attrs",)),
    Endpoint("GET", STUDY + "/note", _notes.get_note, s.Note),
    Endpoint("PUT", STUDY + "/note", _notes.put_note, s.Note, body=s.SaveNote),
    Endpoint("GET", TRIAL + "/note", _notes.get_note, s.Note),
    Endpoint("PUT", TRIAL + "/note", _notes.put_note, s.Note, body=s.SaveNote),
    Endpoint("GET", STUDY + "/artifacts", _artifacts.list_artifacts, s.ArtifactList),
    Endpoint("GET", TRIAL + "/artifacts", _artifacts.list_artifacts, s.ArtifactList),
    Endpoint("GET", STUDY + "/artifacts/{artifact_id:str}", _artifacts.artifact_body, None),
    Endpoint("GET", TRIAL + "/artifacts/{artifact_id:str}", _artifacts.artifact_body, None),
    *(
        Endpoint(
            "POST",
            owner + "/artifacts",
            _artifacts.upload,
            s.ArtifactInfo,
            query=("filename",),
            upload_limit=_artifacts.MAX_UPLOAD_BYTES,
        )
        for owner in (STUDY, TRIAL)
    ),
    Endpoint("DELETE", STUDY + "/artifacts/{artifact_id:str}", _artifacts.delete, s.Done),
    Endpoint("DELETE", TRIAL + "/artifacts/{artifact_id:str}", _artifacts.delete, s.Done),
    Endpoint("POST", TRIAL + "/tell", _actions.tell_trial, s.Done, body=s.TellTrial),
    Endpoint("POST", TRIAL + "/user-attrs", _forms.save_user_attrs, s.Done, body=s.SaveUserAttrs),
    Endpoint("POST", STUDY + "/enqueue", _actions.enqueue_trial, s.Done, body=s.EnqueueTrial),
    Endpoint("GET", STUDY + "/preferences", _preferences.preference_page, s.PreferencePage),
    Endpoint(
        "POST",
        STUDY + "/preferences",
        _preferences.report_preference,
        s.Done,
        body=s.ReportPreference,
    ),
    Endpoint("DELETE", STUDY + "/preferences/{answer_id:str}", _preferences.undo, s.Done),
    Endpoint("GET", STUDY + "/figures", _figures.list_figures, s.UserFigures),
    Endpoint("GET", STUDY + "/charts/{kind:str}", _charts.chart, s.ChartData, query=_charts.QUERY),
    Endpoint(
        "GET", STUDY + "/ablation", _ablation.ablations, ab.AblationList, query=_ablation.QUERY
    ),
)
