"""One review: a diff in; merged static and LLM findings, and an account of all left out.

The steps, each in its own module: parse the diff (`diff.py`), run the static analyzers on
the new versions of the changed files and keep their findings on changed lines (the evidence),
fit the diff into the model's context (`budget.py`), ask every agent about every chunk in one
batch (`agents.py`, the engine), parse each answer against the lines that chunk showed
(`output.py`), and merge, deduplicate and cap (`merge.py`). Nothing from the reviewed code is
ever executed: files are read as bytes and handed to the analyzers and the model as text.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from codeprism.analysis import AnalysisConfig, AnalyzerSuite
from codeprism.baseline import Baseline
from codeprism.errors import ConfigError
from codeprism.file_roles import FileRole
from codeprism.findings import Finding
from codeprism.llm.config import ModelConfig
from codeprism.llm.engines import ChatRequest, Engine
from codeprism.noise import ALL_ROLES, DEFAULT_ROLES, by_role, in_roles
from codeprism.review.agents import AGENT_NAMES, Agent, build_messages, load_agents
from codeprism.review.budget import Chunk, Omitted, plan_budget
from codeprism.review.diff import FileDiff, FileStatus, parse_diff
from codeprism.review.merge import merge_findings
from codeprism.review.output import DropReason, output_json_schema, parse_review_output
from codeprism.settings.apply import is_excluded, role_of
from codeprism.settings.model import Settings
from codeprism.sources.git import regular_files
from codeprism.sources.gitcmd import run_git, summarise
from codeprism.suppressions import BASELINE, reported

# Room for the chat template's own tokens, which counting the message texts does not see.
TEMPLATE_ALLOWANCE = 64


@dataclass(frozen=True)
class ReviewConfig:
    agents: tuple[str, ...] = AGENT_NAMES
    max_findings: int = 20  # per review, after merging, ranked by severity x confidence
    max_findings_per_agent: int = 5  # per answer; the schema holds the model to it
    max_calls: int = 4  # chunks of one diff; what does not fit is recorded as over budget
    static: bool = True
    analysis: AnalysisConfig = AnalysisConfig()
    # findings in files of other roles (tests, examples, vendored, generated) are not posted
    roles: frozenset[FileRole] = DEFAULT_ROLES
    # this review's settings (paths, tests, rules, instructions; see settings/), built for
    # this review alone and never shared with another
    settings: Settings = Settings()
    baseline: Baseline | None = None  # findings it lists are accepted, not reported

    def __post_init__(self) -> None:
        load_agents(self.agents)  # unknown names fail here, before any model starts
        if self.max_findings < 1 or self.max_findings_per_agent < 1 or self.max_calls < 1:
            raise ConfigError("max_findings, max_findings_per_agent and max_calls must be >= 1")

    @classmethod
    def from_settings(
        cls, settings: Settings, baseline: Baseline | None = None, **tuning: Any
    ) -> ReviewConfig:
        """The review a Settings value asks for; `tuning`: fields settings do not hold."""
        return cls(
            agents=settings.review.agents,
            max_findings=settings.review.max_findings,
            analysis=AnalysisConfig.from_settings(settings),
            roles=ALL_ROLES if settings.all_roles else DEFAULT_ROLES,
            settings=settings,
            baseline=baseline,
            **tuning,
        )


@dataclass
class ReviewResult:
    findings: list[Finding]
    dropped: Counter[DropReason] = field(default_factory=Counter)
    omitted: list[Omitted] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    requests: int = 0
    output_tokens: int = 0
    model: str | None = None
    not_shown: Counter[str] = field(default_factory=Counter)  # file role -> findings left out
    suppressed: Counter[str] = field(default_factory=Counter)  # rule or "baseline" -> findings
    # what the repository's settings asked for and did not get: shown on the review
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """What the formatters print under the findings."""
        return {
            "files": self.files,
            "model": self.model,
            "llm_requests": self.requests,
            "dropped": {reason.value: self.dropped.get(reason, 0) for reason in DropReason},
            "omitted": [
                {"path": o.path, "reason": o.reason.value, "detail": o.detail} for o in self.omitted
            ],
        } | {
            key: value
            for key, value in (
                ("not_shown_by_role", dict(sorted(self.not_shown.items()))),
                ("suppressed", dict(sorted(self.suppressed.items()))),
                ("warnings", list(self.warnings)),
            )
            if value
        }


@dataclass(frozen=True)
class PlannedRequest:
    agent: Agent
    chunk: Chunk
    request: ChatRequest


def diff_from_repo(repo: Path, base: str, head: str, timeout_s: float = 120.0) -> bytes:
    """`git diff base head` of a local repository, as bytes (renames detected)."""
    result = run_git(
        ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "-M", base, head, "--"],
        cwd=repo,
        timeout_s=timeout_s,
    )
    if result.returncode != 0:
        raise ConfigError(f"git diff {base} {head} failed: {summarise(result.stderr)}")
    return result.raw_stdout


def review(
    files: Sequence[FileDiff],
    *,
    engine: Engine | None,
    model: ModelConfig | None,
    config: ReviewConfig,
    tree: Path | None = None,
    repo: str = "",
) -> ReviewResult:
    """Review parsed diff files; without an engine only the static analyzers run.

    `tree` holds the new versions of the changed files (from `--repo`); without it, only
    added files, whose whole text is in the diff, can be analysed statically.
    """
    result = ReviewResult(findings=[], files=len(files))
    evidence = static_evidence(files, tree, config, result, repo) if config.static else []
    llm: list[Finding] = []
    if engine is not None and model is not None:
        llm = llm_findings(files, evidence, engine, model, config, result, repo)
    return merge_into(result, evidence, llm, config)


def llm_findings(
    files: Sequence[FileDiff],
    evidence: Sequence[Finding],
    engine: Engine,
    model: ModelConfig,
    config: ReviewConfig,
    result: ReviewResult,
    repo: str,
) -> list[Finding]:
    """Every agent's findings on the diff, parsed against the lines each request showed.

    Files the settings exclude are not shown to the agents (nor analysed statically), and
    settings that name no agent ask for no LLM review."""
    files = [f for f in files if not is_excluded(f.path, config.settings)]
    if not files or not config.agents:
        return []
    result.model = engine.model_name
    # the agents see what the review reports: accepted findings are not their evidence
    planned = plan_requests(
        files, reported(_with_baseline(evidence, config)), engine, model, config, result
    )
    return _ask(planned, engine, result, repo)


def merge_into(
    result: ReviewResult,
    evidence: Sequence[Finding],
    llm: Sequence[Finding],
    config: ReviewConfig,
) -> ReviewResult:
    """Merge static and LLM findings into `result`: deduplicated, capped, drops counted.

    Only reported findings in files of the configured roles take part; the others (other
    roles, suppressed in the code, listed in the baseline) are counted."""
    llm = [replace(f, file_role=role_of(f.file_path, None, config.settings)) for f in llm]
    evidence, llm = _with_baseline(evidence, config), _with_baseline(llm, config)
    result.suppressed.update(
        BASELINE if f.suppression == BASELINE else f.problem
        for f in [*evidence, *llm]
        if f.suppression is not None
    )
    evidence, llm = reported(evidence), reported(llm)
    every = [*evidence, *llm]
    result.not_shown.update(by_role(f for f in every if f.file_role not in config.roles))
    merged = merge_findings(
        in_roles(evidence, config.roles),
        in_roles(llm, config.roles),
        max_findings=config.max_findings,
    )
    result.findings = merged.findings
    result.dropped.update(merged.dropped)
    return result


def _with_baseline(findings: Sequence[Finding], config: ReviewConfig) -> list[Finding]:
    return config.baseline.apply(findings) if config.baseline else list(findings)


def plan_requests(
    files: Sequence[FileDiff],
    evidence: Sequence[Finding],
    engine: Engine,
    model: ModelConfig,
    config: ReviewConfig,
    result: ReviewResult,
) -> list[PlannedRequest]:
    """Every agent on every chunk, the agents of one chunk next to each other (prefix cache)."""
    agents = load_agents(config.agents)
    guidance = config.settings.review.instructions
    overhead = max(
        _tokens(engine, build_messages(a, "", evidence, config.max_findings_per_agent, guidance))
        for a in agents
    )
    room = model.max_model_len - model.sampling.max_tokens - overhead - TEMPLATE_ALLOWANCE
    if room < 100:
        raise ConfigError(
            f"max_model_len {model.max_model_len} leaves no room for a diff after the prompt "
            f"and the answer ({model.sampling.max_tokens} tokens); raise it or lower max_tokens"
        )
    plan = plan_budget(files, engine.count_tokens, room, config.max_calls)
    result.omitted.extend(plan.omitted)
    planned = []
    for chunk in plan.chunks:
        shown = [f for f in evidence if f.start_line in chunk.visible_lines.get(f.file_path, ())]
        schema = output_json_schema(chunk.visible_lines, config.max_findings_per_agent)
        for agent in agents:
            messages = build_messages(
                agent, chunk.text, shown, config.max_findings_per_agent, guidance
            )
            planned.append(PlannedRequest(agent, chunk, ChatRequest(messages, schema)))
    return planned


def _ask(
    planned: Sequence[PlannedRequest], engine: Engine, result: ReviewResult, repo: str
) -> list[Finding]:
    completions = engine.complete([p.request for p in planned])
    result.requests += len(planned)
    findings: list[Finding] = []
    for item, completion in zip(planned, completions, strict=True):
        result.output_tokens += completion.output_tokens
        if completion.error:
            result.dropped[DropReason.INVALID] += 1
            result.notes.append(f"invalid: {item.agent.name}: engine error: {completion.error}")
            continue
        parsed = parse_review_output(
            completion.text,
            agent=item.agent,
            model=engine.model_name,
            visible_lines=item.chunk.visible_lines,
            repo=repo,
        )
        findings += parsed.findings
        result.dropped.update(parsed.dropped)
        result.notes += [f"{item.agent.name}: {note}" for note in parsed.notes]
    return findings


def _tokens(engine: Engine, messages: Sequence[dict[str, str]]) -> int:
    return sum(engine.count_tokens(m["content"]) for m in messages)


def static_evidence(
    files: Sequence[FileDiff],
    tree: Path | None,
    config: ReviewConfig,
    result: ReviewResult,
    repo: str,
) -> list[Finding]:
    """Static findings on changed lines only: unchanged code is not this review's business."""
    changed = {f.path: f.changed_lines for f in files if f.changed_lines}
    with tempfile.TemporaryDirectory(prefix="codeprism-review-") as scratch:
        root = Path(scratch)
        written = 0
        for file in files:
            if file.path in changed and _copy_new_version(file, tree, root, result):
                written += 1
        if not written:
            return []
        with AnalyzerSuite(config.analysis) as suite:
            analysis = suite.analyze(root, repo, settings=config.settings)
    for problem in analysis.problems:
        result.notes.append(f"static: {problem.path}: {problem.kind.value}: {problem.reason}")
    return [f for f in analysis.findings if f.start_line in changed.get(f.file_path, ())]


