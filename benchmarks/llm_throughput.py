"""LLM throughput: each codeprism LLM path side by side with bare vLLM on the same review prompts.

    python benchmarks/llm_throughput.py                      # GPU if vLLM has one, else CPU
    python benchmarks/llm_throughput.py --device cpu --reviews 4 --output-tokens 64

The prompts: `--reviews` reviews (plus one warm-up review), each a diff made with git from
real files of the cached PyPI corpus (`codeprism.corpus`): a few real modules whose head
version adds blocks of real code that the base version lacks. Every review asks all five
agents (`codeprism.review.runner.plan_requests`, static analysis off: the audit benchmark
measures that), so bare vLLM and codeprism get byte-identical chat messages and schemas.

The model: on GPU, a 7B code model's shape (Qwen2.5-Coder-7B-Instruct: hidden 3584, 28 layers,
28 heads, 4 KV heads, intermediate 18944, vocab 152064) with dummy (random) weights; there is
no hub access, so its tokenizer is a byte-level BPE trained here on the corpus and padded with
unreachable tokens to the model's 152,064 ids (see `build_code_model`). On CPU, codeprism's
tiny random-weight model (`codeprism.llm.tiny`): figures are then plumbing overhead only.

Fixed output lengths, with the same structured output in every path: every request carries
the review's JSON schema (as codeprism always sends it) and `ignore_eos` with `max_tokens =
--output-tokens`, so every answer is exactly that many tokens: the grammar holds the model to
the schema until the JSON is complete, after which vLLM stops constraining and the model runs
on to max_tokens. Such answers no longer parse (codeprism counts them invalid, which costs it
nothing here); what is compared is the work, the same in every path. Structured outputs are
kept in the baseline because codeprism cannot run without them: leaving them out of the
baseline only would charge codeprism with vLLM's grammar cost. (A random-weight model's
JSON is short, so most of its tokens come after the grammar is done; the split is the
same in every path.)

Each path runs in its own process, one after another, and owns the whole accelerator (so no
path finds kernels, compiled grammars or cached prefixes that another one warmed):
- online, one review at a time on a running engine (engine start excluded; one untimed
  warm-up review first); latency = one review, its five agents in one batch:
  - bare: `vllm.LLM.chat` with the review's messages and sampling parameters;
  - local: `codeprism.review.runner.review` with `LocalEngine` (vllm.LLM in process), from
    the diff's bytes to merged findings;
  - serve: the same with `ServeEngine` against `serve_apps.llm` on a local Ray Serve;
- offline, all reviews in one job, engine start included (Ray's own start excluded);
  latency = from submission until a review's last answer is out:
  - bare-offline: `vllm.LLM(...)` then one `LLM.chat` over every request (all answers come
    back together);
  - batch: `codeprism.llm.engines.build_llm_processor` (`ray.data.llm`, the processor behind
    `DataEngine`) over the same rows, answers parsed with codeprism's parser as they stream.
It prints output tokens/s per path, its ratio to the bare baseline of its mode, p50/p95
latency per review, each engine's start, and checks that every path produced exactly
requests x output tokens.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil

from codeprism.corpus import DEMO_PROJECTS, prepare_corpus
from codeprism.llm.config import ModelConfig, SamplingConfig, load_model_config
from codeprism.llm.engines import Completion
from codeprism.review.diff import parse_diff
from codeprism.review.runner import (
    PlannedRequest,
    ReviewConfig,
    ReviewResult,
    diff_from_repo,
    plan_requests,
)

CACHE = Path(os.environ.get("CODEPRISM_CACHE", "~/.cache/codeprism")).expanduser()
ONLINE = ["bare", "local", "serve"]
OFFLINE = ["bare-offline", "batch"]
PATHS = ONLINE + OFFLINE
CPU_NOTE = "CPU run with the tiny random-weight model: figures are for plumbing overhead only"
REVIEW = ReviewConfig(static=False)

# Qwen2.5-Coder-7B-Instruct's shape (its config.json), for dummy weights.
CODE_7B: dict[str, Any] = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "max_position_embeddings": 32768,
    "max_window_layers": 28,
    "use_sliding_window": False,
    "sliding_window": 131072,
    "hidden_act": "silu",
    "rms_norm_eps": 1e-6,
    "rope_theta": 1000000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "vocab_size": 152064,
}
TOKENIZER_VOCAB = 32000  # trained BPE merges; the rest of the 152,064 ids are padding


# --- the model ---------------------------------------------------------------------------


def build_code_model(dest: Path, corpus: Sequence[Path], layers: int | None = None) -> Path:
    """A 7B code model's config plus a local tokenizer with exactly its vocabulary size.

    The tokenizer must cover every id the model can emit: with fewer ids than the embedding
    has rows (the real Qwen tokenizer has 151,665 for 152,064 rows), a random-weight model
    decoding without a grammar (after its JSON, under `ignore_eos`) can sample an id the
    detokenizer does not know. So the trained BPE vocabulary is padded with tokens that no
    merge produces (never in a prompt, decodable if sampled), and xgrammar sees a vocabulary
    the size of the logits. `layers` shrinks the depth, for a smoke run on a small machine.
    """
    import transformers
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    from codeprism.llm.tiny import CHAT_TEMPLATE, SPECIAL_TOKENS

    marker = dest / "codeprism-bench-model"
    if marker.exists():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    vocab_size = int(CODE_7B["vocab_size"])
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=TOKENIZER_VOCAB,
        # transformers gives a qwen2 model's tokenizer `<|endoftext|>` (as unk) when it lacks
        # one, one id past the vocabulary: so it has one
        special_tokens=[*SPECIAL_TOKENS, "<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    texts = (p.read_text("utf-8", "replace") for root in corpus for p in sorted(root.rglob("*.py")))
    tokenizer.train_from_iterator(texts, trainer=trainer)
    data = json.loads(tokenizer.to_str())
    vocab: dict[str, int] = data["model"]["vocab"]
    for index in range(len(vocab), vocab_size):
        vocab[f"<|unused_{index}|>"] = index
    padded = Tokenizer.from_str(json.dumps(data))
    fast = PreTrainedTokenizerFast(
        tokenizer_object=padded,
        bos_token="<|begin|>",
        eos_token="<|end|>",
        pad_token="<|pad|>",
        model_max_length=int(CODE_7B["max_position_embeddings"]),
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(dest)
    config = {
        **CODE_7B,
        "bos_token_id": fast.bos_token_id,
        "eos_token_id": fast.eos_token_id,
        "pad_token_id": fast.pad_token_id,
        # as in a saved model; without it transformers suspects a Mistral tokenizer
        "transformers_version": transformers.__version__,
    }
    if layers is not None:
        config |= {"num_hidden_layers": layers, "max_window_layers": layers}
    (dest / "config.json").write_text(json.dumps(config, indent=2))
    generation = {"bos_token_id": fast.bos_token_id, "eos_token_id": fast.eos_token_id}
    (dest / "generation_config.json").write_text(json.dumps(generation, indent=2))
    reloaded = len(AutoTokenizer.from_pretrained(dest))  # as vLLM will load it
    if reloaded != vocab_size:
        raise SystemExit(f"the tokenizer has {reloaded} ids, the model {vocab_size}")
    marker.write_text("random weights: load with load_format='dummy'\n")
    return dest


def write_model_yaml(
    work: Path, device: str, shape: str, output_tokens: int, layers: int | None
) -> Path:
    """The one model config every path loads (a `--model` YAML): dummy weights, fixed output
    lengths."""
    import yaml

    if shape == "tiny":
        from codeprism.llm.tiny import build_tiny_model

        model = build_tiny_model(work / "tiny-model")
        max_model_len = 8192
    else:
        model = build_code_model(work / "code-7b", corpus_roots(), layers)
        max_model_len = 16384
    document = {
        "model": str(model),
        "device": device,
        "load_format": "dummy",
        "max_model_len": max_model_len,
        "enforce_eager": device == "cpu",  # graph compilation on CPU costs minutes
        "sampling": SamplingConfig(max_tokens=output_tokens, ignore_eos=True).model_dump(),
    }
    path = work / "model.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


# --- the reviews -------------------------------------------------------------------------


def corpus_roots() -> list[Path]:
    return prepare_corpus(DEMO_PROJECTS, CACHE / "corpus")


def make_diffs(count: int, lines_per_review: int, seed: int = 0) -> list[bytes]:
    """`count` diffs of real code: in each, a few modules of one corpus project whose base
    version lacks some blocks of the real file (so the head adds real code)."""
    rng = random.Random(seed)
    roots = corpus_roots()
    modules: dict[Path, list[Path]] = {}
    for root in roots:
        candidates = []
        for path in sorted(root.rglob("*.py")):
            parts = set(path.relative_to(root).parts)
            if parts & {"tests", "test", "docs", "examples"}:
                continue
            lines = path.read_text("utf-8", "replace").count("\n")
            if 150 <= lines <= 3000:
                candidates.append(path)
        if len(candidates) >= 2:
            modules[root] = candidates
    projects = sorted(modules)
    diffs = []
    for index in range(count):
        root = projects[index % len(projects)]
        chosen = rng.sample(modules[root], k=min(3, len(modules[root])))
        diffs.append(_one_diff(root, chosen, lines_per_review, rng))
    return diffs


def _one_diff(root: Path, files: list[Path], lines_per_review: int, rng: random.Random) -> bytes:
    per_block = max(5, lines_per_review // (2 * len(files)))
    with tempfile.TemporaryDirectory(prefix="codeprism-bench-repo-") as scratch:
        repo = Path(scratch)
        heads: dict[Path, str] = {}
        for path in files:
            head = path.read_text("utf-8", "replace")
            lines = head.splitlines(keepends=True)
            half = len(lines) // 2
            base = list(lines)
            for low, high in ((half, len(lines)), (0, half)):  # one block per half, back first
                start = rng.randrange(low, max(low + 1, high - per_block))
                del base[start : min(start + per_block, high)]
            target = repo / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("".join(base), encoding="utf-8")
            heads[target] = head
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", "base")
        for target, head in heads.items():
            target.write_text(head, encoding="utf-8")
        _git(repo, "commit", "-qam", "head")
        return diff_from_repo(repo, "HEAD~1", "HEAD")


def _git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True)


def plan_reviews(config: ModelConfig, diffs: Sequence[bytes]) -> list[list[PlannedRequest]]:
    """The exact requests `review` sends for each diff (same budget, prompts and schemas)."""
    from codeprism.llm.engines import ServeEngine

    # Only its tokenizer is used (the one every engine counts with); it never sends.
    counter = ServeEngine(config, "http://127.0.0.1:9")
    return [
        plan_requests(parse_diff(d), [], counter, config, REVIEW, ReviewResult(findings=[]))
        for d in diffs
    ]


# --- the paths, each in its own process --------------------------------------------------


def run_bare(config: ModelConfig, diffs: list[bytes], offline: bool) -> list[dict[str, Any]]:
    """vLLM alone: `LLM.chat` with the requests `review` would send, no codeprism around it.

    Online and offline run in separate processes: a second pass over the same prompts in one
    engine would find warm kernels and compiled grammars that the paths it is compared with
    do not have."""
    from vllm import LLM, SamplingParams
    from vllm.sampling_params import StructuredOutputsParams

    warmup, *plans = plan_reviews(config, diffs)
    requests = sum(map(len, plans))
    started = time.perf_counter()
    llm = LLM(model=config.model, seed=0, **config.engine_kwargs(config.on_cpu()))
    start_s = time.perf_counter() - started
    prompt_tokens: list[int] = []

    def chat(planned: Sequence[PlannedRequest]) -> int:
        params = [
            SamplingParams(
                **config.sampling.as_dict(),
                structured_outputs=StructuredOutputsParams(json=p.request.schema),
            )
            for p in planned
        ]
        conversations: Any = [p.request.messages for p in planned]
        outputs = llm.chat(conversations, params, use_tqdm=False)
        prompt_tokens.extend(len(o.prompt_token_ids or []) for o in outputs)
        return sum(len(o.outputs[0].token_ids) for o in outputs)

    if offline:  # a cold engine, as the batch job's; the engine start counts
        started = time.perf_counter()
        tokens = chat([p for plan in plans for p in plan])
        seconds = start_s + time.perf_counter() - started
        result = _result("bare-offline", tokens, seconds, [seconds] * len(plans))
        return [result | {"start_s": start_s, "requests": requests, "first_s": seconds}]
    chat(warmup)
    tokens, latencies = 0, []
    for plan in plans:
        started = time.perf_counter()
        tokens += chat(plan)
        latencies.append(time.perf_counter() - started)
    result = _result("bare", tokens, sum(latencies), latencies)
    prompt = statistics.median(prompt_tokens)
    return [result | {"start_s": start_s, "requests": requests, "prompt_tokens": prompt}]


def run_review_path(
    name: str, config: ModelConfig, diffs: list[bytes], engine: Any, start_s: float
) -> dict[str, Any]:
    """`review` from the diff's bytes to merged findings, one review at a time."""
    from codeprism.review.runner import review

    warmup, *timed = diffs
    review(parse_diff(warmup), engine=engine, model=config, config=REVIEW)
    tokens, latencies, requests = 0, [], 0
    for diff in timed:
        started = time.perf_counter()
        result = review(parse_diff(diff), engine=engine, model=config, config=REVIEW)
        latencies.append(time.perf_counter() - started)
        tokens += result.output_tokens
        requests += result.requests
        errors = [n for n in result.notes if "engine error" in n]
        if errors:
            raise SystemExit(f"{name}: {errors[0]}")
    return _result(name, tokens, sum(latencies), latencies) | {
        "start_s": start_s,
        "requests": requests,
    }


