"""Static analysis of one checked-out repository: the entry point the audit and review use.

`AnalyzerSuite` is created once per analysis process (a Ray actor) and reused for many
repositories: the tools are loaded once, in a persistent worker process. For each repository
it walks the files once (see `files.py`), records what cannot be analysed as a `Problem`, feeds
each text file to the analyzers that accept it, and returns fingerprinted findings, the
problems and the inventory. One bad file never stops the sweep: it becomes a Problem.

How files reach the analyzers:
- in-process analyzers (bandit, secrets, complexity) get each file in the worker, one
  analyzer at a time, each under `file_timeout_s` (see `analyzers/worker.py`);
- batch analyzers (ruff) get the accepted files after the walk, in large batches, bisected
  down to the slow file when a batch runs over the deadline (see `analyzers/ruff.py`).

When an analyzer cannot parse a file, it reports one PARSE problem and no findings for that
file; the other analyzers' findings for it are kept (a secret in a broken file is still a
leaked secret). Only the first PARSE problem per file is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from codeprism.analyzers import ALWAYS_ON, BatchAnalyzer, FileAnalyzer, analyzer_class
from codeprism.analyzers import inventory as inventory_
from codeprism.analyzers.inventory import Inventory, InventoryCounter
from codeprism.analyzers.secrets import SecretsAnalyzer
from codeprism.analyzers.semgrep import SemgrepAnalyzer
from codeprism.analyzers.worker import Worker
from codeprism.errors import ConfigError, Problem, ProblemKind
from codeprism.file_roles import FileRole
from codeprism.files import RepoFile, read_text, resolve_root, walk_repo
from codeprism.findings import Finding, with_fingerprints
from codeprism.noise import apply_noise_policy
from codeprism.same_problem import merge_same_problems
from codeprism.settings.apply import apply_rule_settings, is_excluded, role_of, secrets_only
from codeprism.settings.model import Settings
from codeprism.suppressions import Marker, apply_suppressions, find_markers

SECRETS = SecretsAnalyzer.name

__all__ = ["AnalysisConfig", "AnalyzerSuite", "Inventory", "RepoAnalysis", "analyzer_versions"]


@dataclass(frozen=True)
class AnalysisConfig:
    analyzers: tuple[str, ...] = (
        "ruff",
        "bandit",
        "semgrep",
        "secrets",
        "complexity",
    )  # + inventory
    max_file_bytes: int = 2_000_000  # bigger files -> TOO_LARGE, never read
    file_timeout_s: float = 60.0  # per file, per analyzer
    complexity_max_ccn: int = 15
    complexity_max_length: int = 150  # function length in lines of code (NLOC)

    def __post_init__(self) -> None:
        for name in self.analyzers:
            if name != ALWAYS_ON:
                analyzer_class(name)  # raises ConfigError for an unknown name
        if self.max_file_bytes < 1:
            raise ConfigError("max_file_bytes must be positive")
        if self.file_timeout_s <= 0:
            raise ConfigError("file_timeout_s must be positive")
        if self.complexity_max_ccn < 1 or self.complexity_max_length < 1:
            raise ConfigError("complexity limits must be positive")

    @classmethod
    def from_settings(cls, settings: Settings) -> AnalysisConfig:
        """The tools to load and their limits (the operator's settings; a repository's own
        settings narrow what is reported per `analyze` call, see `settings/apply.py`)."""
        return cls(
            analyzers=settings.analyzers,
            max_file_bytes=settings.limits.max_file_bytes,
            file_timeout_s=settings.limits.file_timeout_s,
        )


@dataclass
class RepoAnalysis:
    # one per problem and place (merged across analyzers), fingerprinted, with the file's
    # role; repo, org and commit_sha filled. Suppressed findings are here too, with their
    # `suppression` set: kept, never reported (see suppressions.py).
    findings: list[Finding]
    problems: list[Problem]  # per-file problems (stage ANALYZE), paths repository-relative
    inventory: Inventory
    # noise policy and settings: reason -> findings not reported
    not_reported: dict[str, int] = field(default_factory=dict)
    excluded_files: int = 0  # left out by paths.include / paths.exclude, never read


@dataclass
class _Sweep:
    """What one `analyze` call accumulates."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    inventory: InventoryCounter = field(default_factory=InventoryCounter)
    roles: dict[str, FileRole] = field(default_factory=dict)  # path -> role
    markers: dict[str, dict[int, list[Marker]]] = field(default_factory=dict)  # suppressions
    excluded: int = 0


def analyzer_versions(config: AnalysisConfig) -> dict[str, str]:
    """Analyzer name -> `<tool version>+<mapping version>`, without starting any tool."""
    names = dict.fromkeys(n for n in config.analyzers if n != ALWAYS_ON)
    versions = {name: analyzer_class(name).version(config) for name in names}
    versions[ALWAYS_ON] = inventory_.version()
    return versions


