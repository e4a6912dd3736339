"""secrets: hard-coded credentials in any text file, found by detect-secrets.

Every detect-secrets plugin is enabled with its default filters, configured in code: no
baseline or settings file is read, and no plugin ever verifies a secret over the network
(that takes a verification filter, which is never configured).

A secret is never stored. A finding keeps the secret type (rule_id `secret-keyword`, title
"Possible secret: Secret Keyword"), the line, and the line as snippet with every secret value
found on it replaced by `<redacted>`; when a value cannot be located verbatim on its line
(a transformer joined lines), the whole line is replaced.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from codeprism.analyzers.base import (
    MAX_SNIPPET_LINE_CHARS,
    REDACTED,
    FileAnalyzer,
    SourceText,
    clamp_lines,
)
from codeprism.findings import Finding, Severity

if TYPE_CHECKING:
    from codeprism.analysis import AnalysisConfig

# Plugins that match a general shape, not a vendor's token format: many false positives.
GENERIC_TYPES = frozenset({"Secret Keyword"})
# Ranked low: entropy detectors are what users mute most (hashes, ids, test data look random),
# and a public IP is not a credential at all. Under a review's cap they never crowd out a
# real finding (ranking is severity x confidence).
LOW_TYPES = frozenset({"Base64 High Entropy String", "Hex High Entropy String", "Public IP (ipv4)"})
CWE_HARD_CODED_CREDENTIALS = "CWE-798"


def rule_id(secret_type: str) -> str:
    """A stable id from detect-secrets' type name: 'AWS Access Key' -> 'aws-access-key'."""
    return re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-")


class SecretsAnalyzer(FileAnalyzer):
    name = "secrets"
    mapping_version = "2"
    distribution = "detect-secrets"

    def __init__(self, config: AnalysisConfig) -> None:
        super().__init__(config)
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.core.scan import scan_file
        from detect_secrets.settings import configure_settings_from_baseline, get_plugins

        plugins: list[type] = list(get_mapping_from_secret_type_to_class().values())
        configure_settings_from_baseline({"plugins_used": [{"name": p.__name__} for p in plugins]})
        get_plugins()  # instantiate the plugins now rather than on the first file
        self._scan_file = scan_file

    @classmethod
    def accepts(cls, rel_path: str) -> bool:
        return True  # every file that decoded as text

    def analyze(self, source: SourceText) -> list[Finding]:
        # detect-secrets reads the file itself (its transformers need a file object); the path
        # is the walked, resolved one below the repository root.
        found = list(self._scan_file(source.path))
        values_by_line: dict[int, set[str]] = defaultdict(set)
        for secret in found:
            if secret.secret_value:
                values_by_line[secret.line_number].add(secret.secret_value)
        return [self._finding(secret, source, values_by_line) for secret in found]

    def _finding(
        self, secret: Any, source: SourceText, values_by_line: dict[int, set[str]]
    ) -> Finding:
        line, _ = clamp_lines(source.lines, secret.line_number, secret.line_number)
        kind: str = secret.type
        if kind in LOW_TYPES:
            severity, confidence = Severity.LOW, 0.3
        elif kind in GENERIC_TYPES:
            severity, confidence = Severity.MEDIUM, 0.5
        else:
            severity, confidence = Severity.HIGH, 0.9
        text = source.lines[line - 1] if line <= len(source.lines) else ""
        return Finding(
            rule_id=rule_id(kind),
            analyzer=self.name,
            file_path=source.rel,
            start_line=line,
            end_line=line,
            severity=severity,
            confidence=confidence,
            title=f"Possible secret: {kind}",
            description=(
                f"detect-secrets found a potential {kind} on this line. The value is not "
                "stored; rotate it if it is real and load it from a secret store."
            ),
            cwe=CWE_HARD_CODED_CREDENTIALS,
            snippet=redact_line(text, values_by_line.get(secret.line_number, set())),
        )


def redact_line(line: str, values: set[str]) -> str:
    """The line with every secret value replaced; the whole line when one is not found."""
    redacted = line
    # Longest first, so that a value containing a shorter one is replaced whole.
    for value in sorted(values, key=len, reverse=True):
        if value not in line:
            return REDACTED
        redacted = redacted.replace(value, REDACTED)
    return redacted[:MAX_SNIPPET_LINE_CHARS]