def _copy_new_version(file: FileDiff, tree: Path | None, root: Path, result: ReviewResult) -> bool:
    """Put the new text of a changed file under `root`; False (with a note) when unknown."""
    relative = PurePosixPath(file.path)
    if not _stays_inside(relative):
        result.notes.append(f"static: {file.path}: path leaves the repository; not analysed")
        return False
    if file.is_binary:
        return False
    if file.new_mode in _NOT_FILE_MODES:  # the diff's "text" of a link is its target path
        kind = _NOT_FILE_MODES[file.new_mode]
        result.notes.append(f"static: {file.path}: a {kind}; not analysed")
        return False
    if tree is not None:
        source = tree / relative
        if not source.is_file() or source.is_symlink():
            result.notes.append(f"static: {file.path}: not in the head tree; not analysed")
            return False
        data = source.read_bytes()
    elif file.status is FileStatus.ADDED:
        lines = [line.text for hunk in file.hunks for line in hunk.lines if line.kind == "+"]
        data = ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")
    else:
        result.notes.append(f"static: {file.path}: only the diff is known (give --repo)")
        return False
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return True


def head_paths(files: Sequence[FileDiff]) -> list[str]:
    """The changed files whose head version the static analyzers read."""
    return [
        f.path
        for f in files
        if f.status is not FileStatus.DELETED
        and not f.is_binary
        and f.new_mode not in _NOT_FILE_MODES
        and f.changed_lines
        and _stays_inside(PurePosixPath(f.path))
    ]


