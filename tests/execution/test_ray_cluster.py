"""The Ray executor on a two-node cluster on this machine (``ray.cluster_utils.Cluster``):
per-trial custom resources place trials, and an existing ``ray.init(address=...)`` is used."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import cloudpickle
import pytest

import trimtab
from trimtab.execution import RayExecutor
from trimtab.trial import TrialState

from . import objectives

cloudpickle.register_pickle_by_value(objectives)

pytestmark = pytest.mark.slow
second_cluster: list[Any] = []  # the fixture's Cluster, for the node-kill test


@pytest.fixture(scope="module")
def two_nodes() -> Iterator[Any]:
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
    )
    second = cluster.add_node(num_cpus=1, resources={"accelerator": 1})
    cluster.wait_for_nodes()
    ray.init(address=cluster.address)
    second_cluster.append(cluster)
    try:
        yield ray, second
    finally:
        ray.shutdown()
        cluster.shutdown()


def test_existing_cluster_is_used_and_trials_spread_over_both_nodes(two_nodes: Any) -> None:
    ray, _ = two_nodes
    study = trimtab.create_study()
    study.optimize(objectives.on_ray_node, n_trials=8, n_jobs=2, executor=RayExecutor())
    assert all(t.state == TrialState.COMPLETE for t in study.trials) and len(study.trials) == 8
    assert len({t.user_attrs["node"] for t in study.trials}) == 2
    assert len(ray.nodes()) == 2  # no private cluster was started


def test_custom_resource_packs_trials_on_the_node_that_has_it(two_nodes: Any) -> None:
    _, second = two_nodes
    study = trimtab.create_study()
    study.optimize(
        objectives.on_ray_node,
        n_trials=6,
        n_jobs=3,
        executor=RayExecutor(num_cpus=0, resources={"accelerator": 1}),
    )
    trials = study.trials
    assert {t.user_attrs["node"] for t in trials} == {second.node_id}
    windows = sorted(t.user_attrs["window"] for t in trials)
    # One "accelerator" on the cluster: trials never overlap even though n_jobs=3.
    assert all(a[1] <= b[0] for a, b in zip(windows, windows[1:]))


def test_killed_node_fails_its_trial_which_is_retried_and_the_study_completes(
    two_nodes: Any, tmp_path: Any
) -> None:
    # Runs last: it removes the second node from the module's cluster.
    import threading
    import time

    from trimtab.execution import FAIL_REASON_KEY

    ray, second = two_nodes
    if ray.get_runtime_context().get_node_id() == second.node_id:
        # Ray's local test cluster runs both raylets on one address, and the driver may attach
        # to either: the node this test kills must not be the coordinator's own.
        pytest.skip("the driver attached to the node this test would kill")
    cluster = second_cluster[0]
    marker = tmp_path / "stalled"

    def kill_node_once_stalled() -> None:
        deadline = time.monotonic() + 120
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        cluster.remove_node(second, allow_graceful=False)

    killer = threading.Thread(target=kill_node_once_stalled)
    killer.start()
    study = trimtab.create_study()
    study.optimize(
        objectives.stall_once_on_node(second.node_id, str(marker)),
        n_trials=6,
        n_jobs=2,
        executor=RayExecutor(max_retries=1),
    )
    killer.join()
    trials = study.trials
    failed = [t for t in trials if t.state == TrialState.FAIL]
    assert len(failed) == 1 and failed[0].number == int(marker.read_text())
    assert "its Ray task failed" in failed[0].system_attrs[FAIL_REASON_KEY]
    retry = [t for t in trials if t.system_attrs.get("failed_trial") == failed[0].number]
    assert len(retry) == 1 and retry[0].state == TrialState.COMPLETE
    assert retry[0].params == failed[0].params
    assert len(trials) == 7 and sum(t.state == TrialState.COMPLETE for t in trials) == 6
