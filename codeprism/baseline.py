"""Baselines: accept today's findings, so that `audit` and `review` report only new ones.

    codeprism baseline create --repo PATH [--output FILE]
    codeprism audit PATH --baseline FILE --fail-on low
    codeprism review --repo PATH --base main --head HEAD --baseline FILE

A baseline is a JSON file of fingerprints. A fingerprint is the problem, the repository's
name, the file and the normalised flagged code (never the line number), so a finding keeps
its identity when code above it moves. A finding the baseline lists is kept with
`suppression = "baseline"`: in the warehouse, counted in the summaries, never reported or
counted by `--fail-on`. The file holds no code and no secret: fingerprints, rules and places.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from codeprism import __version__
from codeprism.errors import ConfigError
from codeprism.findings import Finding
from codeprism.suppressions import BASELINE

FORMAT = "codeprism-baseline"
FORMAT_VERSION = 1
DEFAULT_FILE = "codeprism-baseline.json"


@dataclass(frozen=True)
class Baseline:
    fingerprints: frozenset[str]
    path: str

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings, those the baseline lists marked as accepted (unless already)."""
        return [
            replace(f, suppression=BASELINE)
            if f.suppression is None and f.fingerprint in self.fingerprints
            else f
            for f in findings
        ]


def baseline_document(findings: Iterable[Finding], repo: str) -> dict[str, Any]:
    """The baseline of these findings (the reported ones: suppressed ones need no entry)."""
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint,
                # the rule as reported, for people: the problem's group name can be another
                # rule of the group (eval's B307 is in exec's B102 group); the fingerprint,
                # computed from the problem, is the identity
                "rule": f.rule_id,
                "file": f.file_path,
                "line": f.start_line,
                "severity": f.severity.value,
            }
            for f in findings
            if f.suppression is None and f.fingerprint
        ),
        key=lambda e: (e["file"], e["line"], e["rule"]),
    )
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "codeprism_version": __version__,
        "repo": repo,
        "findings": entries,
    }


def load_baseline(path: str | Path) -> Baseline:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the baseline {path}: {exc.strerror}") from None
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError included
        raise ConfigError(f"the baseline {path} is not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(
            f"{path} is not a codeprism baseline (create one with `codeprism baseline create`)"
        )
    version = data.get("version")
    if type(version) is not int or version != FORMAT_VERSION:  # not `true`, not 1.0
        raise ConfigError(
            f"the baseline {path} has version {version!r}; this codeprism reads {FORMAT_VERSION}"
        )
    entries = data.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise ConfigError(f"the baseline {path} has no valid findings list")
    return Baseline(frozenset(e["fingerprint"] for e in entries), str(path))
