"""The steps of an org-wide audit, free of Ray: resolve a repo, analyze it, shape its rows.

The Ray Data job in `jobs/audit.py` only wires these steps into a pipeline. Each repo's
result travels between processes as one row of Arrow IPC bytes, so the driver never
rebuilds Python objects for findings it only has to write.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from codeprism.analysis import AnalyzerSuite, RepoAnalysis
from codeprism.baseline import Baseline
from codeprism.errors import Problem, ProblemKind, SourceError, Stage
from codeprism.file_roles import FileRole
from codeprism.findings import Finding, finding_id
from codeprism.noise import ALL_ROLES, DEFAULT_ROLES
from codeprism.review.output import DropReason
from codeprism.schema import ERRORS, FINDINGS, REPOS
from codeprism.settings.layers import settled
from codeprism.settings.model import Settings
from codeprism.settings.repo_file import apply_repo_config, read_repo_config
from codeprism.sources import Checkout, RepoSpec, Revision, checkout
from codeprism.suppressions import BASELINE
from codeprism.warehouse import PriorAudit

Action = Literal["analyze", "skip", "fail"]


@dataclass(frozen=True)
class RunContext:
    """What every row of one run shares."""

    run_id: str
    run_date: date
    started_at: datetime
    analyzer_versions: str  # canonical JSON, see warehouse.versions_key


@dataclass(frozen=True)
class ResolvedRepo:
    """A repo after the resolve stage: where it is on disk, or why it will not be analysed."""

    spec: RepoSpec
    action: Action
    root: str | None = None
    commit_sha: str | None = None
    revision: str | None = None
    previous_run_id: str | None = None
    problem: Problem | None = None
    seconds: float = 0.0

    def to_row(self) -> dict[str, Any]:
        return {
            "spec": self.spec.model_dump_json(),
            "action": self.action,
            "root": self.root,
            "commit_sha": self.commit_sha,
            "revision": self.revision,
            "previous_run_id": self.previous_run_id,
            "problem": _problem_json(self.problem),
            "seconds": self.seconds,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ResolvedRepo:
        problem = json.loads(row["problem"]) if row.get("problem") else None
        return cls(
            spec=RepoSpec.model_validate_json(row["spec"]),
            action=row["action"],
            root=row.get("root"),
            commit_sha=row.get("commit_sha"),
            revision=row.get("revision"),
            previous_run_id=row.get("previous_run_id"),
            problem=_problem_from(problem) if problem else None,
            seconds=float(row.get("seconds") or 0.0),
        )


def _problem_json(problem: Problem | None) -> str | None:
    if problem is None:
        return None
    return json.dumps(
        {
            "stage": problem.stage.value,
            "kind": problem.kind.value,
            "reason": problem.reason,
            "path": problem.path,
            "analyzer": problem.analyzer,
        }
    )


def _problem_from(data: dict[str, Any]) -> Problem:
    return Problem(
        stage=Stage(data["stage"]),
        kind=ProblemKind(data["kind"]),
        reason=data["reason"],
        path=data.get("path"),
        analyzer=data.get("analyzer"),
    )


def resolve(
    spec: RepoSpec,
    *,
    cache_dir: Path,
    token: str | None,
    prior: PriorAudit | None,
    analyzer_versions: str,
    full: bool,
) -> ResolvedRepo:
    """Fetch the repo and decide whether it needs analysing (incremental unless `full`)."""
    started = time.monotonic()
    try:
        fetched: Checkout = checkout(spec, cache_dir, token=token)
    except SourceError as exc:
        stage = Stage.RESOLVE if spec.kind == "path" else Stage.CLONE
        problem = Problem(stage=stage, kind=exc.kind, reason=exc.reason)
        return ResolvedRepo(spec, "fail", problem=problem, seconds=time.monotonic() - started)
    except Exception as exc:  # a bug must not end the sweep: record it and go on
        problem = Problem(Stage.RESOLVE, ProblemKind.INTERNAL, f"{type(exc).__name__}: {exc}")
        return ResolvedRepo(spec, "fail", problem=problem, seconds=time.monotonic() - started)
    unchanged = not full and is_unchanged(prior, fetched.revision, analyzer_versions)
    return ResolvedRepo(
        spec,
        "skip" if unchanged else "analyze",
        root=str(fetched.root),
        commit_sha=fetched.commit_sha,
        revision=fetched.revision,
        previous_run_id=prior.run_id if unchanged and prior else None,
        seconds=time.monotonic() - started,
    )


def is_unchanged(prior: PriorAudit | None, revision: str, analyzer_versions: str) -> bool:
    """Audited before at this very revision by the same analyzers: the result would not change."""
    return (
        prior is not None
        and prior.revision == revision
        and prior.analyzer_versions == analyzer_versions
    )


def skipped(spec: RepoSpec, found: Revision, prior: PriorAudit, ctx: RunContext) -> RepoResult:
    """The result of a repo found unchanged by a probe, before any checkout or analysis."""
    resolved = ResolvedRepo(
        spec,
        "skip",
        commit_sha=found.commit_sha,
        revision=found.revision,
        previous_run_id=prior.run_id,
    )
    return _result(ctx, resolved, "skipped", None, [], [])


@dataclass
class RepoResult:
    """Everything one repo contributes to one run, as warehouse-shaped Arrow tables."""

    repo_id: str
    repos: pa.Table
    findings: pa.Table
    errors: pa.Table

    def to_row(self) -> dict[str, Any]:
        return {
            "repo_id": self.repo_id,
            "repos": _ipc(self.repos),
            "findings": _ipc(self.findings),
            "errors": _ipc(self.errors),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RepoResult:
        return cls(
            repo_id=row["repo_id"],
            repos=_from_ipc(row["repos"]),
            findings=_from_ipc(row["findings"]),
            errors=_from_ipc(row["errors"]),
        )

    @property
    def status(self) -> str:
        return str(self.repos.column("status")[0].as_py())


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _from_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


@dataclass(frozen=True)
class AnalysisScope:
    """The operator's settings and baseline, shared by every repository of a run."""

    settings: Settings = Settings()
    baseline: Baseline | None = None

    def for_repo(self, root: Path) -> tuple[Settings, list[Problem]]:
        """This repository's settings: the operator's, narrowed by its own config file at
        the audited commit; what the file asked for and did not get, as CONFIG problems."""
        config = read_repo_config(root)
        effective = apply_repo_config(settled(self.settings, "operator"), config)
        problems = [
            Problem(Stage.ANALYZE, ProblemKind.CONFIG, note, path=config.source.split()[0])
            for note in effective.notes
            if config is not None
        ]
        return effective.settings, problems


