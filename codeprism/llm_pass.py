"""The LLM pass of the org-wide audit: the review agents read each repository's riskiest files.

Free of Ray, like `audit.py`; `jobs/audit_llm.py` wires these steps into Ray Data stages. The
pass runs after the static pass of a run and only over the repos that run audited (a repo
skipped as unchanged keeps the findings, LLM ones included, of the run that audited it).

1. Rank (`riskiest_files`): a file's risk is its severity-weighted static findings per 100
   lines (complexity findings left out; short files count as `MIN_LINES` long) plus the
   severity weight of its complexity findings (functions too complex or too long). A short
   file dense with findings and a file of tangled functions both come first. Only files with
   a static finding are candidates; test files (`is_test_path`) come after all others, since
   their `assert`s alone make them look dense; equal risks go in path order.
2. Plan (`plan_repo`): the N riskiest files are read as text, never run, by the rules of
   `files.py` (no symlink followed, size-capped, regular files only). Each is shown to the
   model as a newly added file, so every line is a "+" line it may cite, in hunks of
   `HUNK_LINES` lines: the review budget (`review.budget`) then splits a big file across calls
   at hunk boundaries and clips what fits nowhere. Every line left out becomes an `errors` row
   (stage `llm`), never a silent loss. The requests are the review's own
   (`review.runner.plan_requests`): the same prompts, a schema narrowed to the lines each
   request shows, the file's static findings as evidence. Lines the secrets analyzer flagged
   are redacted first, so no model can copy a secret into the warehouse.
3. Parse (`parse_answer`): the review's parser; a finding cites only a line its request showed.
4. Finish (`RepoReview.finish`): one repo's LLM findings are deduplicated by fingerprint among
   themselves and against the static findings (an LLM finding that confirms a static one is
   that static finding, already stored) and shaped into warehouse rows.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from codeprism.audit import RunContext, errors_table, findings_table
from codeprism.errors import ConfigError, Problem, ProblemKind, Stage
from codeprism.files import RepoFile, read_text, resolve_root, split_lines, walk_repo
from codeprism.findings import Finding, Severity, Source, finding_from_record
from codeprism.formatters.json import finding_record
from codeprism.llm.config import ModelConfig
from codeprism.llm.engines import Engine, completion_from_row, request_row
from codeprism.review.agents import AGENT_NAMES, load_agents
from codeprism.review.budget import OmitReason, Omitted
from codeprism.review.diff import DiffLine, FileDiff, FileStatus, Hunk
from codeprism.review.merge import merge_findings
from codeprism.review.output import DropReason, parse_review_output
from codeprism.review.runner import PlannedRequest, ReviewConfig, ReviewResult, plan_requests
from codeprism.schema import LLM_PASSES
from codeprism.sources import RepoSpec, checkout
from codeprism.suppressions import reported
from codeprism.warehouse import Warehouse, sql_literal

SEVERITY_WEIGHT: dict[Severity, float] = {
    Severity.CRITICAL: 8.0,
    Severity.HIGH: 4.0,
    Severity.MEDIUM: 2.0,
    Severity.LOW: 1.0,
    Severity.INFO: 0.5,
}
COMPLEXITY_ANALYZER = "complexity"
SECRETS_ANALYZER = "secrets"
DENSITY_PER_LINES = 100
# A 3-line file with one finding is not 30 times riskier than a 100-line one with one.
MIN_LINES = 20
# Budget granularity for whole files: a file bigger than one call is split across calls at
# these bounds (a piece bigger than a whole call is clipped, so smaller pieces lose less;
# each costs a header of a dozen tokens).
HUNK_LINES = 40
LLM_ANALYZER = "llm"


@dataclass(frozen=True)
class LlmPassConfig:
    files: int = 5  # riskiest files reviewed per repository
    agents: tuple[str, ...] = AGENT_NAMES
    max_findings_per_agent: int = 5  # per answer; the schema holds the model to it
    max_calls_per_file: int = 2  # the budget of one repo is files x this many calls

    def __post_init__(self) -> None:
        if self.files < 1 or self.max_findings_per_agent < 1 or self.max_calls_per_file < 1:
            raise ConfigError(
                "--llm-files, --llm-max-findings and calls per file must be at least 1"
            )
        if not self.agents:
            raise ConfigError("--llm-agents names no agent")
        load_agents(self.agents)  # unknown names fail here, before any model starts

    def review_config(self) -> ReviewConfig:
        return ReviewConfig(
            agents=self.agents,
            max_findings_per_agent=self.max_findings_per_agent,
            max_calls=self.files * self.max_calls_per_file,
            static=False,
        )

    def prompt_versions(self) -> list[str]:
        return [agent.prompt_version for agent in load_agents(self.agents)]


# -- 1. rank ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankedFile:
    path: str
    lines: int
    risk: float
    findings: int  # static findings in the file, complexity ones included
    complex_functions: int  # complexity findings


def riskiest_files(
    findings: Iterable[Finding], lines: Mapping[str, int], n: int
) -> list[RankedFile]:
    """The `n` riskiest of the files that have static findings and a known line count."""
    weight: defaultdict[str, float] = defaultdict(float)
    complexity: defaultdict[str, float] = defaultdict(float)
    counts: Counter[str] = Counter()
    complex_functions: Counter[str] = Counter()
    for finding in findings:
        path = finding.file_path
        if path not in lines:
            continue
        counts[path] += 1
        if finding.analyzer == COMPLEXITY_ANALYZER:
            complexity[path] += SEVERITY_WEIGHT[finding.severity]
            complex_functions[path] += 1
        else:
            weight[path] += SEVERITY_WEIGHT[finding.severity]
    ranked = [
        RankedFile(
            path=path,
            lines=lines[path],
            risk=DENSITY_PER_LINES * weight[path] / max(lines[path], MIN_LINES) + complexity[path],
            findings=counts[path],
            complex_functions=complex_functions[path],
        )
        for path in counts
    ]
    ranked.sort(key=lambda r: (is_test_path(r.path), -r.risk, r.path))
    return ranked[: max(n, 0)]


TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "spec", "specs"})
_TEST_STEM_ENDINGS = ("_test", ".test", "_spec", ".spec", "Test", "Tests")


def is_test_path(path: str) -> bool:
    """Test code by the usual layouts: `tests/...`, `test_x.py`, `x_test.go`, `x.spec.ts`,
    `XTest.java`, `conftest.py`."""
    *dirs, name = path.split("/")
    stem = name.split(".", 1)[0] if not name.startswith(".") else name
    full_stem = name.rsplit(".", 1)[0]
    return (
        any(part in TEST_DIRS for part in dirs)
        or name.startswith("test_")
        or name == "conftest.py"
        or stem.endswith(_TEST_STEM_ENDINGS)
        or full_stem.endswith(_TEST_STEM_ENDINGS)
    )


# -- 2. plan ---------------------------------------------------------------------------------


def file_as_added(path: str, lines: Sequence[str], hunk_lines: int = HUNK_LINES) -> FileDiff:
    """A whole file as a newly added file: every line a "+" line, in hunks of `hunk_lines`."""
    hunks = []
    for start in range(0, len(lines), hunk_lines):
        part = lines[start : start + hunk_lines]
        diff_lines = tuple(
            DiffLine("+", text, None, start + offset + 1) for offset, text in enumerate(part)
        )
        hunks.append(Hunk(0, 0, start + 1, len(part), "", diff_lines))
    return FileDiff(old_path=None, new_path=path, status=FileStatus.ADDED, hunks=tuple(hunks))


def redact_secrets(lines: Sequence[str], findings: Iterable[Finding]) -> list[str]:
    """The lines with every line of a secrets finding replaced by a marker (numbering kept)."""
    redacted = list(lines)
    for finding in findings:
        # merged findings name the secrets analyzer among their reporters, not as `analyzer`
        if not any(r.startswith(f"{SECRETS_ANALYZER}:") for r in finding.reporters):
            continue
        for number in range(finding.start_line, min(finding.end_line, len(redacted)) + 1):
            redacted[number - 1] = f"[secret redacted by codeprism: {finding.rule_id}]"
    return redacted


def file_lines(text: str) -> list[str]:
    """Lines as the analyzers number them; a final newline does not start another line."""
    lines = split_lines(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_files(
    root: Path, paths: Iterable[str], max_bytes: int
) -> tuple[dict[str, list[str]], list[Problem]]:
    """The lines of each wanted file under `root`, read by `files.py` rules, and why not."""
    wanted = set(paths)
    texts: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for item in walk_repo(resolve_root(root)):
        if not isinstance(item, RepoFile) or item.rel not in wanted:
            continue
        text = read_text(item, max_bytes)
        if isinstance(text, Problem):
            problems.append(replace(text, stage=Stage.LLM, analyzer=LLM_ANALYZER))
        else:
            texts[item.rel] = file_lines(text)
    for missing in sorted(wanted - texts.keys() - {p.path for p in problems}):
        problems.append(
            _problem(ProblemKind.NOT_FOUND, "no longer a regular file in the repository", missing)
        )
    return texts, problems


@dataclass
class RepoPlan:
    files: list[RankedFile]
    requests: list[PlannedRequest]
    problems: list[Problem]


def plan_repo(
    root: Path,
    static: Sequence[Finding],
    counter: Engine,
    model: ModelConfig,
    config: LlmPassConfig,
    max_file_bytes: int,
) -> RepoPlan:
    """The requests that review a checked-out repo's riskiest files, and what is left out."""
    texts, problems = read_files(root, {f.file_path for f in static}, max_file_bytes)
    lines = {path: len(text) for path, text in texts.items() if text}
    # risk and evidence are what the audit reports; accepted (suppressed) findings are not,
    # but their secrets are redacted all the same
    ranked = riskiest_files(reported(static), lines, config.files)
    chosen = {r.path for r in ranked}
    evidence = [f for f in reported(static) if f.file_path in chosen]
    by_path: defaultdict[str, list[Finding]] = defaultdict(list)
    for finding in static:
        by_path[finding.file_path].append(finding)
    files = [file_as_added(r.path, redact_secrets(texts[r.path], by_path[r.path])) for r in ranked]
    result = ReviewResult(findings=[])
    planned = plan_requests(files, evidence, counter, model, config.review_config(), result)
    problems += [omitted_problem(o) for o in result.omitted]
    return RepoPlan(ranked, planned, problems)


