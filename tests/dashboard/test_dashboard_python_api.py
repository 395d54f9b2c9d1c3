"""The dashboard's Python API: HITL form widgets, notes and user figures, end to end through
the HTTP API, and readable by optuna-dashboard (same storage keys and formats)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dashboard_support import HOSTILE, WRITE, make_client

import trimtab
from trimtab.dashboard import (
    ChoiceWidget,
    ObjectiveUserAttrRef,
    SliderWidget,
    TextInputWidget,
    get_note,
    register_objective_form_widgets,
    register_user_attr_form_widgets,
    save_note,
    save_plotly_graph_object,
)
from trimtab.trial import TrialState


def _widgets() -> list[Any]:
    return [
        ChoiceWidget(choices=["Good", HOSTILE], values=[1, -1], description=HOSTILE),
        SliderWidget(min=1, max=10, step=1, labels=[(1, "bad"), (10, "good")]),
        TextInputWidget(description="a number"),
        ObjectiveUserAttrRef(key="score"),
    ]


def test_objective_form_is_served_and_its_answers_tell_the_trial(storage: Any) -> None:
    study = trimtab.create_study(storage=storage, directions=["maximize"] * 4)
    register_objective_form_widgets(study, _widgets())
    trial = study.ask()
    trial.set_user_attr("score", 0.5)
    client = make_client(storage)
    sid = study._study_id
    form = client.get(f"/api/studies/{sid}").json()["form_widgets"]
    assert form["output_type"] == "objective"
    assert [w["type"] for w in form["widgets"]] == ["choice", "slider", "text", "user_attr"]
    assert form["widgets"][0]["description"] == HOSTILE
    assert form["widgets"][1]["labels"] == [
        {"value": 1, "label": "bad"},
        {"value": 10, "label": "good"},
    ]
    # The page tells through the validated tell route: bad answers change nothing.
    url = f"/api/studies/{sid}/trials/{trial.number}/tell"
    bad = client.post(url, json={"state": "COMPLETE", "values": [1, 5, 2]}, headers=WRITE)
    assert bad.status_code == 400 and study.trials[0].state == TrialState.RUNNING
    ok = client.post(url, json={"state": "COMPLETE", "values": [-1, 5, 2.5, 0.5]}, headers=WRITE)
    assert ok.status_code == 200
    assert study.trials[0].values == [-1, 5, 2.5, 0.5]


def test_user_attr_form_answers_are_validated_and_stored(storage: Any) -> None:
    study = trimtab.create_study(storage=storage)
    register_user_attr_form_widgets(
        study,
        [
            ChoiceWidget(choices=["a", "b"], values=[0, 1], user_attr_key="pick"),
            SliderWidget(min=0, max=1, user_attr_key="level"),
            TextInputWidget(user_attr_key="comment", optional=True),
        ],
    )
    trial = study.ask()
    client = make_client(storage)
    url = f"/api/studies/{study._study_id}/trials/{trial.number}/user-attrs"
    good = {"pick": 1, "level": 0.25, "comment": HOSTILE}
    for bad in (
        {**good, "pick": 2},
        {**good, "level": 3},
        {**good, "other": 1},
        {"pick": 1, "level": 0.5},
        {**good, "comment": 5},
    ):
        response = client.post(url, json={"user_attrs": bad}, headers=WRITE)
        assert response.status_code == 400, bad
    assert study.trials[0].user_attrs == {}
    assert client.post(url, json={"user_attrs": good}, headers=WRITE).status_code == 200
    assert study.trials[0].user_attrs == good
    assert study.trials[0].state == TrialState.RUNNING  # the script finishes it
    study.tell(trial, 1.0)
    again = client.post(url, json={"user_attrs": good}, headers=WRITE)
    assert again.status_code == 400 and "not RUNNING" in again.json()["error"]


def test_widget_arguments_are_checked() -> None:
    study = trimtab.create_study(directions=["minimize", "minimize"])
    with pytest.raises(ValueError, match="one per objective"):
        register_objective_form_widgets(study, [SliderWidget(min=0, max=1)])
    with pytest.raises(ValueError, match="as many values as choices"):
        ChoiceWidget(choices=["a"], values=[1, 2])
    with pytest.raises(ValueError, match="finite"):
        ChoiceWidget(choices=["a"], values=[float("nan")])
    with pytest.raises(ValueError, match="below max"):
        SliderWidget(min=1, max=1)
    with pytest.raises(ValueError, match="user_attr_key"):
        register_user_attr_form_widgets(study, [SliderWidget(min=0, max=1)])
    with pytest.raises(ValueError, match="once"):
        register_user_attr_form_widgets(
            study,
            [SliderWidget(0, 1, user_attr_key="k"), TextInputWidget(user_attr_key="k")],
        )


def test_notes_from_python_show_in_the_page_and_keep_versions(storage: Any) -> None:
    study = trimtab.create_study(storage=storage)
    client = make_client(storage)
    sid = study._study_id
    save_note(study, "# From *Python*")
    assert get_note(study) == "# From *Python*"
    page = client.get(f"/api/studies/{sid}/note").json()
    assert page["version"] == 1 and "<h1>From <em>Python</em></h1>" in page["html"]
    edit = client.put(f"/api/studies/{sid}/note", json={"version": 2, "body": "x"}, headers=WRITE)
    assert edit.status_code == 200 and get_note(study) == "x"
    save_note(study, "y")  # version 3: an edit open in the page (version 2) now conflicts
    stale = client.put(f"/api/studies/{sid}/note", json={"version": 3, "body": "z"}, headers=WRITE)
    assert stale.status_code == 409

    def objective(trial: trimtab.Trial) -> float:
        save_note(trial, f"trial {trial.number} " + HOSTILE)
        assert get_note(trial).startswith(f"trial {trial.number}")
        return trial.suggest_float("x", 0, 1)

    study.optimize(objective, n_trials=2)
    note = client.get(f"/api/studies/{sid}/trials/1/note").json()
    assert note["body"] == "trial 1 " + HOSTILE and "<script>" not in note["html"]
    with pytest.raises(TypeError, match="Study or a Trial"):
        save_note("study", "x")  # type: ignore[arg-type]


def test_user_figures_are_served(storage: Any) -> None:
    go = pytest.importorskip("plotly.graph_objects")
    study = trimtab.create_study(storage=storage)
    long_x = list(range(2000))  # several 2045-character chunks
    figure = go.Figure(go.Scatter(x=long_x, y=long_x), layout={"title": {"text": HOSTILE}})
    first = save_plotly_graph_object(study, figure)
    save_plotly_graph_object(study, go.Figure(), graph_object_id="mine")
    save_plotly_graph_object(study, go.Figure(go.Bar(y=[1])), graph_object_id="mine")
    with pytest.raises(ValueError, match="graph_object_id"):
        save_plotly_graph_object(study, figure, graph_object_id="no spaces")
    answer = make_client(storage).get(f"/api/studies/{study._study_id}/figures").json()
    figures = {f["graph_object_id"]: f["figure"] for f in answer["figures"]}
    assert set(figures) == {first, "mine"}
    assert figures[first]["data"][0]["x"] == long_x
    assert figures[first]["layout"]["title"]["text"] == HOSTILE
    assert figures["mine"]["data"][0]["type"] == "bar"


def test_optuna_dashboard_reads_what_trimtab_wrote(storage: Any) -> None:
    pytest.importorskip("optuna_dashboard")
    go = pytest.importorskip("plotly.graph_objects")
    from optuna_dashboard._custom_plot_data import get_plotly_graph_objects
    from optuna_dashboard._form_widget import get_form_widgets_json
    from optuna_dashboard._note import get_note_from_system_attrs

    study = trimtab.create_study(storage=storage)
    register_objective_form_widgets(study, [ChoiceWidget(["a", "b"], [0, 1], "pick")])
    save_note(study, "é" * 5000)
    figure = go.Figure(go.Scatter(y=list(range(1000))))
    save_plotly_graph_object(study, figure, graph_object_id="fig")
    attrs = storage.get_study_system_attrs(study._study_id)
    assert get_form_widgets_json(attrs) == {
        "output_type": "objective",
        "widgets": [ChoiceWidget(["a", "b"], [0, 1], "pick").to_dict()],
    }
    assert get_note_from_system_attrs(attrs, None) == {"version": 1, "body": "é" * 5000}
    assert json.loads(get_plotly_graph_objects(attrs)["fig"]) == json.loads(figure.to_json())
