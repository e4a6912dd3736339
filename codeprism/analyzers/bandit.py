"""bandit: Python security checks (one finding per bandit issue).

bandit runs through its Python API with its built-in defaults (`BanditConfig()` with no file):
the repository's `.bandit`, `bandit.yaml` or `pyproject.toml` is never read. A fresh manager
per file keeps no state between files (creating one costs ~0.1 ms; the plugin set is loaded
once, by the first). `# nosec` is not honoured here: codeprism applies it and keeps the
suppressed finding (suppressions.py).

rule_id is bandit's test id (`B602`), severity and CWE are bandit's own, and its confidence
HIGH/MEDIUM/LOW becomes 0.9/0.6/0.3. Hard-coded password issues (B105-B107) quote the
password in bandit's text, so their title and snippet have string literals redacted.
"""

from __future__ import annotations

import ast
import io
import logging
import sys
from typing import TYPE_CHECKING, Any

from codeprism.analyzers.base import (
    FileAnalyzer,
    ParseFailure,
    SourceText,
    clamp_lines,
    redact_literals,
    snippet,
)
from codeprism.findings import Finding, Severity

if TYPE_CHECKING:
    from codeprism.analysis import AnalysisConfig

SEVERITY = {"HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW}
CONFIDENCE = {"HIGH": 0.9, "MEDIUM": 0.6, "LOW": 0.3}
CREDENTIAL_TESTS = frozenset({"B105", "B106", "B107"})
_SYNTAX_ERROR = "syntax error"


class BanditAnalyzer(FileAnalyzer):
    name = "bandit"
    mapping_version = "2"  # 2: `# nosec` findings are reported (codeprism keeps them)
    distribution = "bandit"

    def __init__(self, config: AnalysisConfig) -> None:
        super().__init__(config)
        from bandit.core import config as bandit_config
        from bandit.core import docs_utils, manager

        # bandit logs each file it cannot name as a module or scan; both are recorded otherwise.
        logging.getLogger("bandit").setLevel(logging.CRITICAL)
        self._manager_class = manager.BanditManager
        self._docs_url = docs_utils.get_url
        self._config = bandit_config.BanditConfig()
        self._manager_class(self._config, "file")  # load the plugin set now, not on file one

    @classmethod
    def version(cls, config: AnalysisConfig) -> str:
        # bandit parses with the running interpreter's `ast`: another Python, other results.
        py = f"py{sys.version_info.major}{sys.version_info.minor}"
        return f"{super().version(config)}.{py}"

    @classmethod
    def accepts(cls, rel_path: str) -> bool:
        return rel_path.endswith((".py", ".pyw"))

    def analyze(self, source: SourceText) -> list[Finding]:
        # codeprism applies `# nosec` itself and keeps what it suppresses (suppressions.py)
        mgr = self._manager_class(self._config, "file", ignore_nosec=True)
        # `_parse_file` is the one-file step of `run_tests`; calling it with the text we
        # already hold avoids a second read of the file and bandit's file discovery.
        mgr._parse_file(source.path, io.BytesIO(source.text.encode("utf-8")), [source.path])
        for _name, reason in mgr.skipped:
            if _SYNTAX_ERROR in reason:
                raise ParseFailure(_syntax_error_detail(source.text))
            raise RuntimeError(reason)
        return [self._finding(issue, source) for issue in mgr.results]

    def _finding(self, issue: Any, source: SourceText) -> Finding:
        start, end = clamp_lines(source.lines, issue.lineno, max(issue.linerange or [issue.lineno]))
        title = str(issue.text)
        code = snippet(source.lines, start, end)
        if issue.test_id in CREDENTIAL_TESTS:
            title, code = redact_literals(title), redact_literals(code)
        cwe_id = getattr(issue.cwe, "id", 0)
        return Finding(
            rule_id=issue.test_id,
            analyzer=self.name,
            file_path=source.rel,
            start_line=start,
            end_line=end,
            severity=SEVERITY.get(issue.severity, Severity.INFO),
            confidence=CONFIDENCE.get(issue.confidence, 0.3),
            title=title,
            description=f"bandit {issue.test_id} ({issue.test}): {self._docs_url(issue.test_id)}",
            cwe=f"CWE-{cwe_id}" if cwe_id else None,
            snippet=code,
        )


def _syntax_error_detail(text: str) -> str:
    """bandit only says "syntax error"; the parser says where and why."""
    try:
        ast.parse(text)
    except SyntaxError as exc:
        return f"syntax error at line {exc.lineno}: {exc.msg}"
    except ValueError as exc:  # e.g. source with NUL bytes
        return f"cannot parse: {exc}"
    return "syntax error"
