"""MLflow: record every trial as an MLflow run, then compare the runs with MLflow's API.

The study becomes the MLflow experiment "iris-svc"; each trial a run holding its params,
its cross-validated F1 score and tags (state, direction, distributions). Afterwards the runs
are ranked with ``MlflowClient.search_runs`` — what the MLflow UI (``mlflow ui``) shows.
Tracks to a local directory, ./mlruns (needs mlflow and scikit-learn).
"""

import os
import pathlib

from sklearn.datasets import load_iris
from sklearn.model_selection import cross_val_score
from sklearn.svm import SVC

import trimtab
from trimtab.integration.mlflow import MLflowCallback

# MLflow 3 prefers a database backend; this keeps its plain-directory store available.
os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
TRACKING_URI = pathlib.Path("mlruns").resolve().as_uri()
X, Y = load_iris(return_X_y=True)


def objective(trial: trimtab.Trial) -> float:
    model = SVC(
        C=trial.suggest_float("C", 1e-2, 1e2, log=True),
        gamma=trial.suggest_float("gamma", 1e-4, 1e0, log=True),
        kernel=trial.suggest_categorical("kernel", ["rbf", "sigmoid"]),
    )
    trial.set_user_attr("model", "SVC")  # becomes an MLflow tag
    return cross_val_score(model, X, Y, cv=3, scoring="f1_macro").mean()


if __name__ == "__main__":
    import mlflow

    study = trimtab.create_study(study_name="iris-svc", direction="maximize")
    callback = MLflowCallback(tracking_uri=TRACKING_URI, metric_name="f1")
    study.optimize(objective, n_trials=12, callbacks=[callback])

    # Compare the recorded runs as an MLflow user would: best F1 first.
    client = mlflow.tracking.MlflowClient(tracking_uri=TRACKING_URI)
    experiment = client.get_experiment_by_name("iris-svc")
    runs = client.search_runs([experiment.experiment_id], order_by=["metrics.f1 DESC"])
    print(f"{len(runs)} MLflow runs in experiment 'iris-svc' ({TRACKING_URI})")
    for run in runs[:3]:
        print(
            f"  run {run.info.run_name}: f1={run.data.metrics['f1']:.4f} "
            f"kernel={run.data.params['kernel']} C={float(run.data.params['C']):.3g}"
        )
    best_run = runs[0]
    assert best_run.data.metrics["f1"] == study.best_value
    print(f"Best trial {study.best_trial.number} is MLflow run {best_run.info.run_id}")
    print(f"Best value: {study.best_value:.4f}")