def run_local(config: ModelConfig, diffs: list[bytes]) -> list[dict[str, Any]]:
    from codeprism.llm.engines import LocalEngine

    started = time.perf_counter()
    engine = LocalEngine(config)
    start_s = time.perf_counter() - started
    try:
        return [run_review_path("local", config, diffs, engine, start_s)]
    finally:
        engine.close()


def run_serve(config: ModelConfig, diffs: list[bytes], model_yaml: Path) -> list[dict[str, Any]]:
    import ray
    import requests
    from ray import serve

    from codeprism.llm.engines import ServeEngine
    from serve_apps.llm import LLMAppArgs, build_llm_app

    _start_ray()
    port = _free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    base_url = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        serve.run(build_llm_app(LLMAppArgs(model=str(model_yaml))), name="llm", route_prefix="/")
        while True:  # the proxy may route a moment after the replicas are healthy
            try:
                if config.name in requests.get(f"{base_url}/v1/models", timeout=10).text:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        start_s = time.perf_counter() - started
        engine = ServeEngine(config, base_url)
        return [run_review_path("serve", config, diffs, engine, start_s)]
    finally:
        serve.shutdown()
        ray.shutdown()


def run_batch(config: ModelConfig, diffs: list[bytes]) -> list[dict[str, Any]]:
    import ray
    import ray.data

    from codeprism.llm.engines import build_llm_processor, completion_from_row, request_row
    from codeprism.review.output import parse_review_output

    _, *plans = plan_reviews(config, diffs)
    _start_ray()
    ray.data.DataContext.get_current().enable_progress_bars = False
    rows = [
        {"review": r, "item": i, **request_row(p.request)}
        for r, plan in enumerate(plans)
        for i, p in enumerate(plan)
    ]
    remaining = [len(plan) for plan in plans]
    latencies = [0.0] * len(plans)
    tokens, first_s = 0, 0.0
    started = time.perf_counter()
    processor = build_llm_processor(config, config.on_cpu(), keep=["review", "item"])
    for row in processor(ray.data.from_items(rows)).iter_rows():
        review_index, item_index = int(row["review"]), int(row["item"])
        completion: Completion = completion_from_row(row)
        if completion.error:
            raise SystemExit(f"batch: {completion.error}")
        planned = plans[review_index][item_index]
        parse_review_output(
            completion.text,
            agent=planned.agent,
            model=config.name,
            visible_lines=planned.chunk.visible_lines,
        )
        tokens += completion.output_tokens
        first_s = first_s or time.perf_counter() - started
        remaining[review_index] -= 1
        if not remaining[review_index]:
            latencies[review_index] = time.perf_counter() - started
    seconds = time.perf_counter() - started
    ray.shutdown()
    return [
        _result("batch", tokens, seconds, latencies) | {"requests": len(rows), "first_s": first_s}
    ]


