"""Org-wide static audit as a Ray Data pipeline.

    python -m jobs.audit PATH|URL ... [--org NAME] [--warehouse URI] [--run-id ID] ...
    python -m jobs.audit ... --model MODEL [--llm-files N] [--llm-agents security,logic]
    ray job submit --runtime-env cluster/runtime_env.yaml -- python -m jobs.audit --org NAME

Stages: resolve and clone (I/O tasks) -> analyze (CPU actor pool, analyzers loaded once
per actor) -> the driver streams each repo's rows into the warehouse as they arrive. With
--model, an LLM pass follows (see jobs/audit_llm.py): the review agents read each audited
repo's riskiest files on a GPU pool through `ray.data.llm` and add `source=llm` findings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
from pydantic import SecretStr

from analytics.quality import apply_gate, outcome_lines
from codeprism import __version__
from codeprism.analysis import AnalysisConfig, AnalyzerSuite, analyzer_versions
from codeprism.audit import (
    AnalysisScope,
    AuditSummary,
    RepoResult,
    ResolvedRepo,
    RunContext,
    analyze,
    is_unchanged,
    resolve,
    skipped,
)
from codeprism.baseline import Baseline, load_baseline
from codeprism.console import report_stdout
from codeprism.errors import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    CodeprismError,
    ConfigError,
    root_cause_line,
)
from codeprism.file_roles import FileRole
from codeprism.findings import Severity, finding_from_record
from codeprism.formatters import render
from codeprism.llm.config import load_model_config
from codeprism.llm_pass import LlmPassConfig, llm_findings_count
from codeprism.maintenance import compact_after_run
from codeprism.noise import ALL_ROLES, DEFAULT_ROLES
from codeprism.review.agents import AGENT_NAMES
from codeprism.schema import RUNS, SCHEMA_VERSION
from codeprism.settings import layers
from codeprism.settings.model import DEFAULT_ANALYZERS, Settings
from codeprism.sources import (
    GitHubConfig,
    OrgFilter,
    RepoSpec,
    list_org_repos,
    probe,
    spec_from_target,
)
from codeprism.warehouse import PriorAudit, Warehouse, sql_literal, versions_key
from jobs.audit_llm import LlmOptions, run_llm_pass

log = logging.getLogger("codeprism.audit")


@dataclass(frozen=True)
class AuditOptions:
    """Everything one audit needs, parsed once from the command line."""

    targets: tuple[str, ...]
    org: str | None
    github: GitHubConfig
    org_filter: OrgFilter
    warehouse: str
    run_id: str
    full: bool
    address: str | None
    analysis: AnalysisConfig
    cache_dir: Path
    workers: int | None
    fmt: str
    output: Path | None
    fail_on: Severity | None
    progress: bool = True
    llm: LlmOptions | None = None  # the LLM pass, with --model
    quality_report_dir: Path | None = None  # default WAREHOUSE/_quality (local warehouses)
    roles: frozenset[FileRole] = DEFAULT_ROLES  # counted in the summary and by --fail-on
    # the operator's settings; each repository's own file narrows them where it is analysed
    settings: Settings = Settings()
    baseline: Baseline | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", metavar="PATH|URL", help="repositories to audit")
    parser.add_argument("--org", help="audit every repository of this GitHub organisation")
    parser.add_argument(
        "--github-url",
        default=os.environ.get("CODEPRISM_GITHUB_URL", "https://api.github.com"),
        help="GitHub API base URL (GitHub Enterprise: https://HOST/api/v3)",
    )
    parser.add_argument("--include-archived", action="store_true")
    parser.add_argument("--include-forks", action="store_true")
    parser.add_argument("--language", action="append", default=[], help="only these languages")
    parser.add_argument("--topic", action="append", default=[], help="only repos with a topic")
    parser.add_argument("--warehouse", default="./warehouse", help="warehouse URI")
    parser.add_argument("--run-id", help="re-use to resume a run; default: a new timestamp id")
    parser.add_argument("--full", action="store_true", help="re-audit unchanged repositories")
    parser.add_argument("--address", help="join this Ray cluster (default: a local Ray)")
    parser.add_argument("--workers", type=int, help="analysis actors (default: one per CPU)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("CODEPRISM_CACHE", "~/.cache/codeprism")).expanduser(),
        help="where git URLs are cloned and kept between runs",
    )
    parser.add_argument(
        "--config", help="organisation config file (TOML; default: $CODEPRISM_CONFIG)"
    )
    parser.add_argument(
        "--analyzers", help=f"comma-separated analyzers (default: {','.join(DEFAULT_ANALYZERS)})"
    )
    parser.add_argument("--file-timeout", type=float, help="seconds per file and analyzer (60)")
    parser.add_argument("--max-file-bytes", type=int, help="larger files are not read (2000000)")
    parser.add_argument("--format", dest="fmt", default="table", choices=["table", "json", "sarif"])
    parser.add_argument("--output", type=Path, help="write the report here instead of stdout")
    parser.add_argument("--fail-on", choices=[s.value for s in Severity])
    parser.add_argument("--baseline", help="report and fail only on findings this file lacks")
    parser.add_argument(
        "--all-roles",
        action="store_true",
        default=None,
        help="count findings in tests, examples, vendored and generated files too "
        "(by default the summary and --fail-on count source files; the warehouse keeps all)",
    )
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument(
        "--quality-report-dir",
        type=Path,
        help="where the quality gate's HTML report goes (default: WAREHOUSE/_quality)",
    )
    llm = parser.add_argument_group("LLM pass (with --model)")
    llm.add_argument("--model", help="model path, hub id, or a model config YAML/JSON")
    llm.add_argument(
        "--llm-files",
        type=int,
        help=f"riskiest files reviewed per repository (default {LlmPassConfig().files})",
    )
    llm.add_argument(
        "--llm-agents", help=f"comma-separated review agents (default {','.join(AGENT_NAMES)})"
    )
    llm.add_argument(
        "--llm-max-findings",
        type=int,
        help=f"findings per agent answer (default {LlmPassConfig().max_findings_per_agent})",
    )


def audit_settings(args: argparse.Namespace) -> layers.Effective:
    """The operator's layers: defaults, --config / $CODEPRISM_CONFIG, CODEPRISM_*, flags.
    Each repository's own file is applied on top where it is analysed."""
    flags = {
        "analyzers": _names(args.analyzers) if args.analyzers is not None else None,
        "limits.file_timeout_s": args.file_timeout,
        "limits.max_file_bytes": args.max_file_bytes,
        "fail_on": args.fail_on,
        "baseline": args.baseline,
        "all_roles": args.all_roles,
    }
    effective, _ = layers.resolve(
        environ=os.environ,
        config_file=args.config,
        command_line=flags,
    )
    return effective