def check_context(counter: Engine, model: ModelConfig, config: LlmPassConfig) -> None:
    """Raise ConfigError now if the prompts and the answer leave no room for code."""
    plan_requests([], [], counter, model, config.review_config(), ReviewResult(findings=[]))


def omitted_problem(omitted: Omitted) -> Problem:
    ranges = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in omitted.line_ranges)
    too_large = omitted.reason in (OmitReason.TOO_LARGE_CLIPPED, OmitReason.OVER_BUDGET)
    reason = f"not shown to the model ({omitted.reason.value})"
    reason += f": lines {ranges}" if ranges else ""
    reason += f"; {omitted.detail}" if omitted.detail else ""
    kind = ProblemKind.TOO_LARGE if too_large else ProblemKind.INTERNAL
    return _problem(kind, reason, omitted.path)


def _problem(kind: ProblemKind, reason: str, path: str | None = None) -> Problem:
    return Problem(Stage.LLM, kind, reason, path=path, analyzer=LLM_ANALYZER)


# -- rows between the stages (Ray Data columns) ---------------------------------------------

# One row per repo (kind "repo": its plan) and one per request (kind "request").
PLAN_ROW = pa.schema(
    [
        pa.field("kind", pa.string()),
        pa.field("repo_id", pa.string()),
        pa.field("repo", pa.string()),
        pa.field("requests", pa.int64()),
        pa.field("plan_json", pa.string()),
        pa.field("agent", pa.string()),
        pa.field("visible_json", pa.string()),
        pa.field("messages_json", pa.string()),
        pa.field("schema_json", pa.string()),
    ]
)
# Carried through the inference stage next to the answer.
REQUEST_KEYS = ("repo_id", "repo", "agent", "visible_json")


