"""`codeprism serve` on the CPUs a laptop has: the replica plan, and the one-line reasons the
startup wait gives instead of hanging."""

from __future__ import annotations

import pytest

from serve_apps.local_ray import Waiting
from serve_apps.sizing import PlanError, ReplicaPlan, plan_replicas


def test_two_cpus_fit_every_deployment_with_room_to_spare() -> None:
    plan = plan_replicas(2.0)
    assert plan == ReplicaPlan(
        ingress_replicas=1,
        ingress_cpus=0.25,
        orchestrator_replicas=1,
        orchestrator_cpus=0.25,
        static_replicas=1,
        static_cpus=1.0,
        llm_cpus=0.0,
    )
    assert plan.total_cpus() == 1.5
    assert plan.describe() == (
        "ingress 1x0.25 CPU, orchestrator 1x0.25 CPU, static analysis 1x1 CPU"
    )


def test_static_replicas_take_what_is_left_at_most_one_cpu_each() -> None:
    assert (plan_replicas(8.0).static_replicas, plan_replicas(8.0).static_cpus) == (7, 1.0)
    assert plan_replicas(64.0).static_replicas == 8  # more would only queue on the orchestrator
    # with a model on a 4-CPU laptop: 4 - 0.5 - 2 = 1.5 left for one static replica
    with_llm = plan_replicas(4.0, llm_cpus=2.0)
    assert (with_llm.static_replicas, with_llm.static_cpus, with_llm.llm_cpus) == (1, 1.0, 2.0)
    assert with_llm.describe().endswith(", LLM 2 CPU")
    # a fixed number shares the rest
    shared = plan_replicas(2.0, static_replicas=3)
    assert (shared.static_replicas, shared.static_cpus) == (3, 0.5)
    assert shared.total_cpus() <= 2.0


def test_a_plan_that_cannot_fit_names_the_flag_that_helps() -> None:
    with pytest.raises(PlanError) as one_cpu_llm:
        plan_replicas(2.0, llm_cpus=2.0)
    assert str(one_cpu_llm.value) == (
        "Ray has 2 CPUs; the review app needs at least 2.75 (ingress 0.25, orchestrator 0.25, "
        "LLM 2, 1 static analysis replica(s) of 0.25 or more): start Ray with more logical "
        "CPUs (--num-cpus 3)"
    )
    with pytest.raises(PlanError, match=r"--num-cpus 3\) or use fewer static replicas"):
        plan_replicas(1.0, static_replicas=8)
    with pytest.raises(PlanError, match="--static-replicas must be at least 1"):
        plan_replicas(8.0, static_replicas=0)


def test_review_app_sizes_are_the_review_apps_own_fields() -> None:
    from serve_apps.review import ReviewAppArgs

    args = ReviewAppArgs(**plan_replicas(2.0).review_app_sizes())  # type: ignore[arg-type]
    assert (args.static_cpus, args.ingress_cpus, args.orchestrator_cpus) == (1.0, 0.25, 0.25)


# Serve's own words for a replica it cannot place (ray/serve/_private/deployment_state.py)
UNPLACED = (
    "Deployment 'StaticAnalysis' in application 'codeprism' has 2 replicas that have taken "
    "more than 10s to be scheduled. This may be due to waiting for the cluster to auto-scale "
    "or for a runtime environment to be installed. Resources required for each replica: "
    '{"CPU": 1.0}, total resources available: {"CPU": 0.0}. Use `ray status` for more details.'
)


def test_an_unplaceable_replica_is_explained_with_its_flag() -> None:
    waiting = Waiting("codeprism", "StaticAnalysis", "UPDATING", UNPLACED)
    assert waiting.unschedulable() is not None
    assert waiting.explain() == (
        "deployment StaticAnalysis (app codeprism) cannot be placed: each replica needs "
        '{"CPU": 1.0}, Ray has {"CPU": 0.0} free; use fewer static analysis replicas '
        "(--static-replicas 1) or more CPUs (--num-cpus N)"
    )
    llm = Waiting("llm", "LLMServer:tiny", "UPDATING", UNPLACED.replace("StaticAnalysis", "x"))
    assert llm.explain().endswith(
        "use more CPUs (--num-cpus N), or a GPU node (--device gpu) for the model"
    )


def test_a_replica_that_fits_is_only_slow_not_unplaceable() -> None:
    # Serve warns about every replica pending past the threshold, even one that asks for
    # nothing (an LLM front waiting on a busy machine) or for what Ray has free
    for required, available in (("{}", "{}"), ('{"CPU": 0.25}', '{"CPU": 0.5}'), ("x", "{}")):
        message = UNPLACED.replace('{"CPU": 1.0}', required, 1).replace('{"CPU": 0.0}', available)
        waiting = Waiting("llm", "OpenAiIngress", "UPDATING", message)
        assert waiting.unschedulable() is None, message
        assert (
            waiting.explain() == "deployment OpenAiIngress (app llm) is still starting (updating)"
        )


def test_a_failed_replica_is_explained_by_its_root_cause() -> None:
    traceback = (
        "The deployment failed to start 3 times in a row.\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 3, in __init__\n'
        "RuntimeError: Engine core initialization failed. See root cause above.\n"
        "ValueError: model directory /m has no config.json\n"
        "RuntimeError: Engine core initialization failed. See root cause above.\n"
    )
    failed = Waiting("llm", "LLMServer:m", "DEPLOY_FAILED", traceback)
    assert failed.explain() == (
        "deployment LLMServer:m (app llm) failed to start: "
        "ValueError: model directory /m has no config.json"
    )
    starting = Waiting("codeprism", "Ingress", "UPDATING", "")
    assert starting.unschedulable() is None
    assert starting.explain() == "deployment Ingress (app codeprism) is still starting (updating)"


def test_serve_statuses_read_as_their_values() -> None:
    from ray.serve._private.common import DeploymentStatus

    from serve_apps.local_ray import _status_name

    assert _status_name(DeploymentStatus.HEALTHY) == "HEALTHY"
    assert _status_name("UNHEALTHY") == "UNHEALTHY"