def options_from_args(args: argparse.Namespace) -> AuditOptions:
    if not args.targets and not args.org:
        raise ConfigError("nothing to audit: give paths or git URLs, or --org NAME")
    token = os.environ.get("CODEPRISM_GITHUB_TOKEN") or os.environ.get("GITHUB_TOKEN")
    settings = audit_settings(args).settings
    return AuditOptions(
        targets=tuple(args.targets),
        org=args.org,
        github=GitHubConfig(base_url=args.github_url, token=SecretStr(token) if token else None),
        org_filter=OrgFilter(
            include_archived=args.include_archived,
            include_forks=args.include_forks,
            languages=tuple(args.language),
            topics=tuple(args.topic),
        ),
        warehouse=args.warehouse,
        run_id=args.run_id or datetime.now(UTC).strftime("run-%Y%m%dT%H%M%SZ"),
        full=args.full,
        address=args.address,
        analysis=AnalysisConfig.from_settings(settings),
        settings=settings,
        baseline=load_baseline(settings.baseline) if settings.baseline else None,
        cache_dir=args.cache_dir,
        workers=args.workers,
        fmt=args.fmt,
        output=args.output,
        fail_on=settings.fail_on,
        roles=ALL_ROLES if settings.all_roles else DEFAULT_ROLES,
        progress=not args.no_progress,
        llm=_llm_options(args),
        quality_report_dir=args.quality_report_dir,
    )


