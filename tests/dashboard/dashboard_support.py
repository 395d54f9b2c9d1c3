"""Helpers of the dashboard tests: studies with trials, in-process API clients, fixtures."""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("starlette")
warnings.filterwarnings("ignore", message=".*httpx.*")

from starlette.testclient import TestClient  # noqa: E402

import trimtab  # noqa: E402
from trimtab.dashboard import create_app  # noqa: E402
from trimtab.distributions import (  # noqa: E402
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from trimtab.storages import BaseStorage, InMemoryStorage, get_storage  # noqa: E402
from trimtab.trial import TrialState, create_trial  # noqa: E402

WRITE = {"X-Trimtab-Dashboard": "1"}
HOSTILE = "<script>alert('x')</script> \"quoted\" & ünïcødé ✓"


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    trimtab.logging.set_verbosity(trimtab.logging.INFO)


@pytest.fixture(params=["inmemory", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Any) -> BaseStorage:
    if request.param == "inmemory":
        return InMemoryStorage()
    return get_storage(f"sqlite:///{tmp_path / 'dashboard.db'}")


def make_client(storage: BaseStorage, **kwargs: Any) -> TestClient:
    return TestClient(create_app(storage, **kwargs))


@pytest.fixture
def client_for() -> Callable[..., TestClient]:
    return make_client


def add_trials(storage: BaseStorage, study_id: int, n: int, start: int = 0) -> None:
    """Add ``n`` finished trials with params x (float), k (int), opt (categorical)."""
    base = datetime.datetime(2024, 1, 1)
    dists = {
        "x": FloatDistribution(-10, 10),
        "k": IntDistribution(1, 1000, log=True),
        "opt": CategoricalDistribution(["adam", "sgd", HOSTILE]),
    }
    for i in range(start, start + n):
        state = TrialState.PRUNED if i % 10 == 9 else TrialState.COMPLETE
        x = (i * 7919 % 2000) / 100 - 10
        trial = create_trial(
            state=state,
            value=x * x if state == TrialState.COMPLETE else None,
            params={"x": x, "k": 1 + i % 1000, "opt": ["adam", "sgd", HOSTILE][i % 3]},
            distributions=dists,
            user_attrs={"tag": f"t{i % 4}", "size": i % 5},
            intermediate_values={0: x * x + 1.0, 1: x * x},
        )
        trial.datetime_start = base + datetime.timedelta(seconds=i)
        trial.datetime_complete = base + datetime.timedelta(seconds=i + 1)
        storage.create_new_trial(study_id, template_trial=trial)


def make_study(storage: BaseStorage, name: str = "s", n: int = 30, directions: Any = None) -> Any:
    study = trimtab.create_study(
        storage=storage, study_name=name, directions=directions or ["minimize"]
    )
    if directions and len(directions) > 1:  # two objectives
        study.optimize(
            lambda t: (t.suggest_float("a", 0, 1), t.suggest_float("b", 0, 1) ** 2), n_trials=n
        )
    else:
        add_trials(storage, study._study_id, n)
    return study
