"""semgrep: codeprism's own rule pack (`codeprism/rules/<language>/*.yaml`) for Python,
JavaScript/TypeScript, Go, Java and HTML templates.

One semgrep process per repository gets every accepted file as an explicit target (explicit
targets bypass the repository's `.semgrepignore` and `.gitignore`: the repository's own
configuration is never read). It runs offline: `--metrics=off`, no version check, and only the
packaged rules, never the registry. semgrep enforces the per-file deadline itself (`--timeout`
per rule and file; a file that times out is skipped) and reports such files as errors, which
become TIMEOUT problems. The process as a whole also has a deadline; a process that runs over
it or fails is bisected until the file that breaks it is alone, as for ruff.

semgrep pins library versions that clash with Ray's and vLLM's, so it is installed in an
environment of its own (`scripts/_venv.sh` puts it in `.venv/tools/semgrep`, linked as
`.venv/bin/semgrep`). It is looked up beside the running interpreter first, then on PATH.

Severity: ERROR/WARNING/INFO are high/medium/low, `metadata.severity` overrides; confidence
HIGH/MEDIUM/LOW is 0.9/0.6/0.3; CWE and the fix come from the rule.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeprism.analyzers.base import (
    BatchAnalyzer,
    BatchResult,
    arg_batches,
    clamp_lines,
    redact_literals,
    run_bisecting,
    snippet,
)
from codeprism.errors import ConfigError, Problem, ProblemKind, Stage
from codeprism.files import RepoFile, read_text, split_lines
from codeprism.findings import Finding, Severity
from codeprism.rules import compiled_pack, rules_digest

if TYPE_CHECKING:
    from codeprism.analysis import AnalysisConfig

EXTENSIONS = (
    ".py", ".pyw", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts",
    ".go", ".java", ".html", ".htm", ".jinja", ".jinja2", ".j2",
)  # fmt: skip
SEVERITY = {"ERROR": Severity.HIGH, "WARNING": Severity.MEDIUM, "INFO": Severity.LOW}
CONFIDENCE = {"HIGH": 0.9, "MEDIUM": 0.6, "LOW": 0.3}
TIMEOUT_THRESHOLD = 3  # rule timeouts on one file before semgrep gives the file up
MAX_MEMORY_MB = 4000
# The whole process: start-up, then a generous share per file; only a hung process hits it.
PROCESS_BASE_S = 120.0
PROCESS_PER_FILE_S = 2.0
# Rules that flag a literal: the literal (a password) is not stored.
CREDENTIAL_CATEGORY = "hardcoded-secret"


class SemgrepFailed(Exception):
    """semgrep exited with an error, or its output could not be read."""


def semgrep_binary() -> str:
    """The semgrep executable: beside this interpreter (the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / "semgrep"
    if beside.exists():
        return str(beside)
    found = shutil.which("semgrep")
    if found is None:
        raise ConfigError(
            "semgrep is not installed: run scripts/_venv.sh (it installs semgrep in "
            ".venv/tools/semgrep), or leave semgrep out of the analyzers"
        )
    return found


@cache
def _tool_version(binary: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own binary, no shell
        [binary, "--version", "--disable-version-check"],
        capture_output=True,
        text=True,
        timeout=120,
        env=_environment(),
        check=False,
    )
    if done.returncode != 0:
        raise ConfigError(f"semgrep --version failed: {done.stderr.strip()[-300:]}")
    return done.stdout.strip().splitlines()[-1]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
    return env


class SemgrepAnalyzer(BatchAnalyzer):
    name = "semgrep"
    mapping_version = "2"  # 2: `nosemgrep` findings are reported (codeprism keeps them)
    distribution = "semgrep"

    def __init__(self, config: AnalysisConfig, binary: str | None = None) -> None:
        super().__init__(config)
        self.binary = binary or semgrep_binary()

    @classmethod
    def version(cls, config: AnalysisConfig) -> str:
        """semgrep's version, our mapping's, and a digest of the rule pack."""
        return f"{_tool_version(semgrep_binary())}+{cls.mapping_version}.rules-{rules_digest()}"

    @classmethod
    def accepts(cls, rel_path: str) -> bool:
        return rel_path.lower().endswith(EXTENSIONS)

    def analyze_batch(self, root: str, files: Sequence[RepoFile]) -> BatchResult:
        result = BatchResult()
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_rel = {f.rel: f for f in files}
        for batch in arg_batches(files):
            for results, problems in run_bisecting(
                batch,
                lambda part: self._run(root, part),
                (subprocess.TimeoutExpired, SemgrepFailed),
                lambda file, exc: result.problems.append(_failure(file.rel, exc)),
            ):
                result.problems.extend(problems)
                for item in results:
                    found[item["path"]].append(item)
        for rel, items in sorted(found.items()):
            try:
                text = read_text(by_rel[rel], self.config.max_file_bytes)
                lines = split_lines(text) if isinstance(text, str) else []
                result.findings.extend(self._finding(rel, lines, item) for item in items)
            except Exception as exc:  # an output shape we did not expect: lose one file only
                reason = f"cannot map semgrep output: {type(exc).__name__}: {exc}"
                result.problems.append(_problem(rel, ProblemKind.ANALYZER_FAILED, reason))
        return result

    def _run(
        self, root: str, batch: Sequence[RepoFile]
    ) -> tuple[list[dict[str, Any]], list[Problem]]:
        command = [
            self.binary,
            "scan",
            "--metrics=off",
            "--disable-version-check",
            "--no-rewrite-rule-ids",
            "--disable-nosem",  # codeprism applies `nosemgrep` itself (suppressions.py)
            "--json",
            "--quiet",
            "--jobs=1",
            f"--config={compiled_pack()}",
            # semgrep takes whole seconds (and 0 would mean no limit)
            f"--timeout={max(1, math.ceil(self.config.file_timeout_s))}",
            f"--timeout-threshold={TIMEOUT_THRESHOLD}",
            f"--max-target-bytes={self.config.max_file_bytes}",
            f"--max-memory={MAX_MEMORY_MB}",
            "--",
            *(f.rel for f in batch),
        ]
        deadline = PROCESS_BASE_S + PROCESS_PER_FILE_S * len(batch)
        done = subprocess.run(  # noqa: S603 - our own binary and rules, no shell
            command,
            cwd=root,
            capture_output=True,
            timeout=max(deadline, self.config.file_timeout_s * TIMEOUT_THRESHOLD),
            env=_environment(),
            check=False,
        )
        # 0: no findings or findings; 1: findings with --error; 2+: a fatal error
        if done.returncode not in (0, 1):
            tail = done.stderr.decode("utf-8", "replace").strip()[-500:]
            raise SemgrepFailed(f"semgrep exited with {done.returncode}: {tail}")
        try:
            output: dict[str, Any] = json.loads(done.stdout)
        except json.JSONDecodeError as exc:
            raise SemgrepFailed(f"unreadable semgrep output: {exc}") from exc
        known = {f.rel for f in batch}
        results = [r for r in output.get("results", []) if r.get("path") in known]
        return results, _file_problems(output, known)

    def _finding(self, rel: str, lines: list[str], item: dict[str, Any]) -> Finding:
        rule_id = str(item["check_id"]).rsplit(".", 1)[-1]
        extra = item.get("extra", {})
        metadata = extra.get("metadata", {})
        start, end = clamp_lines(lines, item["start"]["line"], item["end"]["line"])
        severity = SEVERITY.get(str(extra.get("severity")).upper(), Severity.MEDIUM)
        if metadata.get("severity"):
            severity = Severity.parse(str(metadata["severity"]))
        message = " ".join(str(extra.get("message", "")).split())
        text = snippet(lines, start, end)
        if metadata.get("category") == CREDENTIAL_CATEGORY:
            text = redact_literals(text)
        return Finding(
            rule_id=rule_id,
            analyzer=self.name,
            file_path=rel,
            start_line=start,
            end_line=end,
            severity=severity,
            confidence=CONFIDENCE.get(str(metadata.get("confidence")).upper(), 0.6),
            title=_first_sentence(message),
            description=message,
            suggested_fix=_fix_sentences(message),
            cwe=_cwe(metadata.get("cwe")),
            snippet=text,
        )


def _failure(rel: str, exc: Exception) -> Problem:
    """The problem of the one file semgrep could not get through."""
    if isinstance(exc, subprocess.TimeoutExpired):
        return _problem(rel, ProblemKind.TIMEOUT, f"semgrep ran over {exc.timeout:g} s")
    return _problem(rel, ProblemKind.ANALYZER_FAILED, str(exc))


def _file_problems(output: dict[str, Any], known: set[str]) -> list[Problem]:
    """semgrep's per-file errors and skips as problems (warnings such as partial parsing,
    which still yield findings, are not problems)."""
    problems = []
    for error in output.get("errors", []):
        path = error.get("path")
        kind_text = json.dumps(error.get("type"))
        if path not in known:
            continue
        if "Timeout" in kind_text:
            kind = ProblemKind.TIMEOUT
        elif error.get("level") != "error":
            continue
        elif "Syntax" in kind_text or "Lexical" in kind_text or "Parse" in kind_text:
            kind = ProblemKind.PARSE
        else:
            kind = ProblemKind.ANALYZER_FAILED
        reason = " ".join(str(error.get("message") or kind_text).split())[:500]
        problems.append(_problem(path, kind, f"semgrep: {reason}"))
    for skipped in output.get("paths", {}).get("skipped", []) or []:
        if skipped.get("path") in known and "size" in str(skipped.get("reason", "")):
            problems.append(
                _problem(skipped["path"], ProblemKind.TOO_LARGE, "semgrep: larger than its limit")
            )
    return problems


def _problem(rel: str, kind: ProblemKind, reason: str) -> Problem:
    return Problem(
        stage=Stage.ANALYZE, kind=kind, reason=reason, path=rel, analyzer=SemgrepAnalyzer.name
    )


def _first_sentence(message: str) -> str:
    head, dot, _ = message.partition(". ")
    return (head + ("." if dot else "")).strip()[:300]


def _fix_sentences(message: str) -> str | None:
    _, dot, rest = message.partition(". ")
    return (rest.strip() or None) if dot else None


def _cwe(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not value:
        return None
    return str(value).split(":", 1)[0].strip()
