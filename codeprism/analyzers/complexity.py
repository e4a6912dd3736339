"""complexity: functions that are too complex or too long, in every language lizard reads.

Files are picked by lizard's own language detection (`get_reader_for`), so a new lizard
language is covered without a change here. Two rules:

- `cyclomatic-complexity`: CCN above `complexity_max_ccn` (low; medium from twice the limit).
- `function-length`: more than `complexity_max_length` lines of code (NLOC, comments and blank
  lines not counted), like lizard's `-L`.

The finding spans the whole function. Its snippet is lizard's normalised signature
(`name( a , b )`) rather than the first source lines: the function's identity, which does not
change when its body is edited or its signature re-wrapped, so the fingerprint is stable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codeprism.analyzers.base import (
    MAX_SNIPPET_LINE_CHARS,
    FileAnalyzer,
    SourceText,
    clamp_lines,
)
from codeprism.findings import Finding, Severity

if TYPE_CHECKING:
    from codeprism.analysis import AnalysisConfig

CWE_EXCESSIVE_COMPLEXITY = "CWE-1121"


class ComplexityAnalyzer(FileAnalyzer):
    name = "complexity"
    mapping_version = "1"
    distribution = "lizard"

    def __init__(self, config: AnalysisConfig) -> None:
        super().__init__(config)
        import lizard

        # The default extension set is what the lizard command line uses.
        self._lizard = lizard.FileAnalyzer(lizard.get_extensions([]))

    @classmethod
    def version(cls, config: AnalysisConfig) -> str:
        # The thresholds decide which functions are findings.
        limits = f"ccn{config.complexity_max_ccn}.nloc{config.complexity_max_length}"
        return f"{super().version(config)}.{limits}"

    @classmethod
    def accepts(cls, rel_path: str) -> bool:
        from lizard_languages import get_reader_for

        return get_reader_for(rel_path) is not None

    def analyze(self, source: SourceText) -> list[Finding]:
        info = self._lizard.analyze_source_code(source.rel, source.text)
        findings: list[Finding] = []
        for function in info.function_list:
            ccn, nloc = function.cyclomatic_complexity, function.nloc
            max_ccn, max_nloc = self.config.complexity_max_ccn, self.config.complexity_max_length
            if ccn > max_ccn:
                severity = Severity.MEDIUM if ccn >= 2 * max_ccn else Severity.LOW
                title = f"{function.name} has cyclomatic complexity {ccn} (limit {max_ccn})"
                fix = "Split the function or simplify its branching."
                findings.append(
                    self._finding(source, function, "cyclomatic-complexity", severity, title, fix)
                )
            if nloc > max_nloc:
                title = f"{function.name} has {nloc} lines of code (limit {max_nloc})"
                fix = "Extract parts of the function into smaller ones."
                findings.append(
                    self._finding(source, function, "function-length", Severity.LOW, title, fix)
                )
        return findings

    def _finding(
        self,
        source: SourceText,
        function: Any,
        rule: str,
        severity: Severity,
        title: str,
        fix: str,
    ) -> Finding:
        start, end = clamp_lines(source.lines, function.start_line, function.end_line)
        return Finding(
            rule_id=rule,
            analyzer=self.name,
            file_path=source.rel,
            start_line=start,
            end_line=end,
            severity=severity,
            confidence=1.0,  # a measurement, not a guess
            title=title,
            description=(
                f"lizard: {function.name} has CCN {function.cyclomatic_complexity}, "
                f"{function.nloc} NLOC, {function.parameter_count} parameters."
            ),
            suggested_fix=fix,
            cwe=CWE_EXCESSIVE_COMPLEXITY if rule == "cyclomatic-complexity" else None,
            snippet=str(function.long_name)[:MAX_SNIPPET_LINE_CHARS],
        )