def _start_ray() -> None:
    import ray

    # Serve's ingress and Ray Data's helpers need logical CPUs beside the engine's bundle.
    ray.init(num_cpus=max(8, os.cpu_count() or 1), include_dashboard=False, log_to_driver=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _result(path: str, tokens: int, seconds: float, latencies: list[float]) -> dict[str, Any]:
    return {"path": path, "tokens": tokens, "seconds": seconds, "latencies": latencies}


def child(path: str, work: Path) -> None:
    model_yaml = work / "model.yaml"
    config = load_model_config(str(model_yaml))
    diffs = [p.read_bytes() for p in sorted((work / "diffs").glob("*.diff"))]
    runners: dict[str, Callable[[], list[dict[str, Any]]]] = {
        "bare": lambda: run_bare(config, diffs, offline=False),
        "bare-offline": lambda: run_bare(config, diffs, offline=True),
        "local": lambda: run_local(config, diffs),
        "serve": lambda: run_serve(config, diffs, model_yaml),
        "batch": lambda: run_batch(config, diffs),
    }
    for result in runners[path]():
        print("RESULT " + json.dumps(result), flush=True)


def measure(path: str, work: Path) -> list[dict[str, Any]]:
    command = [sys.executable, __file__, "--child", path, "--work", str(work)]
    env = {**os.environ, "VLLM_LOGGING_LEVEL": "WARNING", "RAY_DATA_DISABLE_PROGRESS_BARS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    results = [
        dict(json.loads(line.removeprefix("RESULT ")))
        for line in done.stdout.splitlines()
        if line.startswith("RESULT ")
    ]
    if done.returncode != 0 or not results:
        raise SystemExit(f"path {path} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return results


# --- the report --------------------------------------------------------------------------


def percentile(values: Sequence[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def describe_device(device: str) -> str:
    memory = psutil.virtual_memory().total / 2**30
    host = f"{os.cpu_count()} cores, {memory:.0f} GiB"
    if device == "cpu":
        return f"cpu ({host}, no GPU)"
    import torch

    props = torch.cuda.get_device_properties(0)
    return f"{props.name} ({props.total_memory / 2**30:.0f} GiB) on a host with {host}"


def report(results: dict[str, dict[str, Any]], output_tokens: int) -> None:
    for mode, names, what in (
        ("online", ONLINE, "one review at a time, engine running; latency = one review"),
        (
            "offline",
            OFFLINE,
            "all reviews in one job, engine start included; latency = until a review's last answer",
        ),
    ):
        present = [n for n in names if n in results]
        if not present:
            continue
        print(f"{mode}: {what}")
        base = results.get(names[0])
        for name in present:
            r = results[name]
            rate = r["tokens"] / r["seconds"]
            ratio = f"{rate / (base['tokens'] / base['seconds']):.2f}" if base else "n/a"
            expected = r.get("requests", 0) * output_tokens
            check = "" if r["tokens"] == expected else f" (expected {expected} tokens!)"
            start = f" engine_start={r['start_s']:.1f}s" if "start_s" in r else ""
            start += f" first_answer={r['first_s']:.1f}s" if "first_s" in r else ""
            print(
                f"  path={name:<12} tokens/s={rate:8.1f} ratio_vs_bare={ratio} "
                f"p50={percentile(r['latencies'], 50):.2f}s "
                f"p95={percentile(r['latencies'], 95):.2f}s "
                f"tokens={r['tokens']}{check}{start}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["auto", "cpu", "gpu"], default="auto")
    parser.add_argument("--reviews", type=int, help="timed reviews (default: 16 GPU, 4 CPU)")
    parser.add_argument(
        "--output-tokens", type=int, help="tokens per answer (default: 512 GPU, 64 CPU)"
    )
    parser.add_argument("--lines-per-review", type=int, default=120, help="added lines")
    parser.add_argument(
        "--paths", default=",".join(PATHS), help="comma-separated: " + ",".join(PATHS)
    )
    parser.add_argument(
        "--shape", choices=["tiny", "code-7b"], help="model (default: code-7b GPU, tiny CPU)"
    )
    parser.add_argument("--layers", type=int, help="code-7b with fewer layers (smoke runs)")
    parser.add_argument("--child", choices=PATHS, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.work)
        return
    device = args.device
    if device == "auto":
        device = "cpu" if ModelConfig(device="auto").on_cpu() else "gpu"
    on_gpu = device == "gpu"
    reviews = args.reviews or (16 if on_gpu else 4)
    output_tokens = args.output_tokens or (512 if on_gpu else 64)
    shape = args.shape or ("code-7b" if on_gpu else "tiny")
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = sorted(set(paths) - set(PATHS))
    if unknown:
        raise SystemExit(f"unknown paths: {unknown}")

    import ray
    import vllm

    print(f"device: {describe_device(device)} | vllm {vllm.__version__} | ray {ray.__version__}")
    if shape == "tiny":
        print(CPU_NOTE if device == "cpu" else "tiny random-weight model: plumbing overhead only")
    elif device == "cpu":
        print("CPU run of the 7B shape: a smoke test of its plumbing, not a throughput figure")
    with tempfile.TemporaryDirectory(prefix="codeprism-llm-bench-") as scratch:
        work = Path(scratch)
        model_yaml = write_model_yaml(work, device, shape, output_tokens, args.layers)
        model = json.loads(
            (Path(load_model_config(str(model_yaml)).model) / "config.json").read_text()
        )
        print(
            f"model: {shape} ({model['architectures'][0]}, hidden {model['hidden_size']}, "
            f"{model['num_hidden_layers']} layers, vocab {model['vocab_size']}), dummy weights"
        )
        (work / "diffs").mkdir()
        for index, diff in enumerate(make_diffs(reviews + 1, args.lines_per_review)):
            (work / "diffs" / f"{index:03d}.diff").write_bytes(diff)
        results: dict[str, dict[str, Any]] = {}
        for path in paths:
            for result in measure(path, work):
                results[result.pop("path")] = result
    bare = results.get("bare") or next(iter(results.values()))
    print(
        f"reviews: {reviews} timed (+1 warm-up), {bare.get('requests', 0) // reviews} requests "
        f"each ({len(REVIEW.agents)} agents), output fixed at {output_tokens} tokens per answer "
        f"(ignore_eos; same JSON schema in every path)"
        + (f", prompt p50 {bare['prompt_tokens']:.0f} tokens" if "prompt_tokens" in bare else "")
    )
    report(results, output_tokens)


if __name__ == "__main__":
    main()