@dataclass(frozen=True)
class PendingRepo:
    """A repo this run audited whose LLM pass is not written yet."""

    spec: RepoSpec
    revision: str | None
    commit_sha: str | None
    static: list[Finding]

    def to_row(self) -> dict[str, Any]:
        return {
            "spec": self.spec.model_dump_json(),
            "revision": self.revision,
            "commit_sha": self.commit_sha,
            "static_json": json.dumps([finding_record(f) for f in self.static]),
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PendingRepo:
        return cls(
            spec=RepoSpec.model_validate_json(row["spec"]),
            revision=row["revision"],
            commit_sha=row["commit_sha"],
            static=[finding_from_record(r) for r in json.loads(row["static_json"])],
        )


def plan_rows(
    pending: PendingRepo,
    counter: Engine,
    model: ModelConfig,
    config: LlmPassConfig,
    *,
    cache_dir: Path,
    token: str | None,
    max_file_bytes: int,
) -> list[dict[str, Any]]:
    """The plan stage for one repo: its "repo" row, then its "request" rows. Never raises: a
    repo that cannot be planned gets a "repo" row with the reason and no requests."""
    spec = pending.spec
    requests: list[PlannedRequest] = []
    files: list[RankedFile] = []
    try:
        fetched = checkout(spec, cache_dir, token=token)
        if pending.revision is not None and fetched.revision != pending.revision:
            problems = [
                _problem(
                    ProblemKind.INTERNAL,
                    f"changed since the static pass ({pending.revision} -> {fetched.revision}); "
                    "not reviewed, so that LLM and static findings describe the same code",
                )
            ]
        else:
            plan = plan_repo(fetched.root, pending.static, counter, model, config, max_file_bytes)
            requests, files, problems = plan.requests, plan.files, plan.problems
    except Exception as exc:  # one repo's failure must not end the pass
        problems = [_problem(ProblemKind.INTERNAL, f"{type(exc).__name__}: {exc}")]
    head = {
        "kind": "repo",
        "repo_id": spec.repo_id,
        "repo": spec.name,
        "requests": len(requests),
        "plan_json": json.dumps(
            {"files": [asdict(f) for f in files], "problems": [asdict(p) for p in problems]}
        ),
    }
    rows = [head]
    for item in requests:
        visible = {path: _ranges(lines) for path, lines in item.chunk.visible_lines.items()}
        rows.append(
            {
                "kind": "request",
                "repo_id": spec.repo_id,
                "repo": spec.name,
                "agent": item.agent.name,
                "visible_json": json.dumps(visible),
                **request_row(item.request),
            }
        )
    return rows


def _ranges(lines: Iterable[int]) -> list[list[int]]:
    """Sorted line numbers as [first, last] runs (whole files: a few runs, not 1000s of ints)."""
    runs: list[list[int]] = []
    for number in sorted(lines):
        if runs and runs[-1][1] == number - 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return runs


def _lines(runs: Iterable[Sequence[int]]) -> frozenset[int]:
    return frozenset(n for first, last in runs for n in range(first, last + 1))


# -- 3. parse --------------------------------------------------------------------------------


def parse_answer(row: Mapping[str, Any], model_name: str) -> dict[str, Any]:
    """One inference row (the `REQUEST_KEYS` plus the answer) -> the findings it holds."""
    completion = completion_from_row(dict(row))
    answer: dict[str, Any] = {
        "repo_id": row["repo_id"],
        "agent": row["agent"],
        "output_tokens": completion.output_tokens,
        "error": completion.error,
        "findings_json": "[]",
        "dropped_json": json.dumps({DropReason.INVALID.value: 1} if completion.error else {}),
    }
    if completion.error:
        return answer
    visible = {path: _lines(runs) for path, runs in json.loads(row["visible_json"]).items()}
    parsed = parse_review_output(
        completion.text,
        agent=load_agents([row["agent"]])[0],
        model=model_name,
        visible_lines=visible,
        repo=row["repo"],
    )
    answer["findings_json"] = json.dumps([finding_record(f) for f in parsed.findings])
    answer["dropped_json"] = json.dumps({r.value: n for r, n in parsed.dropped.items()})
    return answer


# -- 4. finish -------------------------------------------------------------------------------


@dataclass
class RepoReview:
    """One repo's LLM pass in the driver, as its plan and then its answers come in."""

    pending: PendingRepo
    expected: int | None = None  # requests planned; None until the plan row arrives
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    answers: int = 0
    output_tokens: int = 0

    def planned(self, row: Mapping[str, Any]) -> None:
        plan = json.loads(row["plan_json"])
        self.expected = int(row["requests"])
        self.files = [f["path"] for f in plan["files"]]
        self.problems += [_problem_from(p) for p in plan["problems"]]

    def answered(self, answer: Mapping[str, Any]) -> None:
        self.answers += 1
        self.output_tokens += int(answer["output_tokens"] or 0)
        self.dropped.update(json.loads(answer["dropped_json"]))
        self.findings += [finding_from_record(r) for r in json.loads(answer["findings_json"])]
        if answer["error"]:
            self.problems.append(
                _problem(ProblemKind.INTERNAL, f"agent {answer['agent']}: {answer['error']}"[:500])
            )

    @property
    def complete(self) -> bool:
        return self.expected is not None and self.answers >= self.expected

    def finish(self, ctx: RunContext, model_name: str, prompt_versions: list[str]) -> LlmResult:
        """Warehouse rows of the pass; answers that never came are recorded, not waited for."""
        spec = self.pending.spec
        expected = self.expected or 0
        if self.expected is None:
            self.problems.append(_problem(ProblemKind.INTERNAL, "the plan stage lost this repo"))
        elif self.answers < expected:
            self.problems.append(
                _problem(
                    ProblemKind.INTERNAL,
                    f"{expected - self.answers} of {expected} answers "
                    "never came back from the inference stage",
                )
            )
        findings = self._deduplicated()
        now = datetime.now(UTC)
        passes_row = {
            "run_id": ctx.run_id,
            "run_date": ctx.run_date,
            "repo_id": spec.repo_id,
            "repo": spec.name,
            "model": model_name,
            "prompt_versions": prompt_versions,
            "files": self.files,
            "requests": expected,
            "findings": len(findings),
            "dropped": [(r.value, self.dropped.get(r.value, 0)) for r in DropReason],
            "left_out": len(self.problems),
            "output_tokens": self.output_tokens,
            "finished_at": now,
        }
        return LlmResult(
            repo_id=spec.repo_id,
            findings=findings_table(findings, ctx, spec.repo_id, now),
            errors=errors_table(self.problems, ctx, spec, now),
            passes=pa.Table.from_pylist([passes_row], schema=LLM_PASSES),
            requests=expected,
            dropped=Counter(self.dropped),
        )

    def _deduplicated(self) -> list[Finding]:
        """One finding per fingerprint, and none that is a static finding of the run again."""
        reviewed = set(self.files)
        static = [f for f in self.pending.static if f.file_path in reviewed]
        merged = merge_findings(
            static, self.findings, max_findings=len(static) + len(self.findings)
        )
        stored = {f.fingerprint for f in static}
        kept = [
            replace(f, org=self.pending.spec.org, commit_sha=self.pending.commit_sha)
            for f in merged.findings
            if f.source is Source.LLM and f.fingerprint not in stored
        ]
        self.dropped[DropReason.DUPLICATE.value] += len(self.findings) - len(kept)
        return sorted(kept, key=lambda f: (f.file_path, f.start_line, f.rule_id, f.fingerprint))


def _problem_from(data: Mapping[str, Any]) -> Problem:
    return Problem(
        stage=Stage(data["stage"]),
        kind=ProblemKind(data["kind"]),
        reason=data["reason"],
        path=data.get("path"),
        analyzer=data.get("analyzer"),
    )


@dataclass
class LlmResult:
    """One repo's LLM pass as warehouse tables (see `Warehouse.write_llm_results`)."""

    repo_id: str
    findings: pa.Table
    errors: pa.Table
    passes: pa.Table
    requests: int
    dropped: Counter[str]


# -- warehouse reads -------------------------------------------------------------------------


def pending_repos(
    warehouse: Warehouse, run_id: str, specs: Sequence[RepoSpec]
) -> list[PendingRepo]:
    """Repos of `specs` that this run audited (not skipped, not failed) and whose LLM pass is
    not written yet, each with its static findings of the run."""
    run = sql_literal(run_id)
    audited = warehouse.query(
        "SELECT repo_id, revision, commit_sha FROM repos "
        f"WHERE run_id = {run} AND status = 'audited'",
        ["repos"],
    ).to_pylist()
    done = warehouse.llm_done_repo_ids(run_id)
    by_id = {spec.repo_id: spec for spec in specs}
    rows = [r for r in audited if r["repo_id"] in by_id and r["repo_id"] not in done]
    if not rows:
        return []
    ids = ", ".join(sql_literal(r["repo_id"]) for r in rows)
    static: defaultdict[str, list[Finding]] = defaultdict(list)
    records = warehouse.query(
        f"SELECT * FROM findings WHERE run_id = {run} AND source = 'static' AND repo_id IN ({ids})",
        ["findings"],
    ).to_pylist()
    for record in records:
        static[record["repo_id"]].append(finding_from_record(record))
    return [
        PendingRepo(by_id[r["repo_id"]], r["revision"], r["commit_sha"], static[r["repo_id"]])
        for r in sorted(rows, key=lambda r: r["repo_id"])
    ]


def llm_findings_count(warehouse: Warehouse, run_id: str) -> int:
    rows = warehouse.query(
        "SELECT SUM(COALESCE(findings, 0)) AS n FROM llm_passes "
        f"WHERE run_id = {sql_literal(run_id)}",
        ["llm_passes"],
    )
    return int(rows.column("n")[0].as_py() or 0)