def _llm_options(args: argparse.Namespace) -> LlmOptions | None:
    tuning = {
        "files": args.llm_files,
        "agents": _names(args.llm_agents) if args.llm_agents is not None else None,
        "max_findings_per_agent": args.llm_max_findings,
    }
    if not args.model:
        if any(value is not None for value in tuning.values()):
            raise ConfigError("--llm-files, --llm-agents and --llm-max-findings need --model")
        return None
    config = LlmPassConfig(**{key: value for key, value in tuning.items() if value is not None})
    return LlmOptions(model=load_model_config(args.model), config=config)


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def collect_specs(options: AuditOptions) -> list[RepoSpec]:
    specs = [spec_from_target(t) for t in options.targets]
    if options.org:
        specs += list_org_repos(options.org, options.github, options.org_filter)
    unique: dict[str, RepoSpec] = {}
    for spec in specs:
        unique.setdefault(spec.repo_id, spec)
    return list(unique.values())


class Analyze:
    """The analysis actor: loads the analyzers once and audits one repo per call."""

    def __init__(self, options: AuditOptions, ctx: RunContext, token: str | None) -> None:
        self.suite = AnalyzerSuite(options.analysis)
        self.ctx = ctx
        self.scope = AnalysisScope(options.settings, options.baseline)
        self.cache_dir = options.cache_dir
        self.token = token

    def __call__(self, batch: pa.Table) -> pa.Table:
        results = []
        for row in pa.table(batch).to_pylist():
            resolved = ResolvedRepo.from_row(row)
            result = analyze(self.suite, resolved, self.ctx, self.cache_dir, self.token, self.scope)
            results.append(result.to_row())
        return pa.Table.from_pylist(results)


def _ray_init(address: str | None) -> None:
    import ray

    if ray.is_initialized():
        return
    # Ray's own chatter would drown the progress line; errors still reach the log.
    ray.init(
        address=address,
        include_dashboard=False,
        logging_level=logging.WARNING,
        log_to_driver=False,
    )


def run_pipeline(
    specs: Sequence[RepoSpec],
    options: AuditOptions,
    ctx: RunContext,
    prior: dict[str, PriorAudit],
    token: str | None,
) -> Iterator[RepoResult]:
    """Yield each repo's result as soon as the pipeline produces it."""
    import ray
    import ray.data

    data_context = ray.data.DataContext.get_current()
    data_context.enable_progress_bars = False
    data_context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # the progress line says enough

    def resolve_row(row: dict[str, Any]) -> dict[str, Any]:
        spec = RepoSpec.model_validate_json(row["spec"])
        return resolve(
            spec,
            cache_dir=options.cache_dir,
            token=token,
            prior=prior.get(spec.repo_id),
            analyzer_versions=ctx.analyzer_versions,
            full=options.full,
        ).to_row()

    cpus = int(ray.cluster_resources().get("CPU", 1))
    workers = options.workers or max(1, min(cpus, len(specs)))
    items = [{"spec": s.model_dump_json()} for s in specs]
    dataset = (
        ray.data.from_items(items, override_num_blocks=len(items))
        .map(
            resolve_row,
            # I/O bound (git waits on the network): reserving CPU here could leave the
            # analysis actors, which hold every CPU, waiting forever for input. As many
            # resolvers as actors keep them fed; each one more is a Ray worker process that
            # costs seconds of CPU to start on a small machine.
            num_cpus=0,
            compute=ray.data.TaskPoolStrategy(size=max(1, min(16, workers, len(items)))),
        )
        .map_batches(
            Analyze,
            fn_constructor_args=(options, ctx, token),
            batch_size=1,
            batch_format="pyarrow",
            # every actor starts at once; waiting for the pool to grow would idle cores
            compute=ray.data.ActorPoolStrategy(min_size=1, initial_size=workers, max_size=workers),
            num_cpus=1,
        )
    )
    for batch in dataset.iter_batches(batch_size=1, batch_format="pyarrow"):
        for row in pa.table(batch).to_pylist():
            yield RepoResult.from_row(row)