class AnalyzerSuite:
    """The configured analyzers, loaded once and reused for many repositories.

    Not for concurrent use from several threads (calls are serialised by a lock). Call
    `close()` (or use it as a context manager) to stop the worker process; a worker whose
    parent is gone exits by itself.
    """

    def __init__(self, config: AnalysisConfig) -> None:
        self.config = config
        names = list(dict.fromkeys(n for n in config.analyzers if n != ALWAYS_ON))
        classes = [analyzer_class(name) for name in names]
        self._batch = [cls(config) for cls in classes if issubclass(cls, BatchAnalyzer)]
        self._file_classes = [cls for cls in classes if issubclass(cls, FileAnalyzer)]
        self._versions = analyzer_versions(config)
        self._lock = threading.Lock()
        self._worker: Worker | None = None
        if self._file_classes:
            self._worker = Worker(config, [cls.name for cls in self._file_classes])
            self._worker.start()

    @property
    def versions(self) -> dict[str, str]:
        """Analyzer name -> `<tool version>+<mapping version>`."""
        return dict(self._versions)

    def analyze(
        self,
        root: Path,
        repo: str,
        org: str | None = None,
        commit_sha: str | None = None,
        settings: Settings | None = None,
    ) -> RepoAnalysis:
        """`settings`: this repository's (paths, tests, analyzers, rules; default: the
        defaults). Safe to vary per call: the suite itself holds no per-repository state."""
        settings = settings or Settings()
        real_root = resolve_root(root)
        with self._lock:
            sweep = _Sweep()
            batch_files: dict[str, list[RepoFile]] = {a.name: [] for a in self._batch}
            for item in walk_repo(real_root):
                path = item.path if isinstance(item, Problem) else item.rel
                if path is not None and is_excluded(path, settings):
                    if isinstance(item, RepoFile):
                        sweep.excluded += 1
                        if secrets_only(item.rel, settings):
                            self._analyze_file(item, sweep, batch_files, settings, only=SECRETS)
                elif isinstance(item, Problem):
                    sweep.problems.append(item)
                else:
                    self._analyze_file(item, sweep, batch_files, settings)
            for analyzer in self._batch:
                result = analyzer.analyze_batch(real_root, batch_files[analyzer.name])
                sweep.findings.extend(result.findings)
                sweep.problems.extend(result.problems)
        findings = [
            replace(
                f,
                repo=repo,
                org=org,
                commit_sha=commit_sha,
                file_role=sweep.roles.get(f.file_path) or role_of(f.file_path, None, settings),
            )
            for f in sweep.findings
        ]
        kept, not_reported = apply_noise_policy(
            merge_same_problems(findings), self._semgrep_checked(batch_files, sweep.problems)
        )
        kept, by_settings = apply_rule_settings(kept, settings)
        not_reported.update(by_settings)
        return RepoAnalysis(
            findings=with_fingerprints(apply_suppressions(kept, sweep.markers)),
            problems=_deduplicated(sweep.problems),
            inventory=sweep.inventory.result(),
            not_reported=dict(sorted(not_reported.items())),
            excluded_files=sweep.excluded,
        )

    @staticmethod
    def _semgrep_checked(
        batch_files: dict[str, list[RepoFile]], problems: list[Problem]
    ) -> set[str]:
        """The files semgrep analysed without a problem (see `noise.is_reminder`)."""
        failed = {p.path for p in problems if p.analyzer == SemgrepAnalyzer.name}
        return {f.rel for f in batch_files.get(SemgrepAnalyzer.name, ())} - failed

    def _analyze_file(
        self,
        file: RepoFile,
        sweep: _Sweep,
        batch_files: dict[str, list[RepoFile]],
        settings: Settings,
        only: str | None = None,
    ) -> None:
        """Read one file and hand it to the analyzers that accept it (`only`: to that one
        alone, for an excluded file that the secrets analyzer still reads)."""
        if only is None:
            sweep.inventory.add_file(file.rel, file.size)
        text = read_text(file, self.config.max_file_bytes)
        if isinstance(text, Problem):
            sweep.problems.append(text)
            return
        if only is None:
            sweep.inventory.add_text(file.rel, text)
        sweep.roles[file.rel] = role_of(file.rel, text, settings)
        markers = find_markers(text)
        if markers:
            sweep.markers[file.rel] = markers
        if not text:
            return  # nothing to find in an empty file; saves a round trip per __init__.py
        for analyzer in self._batch:
            if analyzer.accepts(file.rel) and only in (None, analyzer.name):
                batch_files[analyzer.name].append(file)
        names = [
            cls.name
            for cls in self._file_classes
            if cls.accepts(file.rel) and only in (None, cls.name)
        ]
        if names and self._worker is not None:
            findings, problems = self._worker.run(file, text, names)
            sweep.findings.extend(findings)
            sweep.problems.extend(problems)

    def close(self) -> None:
        """Stop the worker process (a later `analyze` would start a fresh one)."""
        if self._worker is not None:
            with self._lock:
                self._worker.close()

    def __enter__(self) -> AnalyzerSuite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _deduplicated(problems: Iterable[Problem]) -> list[Problem]:
    """One problem per (path, kind, analyzer), and one PARSE per path whoever reported it."""
    seen: set[tuple[str | None, ProblemKind, str | None]] = set()
    kept = []
    for problem in problems:
        analyzer = None if problem.kind is ProblemKind.PARSE else problem.analyzer
        key = (problem.path, problem.kind, analyzer)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return sorted(kept, key=lambda p: (p.path or "", p.kind.value, p.analyzer or ""))