def analyze(
    suite: AnalyzerSuite,
    resolved: ResolvedRepo,
    ctx: RunContext,
    cache_dir: Path,
    token: str | None = None,
    scope: AnalysisScope | None = None,
) -> RepoResult:
    """Run the analyzers over a resolved repo; skipped and failed repos pass straight through."""
    scope = scope or AnalysisScope()
    if resolved.action == "skip":
        return _result(ctx, resolved, "skipped", None, [], [])
    if resolved.action == "fail" or resolved.root is None:
        problems = [resolved.problem] if resolved.problem else []
        return _result(ctx, resolved, "failed", None, [], problems)
    started = time.monotonic()
    root = Path(resolved.root)
    try:
        if not root.is_dir() and resolved.spec.kind != "path":
            # On a cluster the clone may sit on another node's disk: fetch it here too.
            root = checkout(resolved.spec, cache_dir, token=token).root
        settings, notes = scope.for_repo(root)
        analysis = suite.analyze(
            root,
            resolved.spec.name,
            org=resolved.spec.org,
            commit_sha=resolved.commit_sha,
            settings=settings,
        )
    except Exception as exc:  # the repo fails, the sweep goes on
        problem = Problem(Stage.ANALYZE, ProblemKind.INTERNAL, f"{type(exc).__name__}: {exc}")
        return _result(ctx, resolved, "failed", None, [], [problem])
    seconds = resolved.seconds + time.monotonic() - started
    findings = scope.baseline.apply(analysis.findings) if scope.baseline else analysis.findings
    problems = [*notes, *analysis.problems]
    return _result(ctx, resolved, "audited", analysis, findings, problems, seconds)


def _result(
    ctx: RunContext,
    resolved: ResolvedRepo,
    status: str,
    analysis: RepoAnalysis | None,
    findings: list[Finding],
    problems: list[Problem],
    seconds: float | None = None,
) -> RepoResult:
    now = datetime.now(UTC)
    spec = resolved.spec
    inventory = analysis.inventory if analysis else None
    repo_row = {
        "run_id": ctx.run_id,
        "run_date": ctx.run_date,
        "repo_id": spec.repo_id,
        "org": spec.org,
        "repo": spec.name,
        "source_kind": spec.kind,
        "location": spec.location,
        "commit_sha": resolved.commit_sha,
        "revision": resolved.revision,
        "status": status,
        "previous_run_id": resolved.previous_run_id,
        "languages": list(inventory.languages.items()) if inventory else None,
        "files": inventory.files if inventory else None,
        "lines": inventory.lines if inventory else None,
        "bytes": inventory.bytes if inventory else None,
        "manifests": inventory.manifests if inventory else None,
        # reported findings; suppressed ones are rows too (findings.suppression is set)
        "findings": sum(f.suppression is None for f in findings) if status == "audited" else None,
        "errors": len(problems),
        "analyzer_versions": ctx.analyzer_versions,
        "duration_s": seconds if seconds is not None else resolved.seconds,
        "audited_at": now,
        "not_reported": list(analysis.not_reported.items()) if analysis else None,
        "excluded_files": analysis.excluded_files if analysis else None,
    }
    return RepoResult(
        repo_id=spec.repo_id,
        repos=pa.Table.from_pylist([repo_row], schema=REPOS),
        findings=findings_table(findings, ctx, spec.repo_id, now),
        errors=errors_table(problems, ctx, spec, now),
    )


