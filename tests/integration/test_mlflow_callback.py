"""MLflowCallback against a real MLflow file store in a temporary directory."""

from __future__ import annotations

import pathlib

import pytest

import trimtab
from trimtab.integration import MLflowCallback

mlflow = pytest.importorskip("mlflow")


def _client(uri: str) -> mlflow.tracking.MlflowClient:
    return mlflow.tracking.MlflowClient(tracking_uri=uri)


def _runs(uri: str, experiment: str) -> list:
    client = _client(uri)
    exp = client.get_experiment_by_name(experiment)
    assert exp is not None
    return sorted(client.search_runs([exp.experiment_id]), key=lambda r: int(r.data.tags["number"]))


@pytest.fixture
def uri(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # MLflow 3 keeps the file store behind this switch (it prefers a database backend).
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    return (tmp_path / "mlruns").as_uri()


def test_each_trial_becomes_a_run_with_params_metrics_and_tags(uri: str) -> None:
    study = trimtab.create_study(study_name="mlflow-single", direction="maximize")
    study.set_user_attr("team", "blue")

    def objective(trial: trimtab.Trial) -> float:
        x = trial.suggest_float("x", -1.0, 1.0)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        trial.set_user_attr("note", f"n{trial.number}")
        return x + (1.0 if kind == "a" else 0.0)

    callback = MLflowCallback(tracking_uri=uri, metric_name="f1", tag_study_user_attrs=True)
    study.optimize(objective, n_trials=3, callbacks=[callback])

    runs = _runs(uri, "mlflow-single")
    assert len(runs) == 3
    for run, trial in zip(runs, study.trials):
        assert run.info.run_name == str(trial.number)
        assert run.data.metrics == {"f1": pytest.approx(trial.value)}
        assert run.data.params == {"x": str(trial.params["x"]), "kind": trial.params["kind"]}
        assert run.data.tags["state"] == "COMPLETE"
        assert run.data.tags["direction"] == "MAXIMIZE"
        assert run.data.tags["note"] == f"n{trial.number}"
        assert run.data.tags["team"] == "blue"
        assert "FloatDistribution" in run.data.tags["x_distribution"]


def test_multi_objective_names_and_broadcast(uri: str) -> None:
    study = trimtab.create_study(study_name="mlflow-multi", directions=["minimize", "maximize"])
    study.optimize(
        lambda t: (t.suggest_float("x", 0, 1), 2.0),
        n_trials=2,
        callbacks=[MLflowCallback(tracking_uri=uri, metric_name=["loss", "acc"])],
    )
    for run in _runs(uri, "mlflow-multi"):
        assert set(run.data.metrics) == {"loss", "acc"}
        assert run.data.tags["direction"] == "['MINIMIZE', 'MAXIMIZE']"

    broadcast = trimtab.create_study(study_name="mlflow-broadcast", directions=["minimize"] * 2)
    broadcast.optimize(
        lambda t: (1.0, 2.0), n_trials=1, callbacks=[MLflowCallback(tracking_uri=uri)]
    )
    (run,) = _runs(uri, "mlflow-broadcast")
    assert run.data.metrics == {"value_0": 1.0, "value_1": 2.0}


def test_wrong_number_of_metric_names_records_nothing(uri: str) -> None:
    study = trimtab.create_study(study_name="mlflow-bad", directions=["minimize", "minimize"])
    callback = MLflowCallback(tracking_uri=uri, metric_name=["only-one"])
    with pytest.raises(ValueError, match="metric_name names 1 metric.*2 objective"):
        study.optimize(lambda t: (1.0, 2.0), n_trials=1, callbacks=[callback])
    assert _client(uri).get_experiment_by_name("mlflow-bad") is None


def test_metric_name_of_wrong_type() -> None:
    with pytest.raises(TypeError, match="metric_name"):
        MLflowCallback(metric_name=3)  # type: ignore[arg-type]


def test_track_in_mlflow_logs_into_the_trial_run(uri: str) -> None:
    callback = MLflowCallback(tracking_uri=uri)
    with pytest.warns(trimtab.exceptions.ExperimentalWarning):
        track = callback.track_in_mlflow()

    @track
    def objective(trial: trimtab.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        mlflow.log_metric("inner", 7.0)
        return x

    study = trimtab.create_study(study_name="mlflow-track")
    study.optimize(objective, n_trials=2, callbacks=[callback])
    runs = _runs(uri, "mlflow-track")
    assert len(runs) == 2
    for run in runs:
        assert run.data.metrics["inner"] == 7.0
        assert "value" in run.data.metrics
        assert "x" in run.data.params


def test_pruned_trials_are_runs_without_a_metric(uri: str) -> None:
    study = trimtab.create_study(study_name="mlflow-pruned")

    def objective(trial: trimtab.Trial) -> float:
        trial.suggest_int("n", 0, 3)
        raise trimtab.TrialPruned()

    study.optimize(objective, n_trials=1, callbacks=[MLflowCallback(tracking_uri=uri)])
    (run,) = _runs(uri, "mlflow-pruned")
    assert run.data.tags["state"] == "PRUNED"
    assert run.data.metrics == {}
