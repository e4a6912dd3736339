"""How many replicas of each deployment, with how many CPUs, on the Ray that `codeprism serve`
starts or joins.

Why: the packaged defaults (serve_apps/config.yaml) are for a cluster: two static analysis
replicas of one CPU each, half a CPU each for the ingress and the orchestrator. On a 2-core
laptop those ask for 3 CPUs: Serve places the static replicas first, the ingress is never
scheduled and HAProxy holds connections open without ever answering. So the laptop command
sizes the app from the CPUs Ray actually has: the ingress and the orchestrator wait on I/O
(a quarter CPU each is plenty), the LLM app takes what its placement group asks for, and the
static analyzers, the only CPU-bound part, get what is left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INGRESS_CPUS = 0.25
ORCHESTRATOR_CPUS = 0.25
MIN_STATIC_CPUS = 0.25  # below this a static replica would crawl: better to say so
MAX_STATIC_REPLICAS = 8


@dataclass(frozen=True, slots=True)
class ReplicaPlan:
    ingress_replicas: int
    ingress_cpus: float
    orchestrator_replicas: int
    orchestrator_cpus: float
    static_replicas: int
    static_cpus: float
    llm_cpus: float  # what the LLM app's placement groups take (0 without a model)

    def total_cpus(self) -> float:
        return (
            self.ingress_replicas * self.ingress_cpus
            + self.orchestrator_replicas * self.orchestrator_cpus
            + self.static_replicas * self.static_cpus
            + self.llm_cpus
        )

    def review_app_sizes(self) -> dict[str, float | int]:
        """The sizing fields of the review app's args (ReviewAppArgs)."""
        return {
            "ingress_replicas": self.ingress_replicas,
            "ingress_cpus": self.ingress_cpus,
            "orchestrator_replicas": self.orchestrator_replicas,
            "orchestrator_cpus": self.orchestrator_cpus,
            "static_replicas": self.static_replicas,
            "static_cpus": self.static_cpus,
        }

    def describe(self) -> str:
        return (
            f"ingress {self.ingress_replicas}x{self.ingress_cpus:g} CPU, "
            f"orchestrator {self.orchestrator_replicas}x{self.orchestrator_cpus:g} CPU, "
            f"static analysis {self.static_replicas}x{self.static_cpus:g} CPU"
            + (f", LLM {self.llm_cpus:g} CPU" if self.llm_cpus else "")
        )


class PlanError(ValueError):
    """The app cannot fit in the CPUs Ray has; the message says which flag helps."""


def plan_replicas(
    cpus: float, llm_cpus: float = 0.0, static_replicas: int | None = None
) -> ReplicaPlan:
    """Fit the review app (and the LLM app's `llm_cpus`) into `cpus` logical CPUs.

    The static replicas share what is left, at most one CPU each (an analysis runs one
    analyzer process at a time); `static_replicas` fixes their number instead.
    """
    fixed = INGRESS_CPUS + ORCHESTRATOR_CPUS + llm_cpus
    rest = cpus - fixed
    if static_replicas is None:
        static_replicas = max(1, min(MAX_STATIC_REPLICAS, math.floor(rest)))
    if static_replicas < 1:
        raise PlanError("--static-replicas must be at least 1")
    static_cpus = round(min(1.0, rest / static_replicas), 2) if rest > 0 else 0.0
    if static_cpus < MIN_STATIC_CPUS:
        need = fixed + static_replicas * MIN_STATIC_CPUS
        raise PlanError(
            f"Ray has {cpus:g} CPUs; the review app needs at least {need:g} "
            f"(ingress {INGRESS_CPUS:g}, orchestrator {ORCHESTRATOR_CPUS:g}"
            + (f", LLM {llm_cpus:g}" if llm_cpus else "")
            + f", {static_replicas} static analysis replica(s) of {MIN_STATIC_CPUS:g} or more): "
            f"start Ray with more logical CPUs (--num-cpus {math.ceil(need)})"
            + (" or use fewer static replicas (--static-replicas 1)" if static_replicas > 1 else "")
        )
    return ReplicaPlan(
        ingress_replicas=1,
        ingress_cpus=INGRESS_CPUS,
        orchestrator_replicas=1,
        orchestrator_cpus=ORCHESTRATOR_CPUS,
        static_replicas=static_replicas,
        static_cpus=static_cpus,
        llm_cpus=llm_cpus,
    )