def findings_table(
    findings: list[Finding], ctx: RunContext, repo_id: str | None, created_at: datetime
) -> pa.Table:
    rows = [
        {
            "finding_id": finding_id(ctx.run_id, f.fingerprint),
            "fingerprint": f.fingerprint,
            "run_id": ctx.run_id,
            "run_date": ctx.run_date,
            "org": f.org,
            "repo": f.repo,
            "repo_id": repo_id,
            "commit_sha": f.commit_sha,
            "file_path": f.file_path,
            "start_line": f.start_line,
            "end_line": f.end_line,
            "severity": f.severity.value,
            "confidence": f.confidence,
            "rule_id": f.rule_id,
            "analyzer": f.analyzer,
            "agent": f.agent,
            "source": f.source.value,
            "title": f.title,
            "description": f.description,
            "suggested_fix": f.suggested_fix,
            "cwe": f.cwe,
            "snippet": f.snippet,
            "model": f.model,
            "prompt_version": f.prompt_version,
            "created_at": created_at,
            "reported_by": list(f.reporters),
            "file_role": f.file_role.value,
            "suppression": f.suppression,
        }
        for f in findings
    ]
    return pa.Table.from_pylist(rows, schema=FINDINGS)


def errors_table(
    problems: list[Problem], ctx: RunContext, spec: RepoSpec, created_at: datetime
) -> pa.Table:
    rows = [
        {
            "run_id": ctx.run_id,
            "run_date": ctx.run_date,
            "repo_id": spec.repo_id,
            "repo": spec.name,
            "path": p.path,
            "stage": p.stage.value,
            "kind": p.kind.value,
            "analyzer": p.analyzer,
            "reason": p.reason,
            "created_at": created_at,
        }
        for p in problems
    ]
    return pa.Table.from_pylist(rows, schema=ERRORS)


