"""``DaskStorage``: Optuna's official Dask example on a real ``LocalCluster`` of processes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import trimtab
from trimtab.integration.dask import DaskStorage
from trimtab.trial import TrialState

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    src = str(Path(trimtab.__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [src, *filter(None, [os.environ.get("PYTHONPATH")])]
    )  # worker processes import this trimtab
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as dask_client:  # fmt: skip
        yield dask_client


def test_optunas_dask_example_shares_one_study_across_worker_processes(client: Any) -> None:
    def objective(trial: trimtab.Trial) -> float:
        x = trial.suggest_float("x", -10, 10)
        trial.set_user_attr("pid", os.getpid())
        return (x - 2) ** 2

    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    study = trimtab.create_study(storage=DaskStorage())
    futures = [client.submit(study.optimize, objective, n_trials=7, pure=False) for _ in range(4)]
    distributed.wait(futures)
    for future in futures:
        future.result()  # re-raises a worker's error, if any

    trials = study.trials
    assert len(trials) == 28
    assert sorted(t.number for t in trials) == list(range(28))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    pids = {t.user_attrs["pid"] for t in trials}
    assert len(pids) == 2 and os.getpid() not in pids
    assert study.best_value == min(t.value for t in trials)
    assert -10 <= study.best_params["x"] <= 10


def test_handles_with_one_name_share_the_storage_and_errors_come_back(client: Any) -> None:
    first = DaskStorage(name="shared-by-name", client=client)
    study = trimtab.create_study(storage=first, study_name="s", direction="maximize")
    study.optimize(lambda t: t.suggest_int("k", 0, 3), n_trials=3)

    second = DaskStorage(name="shared-by-name", client=client)  # registers nothing new
    again = trimtab.load_study(study_name="s", storage=second)
    assert [t.params for t in again.trials] == [t.params for t in study.trials]
    assert again.direction.name == "MAXIMIZE"

    copy = first.get_base_storage()
    assert type(copy).__name__ == "InMemoryStorage"
    assert len(copy.get_all_trials(copy.get_study_id_from_name("s"))) == 3

    with pytest.raises(KeyError):
        trimtab.load_study(study_name="no-such-study", storage=second)
    with pytest.raises(trimtab.exceptions.DuplicatedStudyError):
        trimtab.create_study(storage=second, study_name="s")


def test_a_storage_url_is_opened_on_the_scheduler(client: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/dask.db"
    study = trimtab.create_study(storage=DaskStorage(url, client=client), study_name="on-disk")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    on_disk = trimtab.load_study(study_name="on-disk", storage=url)
    assert [t.state for t in on_disk.trials] == [TrialState.COMPLETE] * 2


def test_bad_arguments_are_refused(client: Any) -> None:
    with pytest.raises(TypeError, match="storage"):
        DaskStorage(storage=3, client=client)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name"):
        DaskStorage(name="", client=client)
