"""The LLM back end of the online path: `ray.serve.llm`'s OpenAI-compatible app.

    serve run serve_apps.llm:build_llm_app model=Qwen/Qwen2.5-Coder-7B-Instruct device=gpu
    serve deploy serve_apps/config.yaml        # the `llm` application there

Thin: the model spec goes through `codeprism.llm.config.load_model_config` (the same model
config as `codeprism review --model` and the batch path) and the `ray.serve.llm` config comes
from `codeprism.llm.engines.serve_llm_config`. `codeprism review --serve-url` and the review
orchestrator talk to the app through `ServeEngine` (`POST /v1/chat/completions` with a JSON
schema response format); clients ask for the model by `ModelConfig.name`.
"""

# No `from __future__ import annotations`: Serve validates a builder's `args` into the model
# its parameter is annotated with, which it must see as a class, not a string.
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from ray.serve import Application

from codeprism.llm.config import DEFAULT_MODEL, ModelConfig, load_model_config
from codeprism.llm.engines import ray_on_cpu, serve_llm_config, serve_replica_cpus

# The OpenAI front of the app only forwards requests to the model's replicas (Ray's own LLM
# router asks for no CPU either); Serve's default of one CPU left a 2-core machine without
# room for the review app.
LLM_INGRESS_CPUS = 0.0


class LLMAppArgs(BaseModel):
    """The `args` of the `llm` application in a Serve config file."""

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())

    # a model path or hub id (packaged defaults for the rest), or a model config YAML/JSON
    model: str = DEFAULT_MODEL
    replicas: int = Field(default=1, ge=1)
    # overrides the model config's device; "auto": GPUs when the Ray cluster has any
    device: Literal["auto", "gpu", "cpu"] | None = None

    def model_settings(self) -> ModelConfig:
        return load_model_config(self.model, device=self.device)


def build_llm_app(args: LLMAppArgs) -> Application:
    """The OpenAI-compatible app serving one model (Serve validates `args` into LLMAppArgs)."""
    from ray.serve.llm import build_openai_app

    config = args.model_settings()
    llm_config = serve_llm_config(config, _on_cpu(config), args.replicas)
    return build_openai_app(
        {
            "llm_configs": [llm_config],
            "ingress_deployment_config": {"ray_actor_options": {"num_cpus": LLM_INGRESS_CPUS}},
        }
    )


def llm_app_cpus(args: LLMAppArgs, config: ModelConfig) -> float:
    """The CPUs the app reserves on the connected Ray: every replica and the front."""
    return args.replicas * serve_replica_cpus(config, _on_cpu(config)) + LLM_INGRESS_CPUS


def _on_cpu(config: ModelConfig) -> bool:
    """Where the replicas go: the connected cluster decides `auto`; without Ray (building the
    app before `serve run` connects), the vLLM build installed here does."""
    import ray

    return ray_on_cpu(config) if ray.is_initialized() else config.on_cpu()