@dataclass
class AuditSummary:
    """Running totals shown while the audit runs and printed at its end."""

    targets: int
    roles: frozenset[FileRole] = DEFAULT_ROLES  # whose findings are counted; all are stored
    repos: Counter[str] = field(default_factory=Counter)  # status -> count
    files: int = 0
    lines: int = 0
    findings: int = 0  # in files of the counted roles
    errors: int = 0
    by_severity: Counter[str] = field(default_factory=Counter)
    # a merged finding counts once, under all its rules: "B602/S602"
    by_rule: Counter[str] = field(default_factory=Counter)
    by_role: Counter[str] = field(default_factory=Counter)  # every role, counted or not
    not_reported: Counter[str] = field(default_factory=Counter)  # noise policy reason -> n
    # accepted findings, kept in the warehouse: rule (or "baseline") -> n
    suppressed: Counter[str] = field(default_factory=Counter)
    excluded_files: int = 0  # left out by the path settings
    failed: list[str] = field(default_factory=list)
    # the LLM pass (`--model`); llm_model stays None without one, and the summary unchanged
    llm_model: str | None = None
    llm_repos: int = 0
    llm_findings: int = 0
    llm_requests: int = 0
    llm_dropped: Counter[str] = field(default_factory=Counter)
    llm_left_out: int = 0

    def add(self, result: RepoResult) -> None:
        self.repos[result.status] += 1
        row = result.repos.to_pylist()[0]
        if result.status == "audited":
            self.files += row["files"] or 0
            self.lines += row["lines"] or 0
        elif result.status == "failed":
            reasons = result.errors.column("reason").to_pylist()
            self.failed.append(f"{row['repo']}: {reasons[0] if reasons else 'failed'}")
        self.errors += result.errors.num_rows
        self.not_reported.update(dict(row.get("not_reported") or []))
        self.excluded_files += row.get("excluded_files") or 0
        names = ["severity", "reported_by", "file_role", "suppression"]
        columns = result.findings.select(names).to_pydict()
        for severity, reporters, role, suppression in zip(*columns.values(), strict=True):
            role = role or FileRole.SOURCE.value
            rule = "/".join(sorted(r.split(":", 1)[-1] for r in reporters))
            if suppression is not None:
                self.suppressed[BASELINE if suppression.startswith(BASELINE) else rule] += 1
                continue
            self.by_role[role] += 1
            if role in self.roles:
                self.findings += 1
                self.by_severity[severity] += 1
                self.by_rule[rule] += 1

    def add_llm(
        self, *, findings: int, requests: int, dropped: Mapping[str, int], left_out: int
    ) -> None:
        """One repo's LLM pass; what it left out is in the errors table like any skipped file."""
        self.llm_repos += 1
        self.llm_findings += findings
        self.llm_requests += requests
        self.llm_dropped.update(dropped)
        self.llm_left_out += left_out
        self.errors += left_out

    @property
    def done(self) -> int:
        return sum(self.repos.values())

    def progress_line(self) -> str:
        return (
            f"repos {self.done}/{self.targets} "
            f"(audited {self.repos['audited']}, skipped {self.repos['skipped']}, "
            f"failed {self.repos['failed']}) · findings {self.findings}"
        )

    def as_dict(self, duration_s: float) -> dict[str, Any]:
        return {
            "repos": self.targets,
            "audited": self.repos["audited"],
            "skipped": self.repos["skipped"],
            "failed": self.repos["failed"],
            "files": self.files,
            "lines": self.lines,
            "findings": self.findings,
            "counted_roles": sorted(self.roles),
            "by_role": {r.value: self.by_role.get(r.value, 0) for r in FileRole},
            "not_reported": dict(sorted(self.not_reported.items())),
            "suppressed": dict(sorted(self.suppressed.items())),
            "excluded_files": self.excluded_files,
            "errors": self.errors,
            "by_severity": {
                s: self.by_severity.get(s, 0) for s in ("critical", "high", "medium", "low", "info")
            },
            "top_rules": dict(self.by_rule.most_common(10)),
            "duration_s": round(duration_s, 2),
            "lines_per_s": round(self.lines / duration_s, 1) if duration_s > 0 else None,
        } | ({"llm": self._llm_dict()} if self.llm_model else {})

    def _llm_dict(self) -> dict[str, Any]:
        return {
            "model": self.llm_model,
            "repos": self.llm_repos,
            "requests": self.llm_requests,
            "findings": self.llm_findings,
            "dropped": {r.value: self.llm_dropped.get(r.value, 0) for r in DropReason},
            "left_out": self.llm_left_out,
        }

    def _roles_text(self) -> str:
        if self.roles == ALL_ROLES:
            return "all files"
        return " and ".join(sorted(self.roles)) + " files (--all-roles counts every file)"

    def render(self, duration_s: float) -> str:
        data = self.as_dict(duration_s)
        severities = ", ".join(f"{k} {v}" for k, v in data["by_severity"].items())
        rules = "\n".join(f"    {n:>6}  {rule}" for rule, n in self.by_rule.most_common(10))
        lines = [
            "audit summary",
            f"  repos      {data['repos']} (audited {data['audited']}, "
            f"skipped {data['skipped']}, failed {data['failed']})",
            f"  files      {data['files']}",
            f"  lines      {data['lines']}",
            f"  findings   {data['findings']} in {self._roles_text()} ({severities})",
            "  by role    " + ", ".join(f"{k} {v}" for k, v in data["by_role"].items()),
            "  not reported "
            + (", ".join(f"{k} {v}" for k, v in data["not_reported"].items()) or "none")
            + " (noise policy and settings)",
            "  suppressed "
            + (", ".join(f"{k} {v}" for k, v in data["suppressed"].items()) or "none")
            + " (kept in the warehouse, findings.suppression)",
            f"  excluded   {data['excluded_files']} files (paths settings)",
            f"  errors     {data['errors']} (files or repos skipped, see the errors table)",
            f"  duration   {data['duration_s']} s",
            f"  throughput {data['lines_per_s']} lines/s",
        ]
        if self.llm_model:
            llm = data["llm"]
            dropped = ", ".join(f"{k} {v}" for k, v in llm["dropped"].items())
            lines.append(
                f"  llm        {llm['findings']} findings in {llm['repos']} repos, "
                f"{llm['requests']} requests to {llm['model']} (dropped: {dropped}; "
                f"left out {llm['left_out']}, see the errors table)"
            )
        if rules:
            lines += ["  top rules", rules]
        if self.failed:
            lines += ["  failed repos"] + [f"    {line}" for line in self.failed]
        return "\n".join(lines)