def head_tree(
    repo: Path, head: str, files: Sequence[FileDiff], dest: Path, timeout_s: float = 120.0
) -> Path:
    """Write the head version of each changed file under `dest` (git blobs, never checked out
    or run); paths that are not regular files at the head (symlinks, submodules) are left
    out, and `static_evidence` notes them."""
    deadline = time.monotonic() + timeout_s
    blobs = regular_files(repo, head, head_paths(files), deadline)
    return write_blobs(repo, blobs, dest, deadline)


def write_blobs(repo: Path, blobs: Mapping[str, str], dest: Path, deadline: float) -> Path:
    """Write each path's blob (path -> blob id, as `regular_files` gives) under `dest`; a blob
    the repository lacks is left out."""
    for path, blob_id in blobs.items():
        left = deadline - time.monotonic()
        blob = run_git(["cat-file", "blob", blob_id], cwd=repo, timeout_s=left)
        if blob.returncode != 0:
            continue
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob.raw_stdout)
    return dest


_NOT_FILE_MODES = {"120000": "symlink", "160000": "submodule"}


def _stays_inside(relative: PurePosixPath) -> bool:
    return bool(relative.parts) and not relative.is_absolute() and ".." not in relative.parts


__all__ = [
    "PlannedRequest",
    "ReviewConfig",
    "ReviewResult",
    "diff_from_repo",
    "head_paths",
    "head_tree",
    "llm_findings",
    "merge_into",
    "parse_diff",
    "plan_requests",
    "review",
    "static_evidence",
    "write_blobs",
]