class ResultWriter:
    """Buffers a few repos' results and writes them to the warehouse exactly once each."""

    def __init__(self, warehouse: Warehouse, run_id: str, already_done: set[str]) -> None:
        self.warehouse = warehouse
        self.run_id = run_id
        self.seen = set(already_done)
        self.pending: list[RepoResult] = []
        self.pending_findings = 0
        self.last_flush = time.monotonic()

    def add(self, result: RepoResult) -> bool:
        """Queue a result; False when this repo was already written (a retried task)."""
        if result.repo_id in self.seen:
            return False
        self.seen.add(result.repo_id)
        self.pending.append(result)
        self.pending_findings += result.findings.num_rows
        # Bounded buffer: memory stays flat however many repos the run has.
        if (
            len(self.pending) >= 16
            or self.pending_findings >= 50_000
            or time.monotonic() - self.last_flush > 10
        ):
            self.flush()
        return True

    def flush(self) -> None:
        if not self.pending:
            return
        self.warehouse.write_repo_results(
            self.run_id,
            [r.repo_id for r in self.pending],
            repos=pa.concat_tables([r.repos for r in self.pending]),
            findings=pa.concat_tables([r.findings for r in self.pending]),
            errors=pa.concat_tables([r.errors for r in self.pending]),
        )
        self.pending = []
        self.pending_findings = 0
        self.last_flush = time.monotonic()


def _run_context(warehouse: Warehouse, run_id: str, versions: str) -> RunContext:
    existing = warehouse.read("runs", f"run_id = {sql_literal(run_id)}").to_pylist()
    if existing:  # resuming: keep the run's date so its partition does not move
        return RunContext(run_id, existing[0]["run_date"], existing[0]["started_at"], versions)
    now = datetime.now(UTC)
    return RunContext(run_id, now.date(), now, versions)


def _write_run(warehouse: Warehouse, ctx: RunContext, status: str, targets: int) -> None:
    counts = warehouse.query(
        "SELECT status, COUNT(*) AS n, SUM(COALESCE(findings, 0)) AS f FROM repos "
        f"WHERE run_id = {sql_literal(ctx.run_id)} GROUP BY status",
        ["repos"],
    ).to_pylist()
    by_status = {row["status"]: row for row in counts}
    row = {
        "run_id": ctx.run_id,
        "run_date": ctx.run_date,
        "started_at": ctx.started_at,
        "finished_at": datetime.now(UTC) if status != "running" else None,
        "status": status,
        "targets": targets,
        "repos_audited": by_status.get("audited", {}).get("n", 0),
        "repos_skipped": by_status.get("skipped", {}).get("n", 0),
        "repos_failed": by_status.get("failed", {}).get("n", 0),
        # static findings of the repos (their rows) plus the LLM pass's
        "findings": sum(int(r["f"] or 0) for r in counts)
        + llm_findings_count(warehouse, ctx.run_id),
        "analyzer_versions": ctx.analyzer_versions,
        "codeprism_version": __version__,
        "schema_version": SCHEMA_VERSION,
    }
    warehouse.write_run(pa.Table.from_pylist([row], schema=RUNS))


def _current_findings_sql(run_id: str) -> str:
    """Findings of the run, plus those of skipped repos as of the run that last audited them."""
    run = sql_literal(run_id)
    return (
        f"SELECT f.* FROM findings f WHERE f.run_id = {run} "
        "UNION ALL SELECT f.* FROM findings f JOIN repos r ON f.repo_id = r.repo_id "
        f"AND f.run_id = r.previous_run_id WHERE r.run_id = {run} AND r.status = 'skipped'"
    )


def current_findings(warehouse: Warehouse, run_id: str) -> pa.Table:
    return warehouse.query(_current_findings_sql(run_id), ["findings", "repos"])


def count_at_or_above(
    warehouse: Warehouse, run_id: str, threshold: Severity, roles: frozenset[FileRole]
) -> int:
    """How many current findings in files of `roles` reach `threshold`, counted without
    loading them (rows older than file roles count as source)."""
    levels = ", ".join(sql_literal(s.value) for s in Severity if s.rank >= threshold.rank)
    role_names = ", ".join(sql_literal(r.value) for r in sorted(roles))
    table = warehouse.query(
        f"SELECT COUNT(*) AS n FROM ({_current_findings_sql(run_id)}) AS c "
        f"WHERE c.severity IN ({levels}) "
        f"AND COALESCE(c.file_role, {sql_literal(FileRole.SOURCE.value)}) IN ({role_names}) "
        "AND c.suppression IS NULL",
        ["findings", "repos"],
    )
    return int(table.column("n")[0].as_py())


