"""ruff: Python lint, including the flake8-bandit `S` security rules.

The ruff binary runs with `--isolated` (the repository's pyproject.toml / ruff.toml are never
read: they could switch rules off or point at other files), an explicit rule selection, no
cache and JSON output. Many files go into one invocation because ruff's start-up costs more
than linting a file. A batch gets the per-file deadline as a whole; when it runs over, it is
bisected until the file that keeps ruff busy is alone, and that file alone is a TIMEOUT.

Severity and CWE: a table for the rules whose risk is known (the S rules follow bandit's
ratings), else a default per rule prefix. A syntax error is a PARSE problem, not a finding, and
ruff's findings for that file are dropped (its error recovery guesses at the rest).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Sequence
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
from codeprism.errors import Problem, ProblemKind, Stage
from codeprism.files import RepoFile, read_text, split_lines
from codeprism.findings import Finding, Severity

if TYPE_CHECKING:
    from codeprism.analysis import AnalysisConfig

# E9: syntax and I/O errors; F: pyflakes; B: bugbear; S: bandit; PLE: pylint errors;
# T10: debugger calls left in.
SELECT = ("E9", "F", "B", "S", "PLE", "T10")

_H, _M, _L = Severity.HIGH, Severity.MEDIUM, Severity.LOW
# code -> (severity, CWE). The S ratings follow bandit's for the same check.
RULES: dict[str, tuple[Severity, str | None]] = {
    "S101": (_L, "CWE-703"),
    "S102": (_M, "CWE-78"),
    "S103": (_M, "CWE-732"),
    "S104": (_M, "CWE-605"),
    "S105": (_L, "CWE-259"),
    "S106": (_L, "CWE-259"),
    "S107": (_L, "CWE-259"),
    "S108": (_M, "CWE-377"),
    "S110": (_L, "CWE-703"),
    "S112": (_L, "CWE-703"),
    "S113": (_M, "CWE-400"),
    "S201": (_H, "CWE-94"),
    "S202": (_H, "CWE-22"),
    "S301": (_M, "CWE-502"),
    "S302": (_M, "CWE-502"),
    "S303": (_M, "CWE-327"),
    "S304": (_H, "CWE-327"),
    "S305": (_M, "CWE-327"),
    "S306": (_M, "CWE-377"),
    "S307": (_M, "CWE-78"),
    "S308": (_M, "CWE-80"),
    "S310": (_M, "CWE-22"),
    "S311": (_L, "CWE-330"),
    "S312": (_H, "CWE-319"),
    "S313": (_M, "CWE-20"),
    "S314": (_M, "CWE-20"),
    "S315": (_M, "CWE-20"),
    "S316": (_M, "CWE-20"),
    "S317": (_M, "CWE-20"),
    "S318": (_M, "CWE-20"),
    "S319": (_M, "CWE-20"),
    "S321": (_H, "CWE-319"),
    "S323": (_M, "CWE-295"),
    "S324": (_H, "CWE-327"),
    "S501": (_H, "CWE-295"),
    "S502": (_H, "CWE-327"),
    "S503": (_M, "CWE-327"),
    "S504": (_L, "CWE-327"),
    "S505": (_H, "CWE-326"),
    "S506": (_M, "CWE-20"),
    "S507": (_H, "CWE-295"),
    "S508": (_M, "CWE-319"),
    "S509": (_M, "CWE-319"),
    "S601": (_M, "CWE-78"),
    "S602": (_H, "CWE-78"),
    "S603": (_L, "CWE-78"),
    "S604": (_M, "CWE-78"),
    "S605": (_H, "CWE-78"),
    "S606": (_L, "CWE-78"),
    "S607": (_L, "CWE-78"),
    "S608": (_M, "CWE-89"),
    "S609": (_H, "CWE-78"),
    "S610": (_M, "CWE-89"),
    "S611": (_M, "CWE-89"),
    "S612": (_M, "CWE-94"),
    "S701": (_H, "CWE-94"),
    "S702": (_M, "CWE-80"),
    # pyflakes checks that fail at run time rather than being dead code.
    "F821": (_M, None),
    "F822": (_M, None),
    "F823": (_M, None),
    "F632": (_M, None),
    "F811": (_M, None),
    # bugbear checks that are real bugs more often than style.
    "B006": (_M, None),
    "B008": (_M, None),
    "B012": (_M, None),
    "B023": (_M, None),
}
# prefix -> (severity, confidence) for everything not in RULES.
PREFIXES: dict[str, tuple[Severity, float]] = {
    "S": (_M, 0.6),
    "F": (_L, 0.9),
    "B": (_L, 0.8),
    "PLE": (_M, 0.9),
    "T10": (_M, 0.9),
    "E": (_M, 0.9),
}
CREDENTIAL_RULES = frozenset({"S105", "S106", "S107"})
_RULE_CODE = re.compile(r"^[A-Z]+[0-9]+$")
_SYNTAX_CODES = frozenset({"invalid-syntax", "E999", "syntax-error"})


class RuffFailed(Exception):
    """ruff exited with an error for this batch."""


class RuffAnalyzer(BatchAnalyzer):
    name = "ruff"
    mapping_version = "2"  # 2: findings under noqa markers are reported (codeprism keeps them)
    distribution = "ruff"

    def __init__(self, config: AnalysisConfig, binary: str | None = None) -> None:
        super().__init__(config)
        if binary is None:
            from ruff.__main__ import find_ruff_bin

            binary = str(find_ruff_bin())
        self.binary = binary

    @classmethod
    def accepts(cls, rel_path: str) -> bool:
        return rel_path.endswith((".py", ".pyi"))

    def analyze_batch(self, root: str, files: Sequence[RepoFile]) -> BatchResult:
        result = BatchResult()
        by_rel = {f.rel: f for f in files}
        diagnostics: dict[str, list[dict[str, Any]]] = defaultdict(list)
        timeout = self.config.file_timeout_s
        for batch in arg_batches(files):
            for found in run_bisecting(
                batch,
                lambda part: self._run(root, part),
                (subprocess.TimeoutExpired, RuffFailed),
                lambda file, exc: result.problems.append(_batch_problem(file, exc, timeout)),
            ):
                for item in found:
                    diagnostics[item["rel"]].append(item)
        for rel, items in sorted(diagnostics.items()):
            try:
                self._map_file(by_rel[rel], items, result)
            except Exception as exc:  # an output shape we did not expect: lose one file only
                reason = f"cannot map ruff output: {type(exc).__name__}: {exc}"
                result.problems.append(
                    _problem(by_rel[rel], ProblemKind.ANALYZER_FAILED, reason, self.name)
                )
        return result

    def _run(self, root: str, batch: Sequence[RepoFile]) -> list[dict[str, Any]]:
        """Every finding, each marked `noqa` when ruff's own markers accept it.

        ruff runs twice: with `--ignore-noqa` (everything) and without (what its markers
        leave). The difference is what `# noqa`, `# ruff: noqa` and their placement rules
        (the first line of a multi-line import, the last of a string) accept: codeprism keeps
        those findings as suppressed (suppressions.py) instead of never seeing them."""
        everything = self._check(root, batch, "--ignore-noqa")
        left = {_identity(item) for item in self._check(root, batch)}
        for item in everything:
            item["noqa"] = _identity(item) not in left
        return everything

    def _check(self, root: str, batch: Sequence[RepoFile], *options: str) -> list[dict[str, Any]]:
        command = [
            self.binary,
            "check",
            "--isolated",
            *options,
            "--no-cache",
            "--exit-zero",
            "--output-format",
            "json",
            "--select",
            ",".join(SELECT),
            "--",
            *(f.rel for f in batch),
        ]
        # subprocess.run kills ruff when the deadline passes (TimeoutExpired).
        done = subprocess.run(  # noqa: S603 - fixed binary, no shell
            command,
            cwd=root,
            capture_output=True,
            timeout=self.config.file_timeout_s,
            check=False,
        )
        if done.returncode != 0:
            tail = done.stderr.decode("utf-8", "replace").strip()[-500:]
            raise RuffFailed(f"ruff exited with {done.returncode}: {tail}")
        try:
            items: list[dict[str, Any]] = json.loads(done.stdout or b"[]")
        except json.JSONDecodeError as exc:
            raise RuffFailed(f"unreadable ruff output: {exc}") from exc
        abs_to_rel = {f.path: f.rel for f in batch}
        for item in items:
            item["rel"] = abs_to_rel.get(item.get("filename", ""), "")
            if not item["rel"]:
                raise RuffFailed(f"ruff reported an unknown file {item.get('filename')!r}")
        return items

    def _map_file(self, file: RepoFile, items: list[dict[str, Any]], out: BatchResult) -> None:
        syntax = [i for i in items if i.get("code") in _SYNTAX_CODES or i.get("code") is None]
        if syntax:
            first = min(syntax, key=lambda i: i["location"]["row"])
            reason = f"syntax error at line {first['location']['row']}: {first['message']}"
            out.problems.append(_problem(file, ProblemKind.PARSE, reason, self.name))
            return
        failures = [i for i in items if not _RULE_CODE.match(str(i.get("code")))]
        if failures:  # e.g. E902 is an I/O error, a panic has no rule code
            reason = "; ".join(f"{i.get('code')}: {i.get('message')}" for i in failures)
            out.problems.append(_problem(file, ProblemKind.ANALYZER_FAILED, reason, self.name))
            return
        text = read_text(file, self.config.max_file_bytes)
        lines = split_lines(text) if isinstance(text, str) else []
        out.findings.extend(self._finding(file, lines, item) for item in items)

    def _finding(self, file: RepoFile, lines: list[str], item: dict[str, Any]) -> Finding:
        code: str = item["code"]
        start, end = item["location"]["row"], item["end_location"]["row"]
        if end > start and item["end_location"]["column"] == 1:
            end -= 1  # a range that ends at the start of a line does not cover that line
        start, end = clamp_lines(lines, start, end)
        severity, confidence = _by_prefix(code)
        severity, cwe = RULES.get(code, (severity, None))
        title, text = str(item["message"]), snippet(lines, start, end)
        if code in CREDENTIAL_RULES:
            title, text = redact_literals(title), redact_literals(text)
        fix = item.get("fix") or {}
        return Finding(
            rule_id=code,
            analyzer=self.name,
            file_path=file.rel,
            start_line=start,
            end_line=end,
            severity=severity,
            confidence=confidence,
            title=title,
            description=f"ruff {code} ({item.get('name', '')}): {item.get('url') or ''}",
            suggested_fix=fix.get("message"),
            cwe=cwe,
            snippet=text,
            suppression=f"noqa[{code}]" if item.get("noqa") else None,
        )


def _identity(item: dict[str, Any]) -> tuple[Any, ...]:
    location = item.get("location") or {}
    return (item.get("rel"), item.get("code"), location.get("row"), location.get("column"))


def _by_prefix(code: str) -> tuple[Severity, float]:
    """The defaults of the longest known prefix (T10 before T, PLE before E)."""
    for prefix in sorted(PREFIXES, key=len, reverse=True):
        if code.startswith(prefix) and code[len(prefix) :].isdigit():
            return PREFIXES[prefix]
    return Severity.LOW, 0.8


def _problem(file: RepoFile, kind: ProblemKind, reason: str, analyzer: str) -> Problem:
    return Problem(stage=Stage.ANALYZE, kind=kind, reason=reason, path=file.rel, analyzer=analyzer)


def _batch_problem(file: RepoFile, exc: Exception, timeout: float) -> Problem:
    if isinstance(exc, subprocess.TimeoutExpired):
        return _problem(file, ProblemKind.TIMEOUT, f"ruff ran over {timeout:g} s", "ruff")
    return _problem(file, ProblemKind.ANALYZER_FAILED, str(exc), "ruff")