def settings_digest(options: AuditOptions) -> str:
    """Changes when the operator's settings or the baseline do: a repository audited under
    other settings is audited again, not skipped as unchanged."""
    baseline = sorted(options.baseline.fingerprints) if options.baseline else []
    data = json.dumps([options.settings.model_dump(mode="json"), baseline], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def _token(config: GitHubConfig) -> str | None:
    return config.token.get_secret_value() if config.token else None


def run_audit(options: AuditOptions, report: TextIO | None = None) -> tuple[int, dict[str, Any]]:
    """Run the audit end to end; returns the exit code and the summary. A report without
    --output goes to `report` (default stdout)."""
    started = time.monotonic()
    warehouse = Warehouse(options.warehouse)
    warehouse.ensure_tables()
    specs = collect_specs(options)
    if not specs:
        raise ConfigError("no repositories matched")
    versions = versions_key(
        analyzer_versions(options.analysis) | {"settings": settings_digest(options)}
    )
    ctx = _run_context(warehouse, options.run_id, versions)
    done = warehouse.done_repo_ids(ctx.run_id)
    todo = [s for s in specs if s.repo_id not in done]
    summary = AuditSummary(targets=len(todo), roles=options.roles)
    _say(options, f"run {ctx.run_id}: {len(specs)} repositories, {len(done)} already done")
    _write_run(warehouse, ctx, "running", len(specs))
    writer = ResultWriter(warehouse, ctx.run_id, done)
    prior = warehouse.prior_audits(ctx.run_id)
    if not options.full:
        todo = _skip_unchanged(todo, prior, ctx, options, writer, summary)
    if todo:
        _ray_init(options.address)
        pipeline_started = time.monotonic()
        for result in run_pipeline(todo, options, ctx, prior, _token(options.github)):
            if writer.add(result):
                summary.add(result)
                _say(options, summary.progress_line())
        log.debug("pipeline took %.1fs", time.monotonic() - pipeline_started)
    writer.flush()
    if options.llm is not None:
        _llm_pass(options, options.llm, warehouse, ctx, specs, summary)
    # Each written batch is a file per table; merge this run's before it is published.
    compact_after_run(warehouse, ctx.run_date)
    _write_run(warehouse, ctx, "succeeded", len(specs))
    duration = time.monotonic() - started
    summary_data = summary.as_dict(duration) | {"run_id": ctx.run_id}
    stream = sys.stdout if _summary_only(options) else sys.stderr
    print(summary.render(duration), file=stream)
    validated = _quality_gate(options, warehouse, ctx.run_id, stream)
    if not _summary_only(options):
        _write_report(options, warehouse, ctx.run_id, summary_data, report or sys.stdout)
    if not validated:  # the data is kept, but no dashboard shows it: a pipeline must notice
        return EXIT_ERROR, summary_data
    if options.fail_on and count_at_or_above(warehouse, ctx.run_id, options.fail_on, options.roles):
        return EXIT_FINDINGS, summary_data
    return EXIT_OK, summary_data


def _llm_pass(
    options: AuditOptions,
    llm: LlmOptions,
    warehouse: Warehouse,
    ctx: RunContext,
    specs: list[RepoSpec],
    summary: AuditSummary,
) -> None:
    """The LLM pass over the repos this run audited; a failure keeps the static results."""
    started = time.monotonic()
    try:
        _ray_init(options.address)
        run_llm_pass(
            warehouse,
            ctx,
            specs,
            llm,
            cache_dir=options.cache_dir,
            token=_token(options.github),
            max_file_bytes=options.analysis.max_file_bytes,
            summary=summary,
            say=lambda message: _say(options, message),
        )
    except CodeprismError:
        _write_run(warehouse, ctx, "failed", len(specs))
        raise
    except Exception as exc:
        _write_run(warehouse, ctx, "failed", len(specs))
        raise LlmPassError(
            f"the LLM pass failed ({root_cause_line(f'{type(exc).__name__}: {exc}')}); "
            f"the static results are "
            f"written: re-run with --run-id {ctx.run_id} to retry the LLM pass"
        ) from exc
    log.debug("llm pass took %.1fs", time.monotonic() - started)


def _quality_gate(options: AuditOptions, warehouse: Warehouse, run_id: str, stream: TextIO) -> bool:
    """The data-quality gate on the finished run: a failing run is quarantined, never lost.

    A gate that cannot run quarantines the run and records an errors row (apply_gate does);
    only if even that fails does the run stay as written, and this says so. True when the
    run passed.
    """
    try:
        outcome = apply_gate(warehouse, run_id, options.quality_report_dir)
    except Exception as exc:
        log.debug("quality gate failed", exc_info=True)
        print(
            f"quality gate: ERROR — could not run or record its verdict ({type(exc).__name__}: "
            f"{exc}); run {run_id} is not validated: run `codeprism validate --run-id {run_id}`",
            file=stream,
        )
        return False
    for line in outcome_lines(outcome):
        print(line, file=stream)
    return outcome.passed


class LlmPassError(CodeprismError):
    """The LLM pass stopped (the engine did not start, the cluster lost it, ...)."""


def _skip_unchanged(
    specs: list[RepoSpec],
    prior: dict[str, PriorAudit],
    ctx: RunContext,
    options: AuditOptions,
    writer: ResultWriter,
    summary: AuditSummary,
) -> list[RepoSpec]:
    """Record repos that a cheap probe shows unchanged; return the rest for the pipeline.

    A re-run over unchanged repositories then costs a `git ls-remote` or a directory digest
    per repo, and never starts the clone and analysis stages. A repo the probe cannot tell
    about goes through the pipeline, whose resolve stage decides after fetching.
    """
    candidates = [
        s
        for s in specs
        if s.repo_id in prior and prior[s.repo_id].analyzer_versions == ctx.analyzer_versions
    ]
    if not candidates:
        return specs
    _say(options, f"checking {len(candidates)} previously audited repositories for changes")
    token = _token(options.github)
    with ThreadPoolExecutor(max_workers=min(16, len(candidates))) as pool:
        found = dict(zip(candidates, pool.map(lambda s: probe(s, token), candidates), strict=True))
    rest = []
    for spec in specs:
        now = found.get(spec)
        if now is not None and is_unchanged(
            prior[spec.repo_id], now.revision, ctx.analyzer_versions
        ):
            result = skipped(spec, now, prior[spec.repo_id], ctx)
            if writer.add(result):
                summary.add(result)
        else:
            rest.append(spec)
    _say(options, summary.progress_line())
    return rest


def _summary_only(options: AuditOptions) -> bool:
    """People at a terminal get the summary; the findings themselves stay in the warehouse."""
    return options.fmt == "table" and options.output is None


def _write_report(
    options: AuditOptions,
    warehouse: Warehouse,
    run_id: str,
    summary_data: dict[str, Any],
    report: TextIO,
) -> None:
    # A report document holds every finding by nature; the pipeline itself never does.
    findings = [finding_from_record(r) for r in current_findings(warehouse, run_id).to_pylist()]
    document = render(findings, options.fmt, tool_version=__version__, summary=summary_data)
    if options.output:
        options.output.write_text(document)
    else:
        print(document, file=report)


def _say(options: AuditOptions, message: str) -> None:
    if options.progress:
        print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="codeprism audit", description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    # vLLM logs every engine step at INFO; the progress line is what people came for
    os.environ.setdefault("VLLM_LOGGING_LEVEL", "DEBUG" if args.debug else "WARNING")
    # a machine-readable report on stdout: nothing else may reach stdout (console.py)
    claim = args.fmt != "table" and args.output is None
    try:
        options = options_from_args(args)
        if options.llm is not None:
            print(f"codeprism audit: {options.llm.model.describe()}", file=sys.stderr)
        with report_stdout(claim, restore=False) as report:
            code, _ = run_audit(options, report)
        return code
    except CodeprismError as exc:
        if args.debug:
            raise
        print(f"codeprism audit: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            "codeprism audit: interrupted; re-run with the same --run-id to resume", file=sys.stderr
        )
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
