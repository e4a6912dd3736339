"""`sarif`: SARIF 2.1.0 as GitHub code scanning reads it.

One run per analyzer (driver `codeprism-<analyzer>`), because GitHub tracks and closes
alerts per tool; findings from the LLM agents go into one `codeprism-llm` run whatever agent
made them. A result's identity across commits is `partialFingerprints`, derived from
`Finding.fingerprint`, which survives reformatting and line shifts; GitHub uses it instead of
hashing the flagged line itself.

Paths are repo-relative URIs under `%SRCROOT%`: GitHub resolves them against the checkout, so
a SARIF from an org audit is uploaded per repository (one repo's findings per file).

A suppressed finding is a result with `suppressions`: kind `inSource` with the marker as its
justification, or kind `external` for one listed in a baseline file. SARIF viewers hide such
results; keeping them lets a viewer show what was accepted, and why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from codeprism.findings import Finding, Severity, Source, with_fingerprints
from codeprism.formatters._common import one_line, ordered
from codeprism.suppressions import BASELINE

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LLM_RUN = "llm"
# versioned: a new fingerprint recipe gets a new key (v2: the problem, not the rule, so
# bandit's and ruff's reports of one problem share it)
FINGERPRINT_KEY = "codeprism/v2"

# Where a person looks up an analyzer's rules (SARIF makes informationUri optional: the LLM
# run, self-hosted, has no public page and gets none).
_INFORMATION_URIS = {
    "ruff": "https://docs.astral.sh/ruff/rules/",
    "bandit": "https://bandit.readthedocs.io/",
    "secrets": "https://github.com/Yelp/detect-secrets",
    "complexity": "https://github.com/terryyin/lizard",
    "semgrep": "https://semgrep.dev/docs/",
}

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# GitHub reads security-severity in bands: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium,
# below that low. One value inside each band keeps codeprism's severity on GitHub's page.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
    Severity.INFO: "1.0",
}

_SECURITY_ANALYZERS = frozenset({"bandit", "secrets", "semgrep"})
_RUFF_SECURITY_RULE = re.compile(r"S\d{3}")  # flake8-bandit rules in ruff
_CWE_NUMBER = re.compile(r"\d+")


def render(
    findings: Sequence[Finding],
    *,
    tool_version: str,
    summary: Mapping[str, object] | None = None,
) -> str:
    groups: dict[str, list[Finding]] = {}
    for finding in ordered(_fingerprinted(findings)):
        groups.setdefault(_run_key(finding), []).append(finding)
    for analyzer in _analyzers_that_ran(summary):
        groups.setdefault(analyzer, [])
    if not groups:
        # An empty log still names the tool, so the file uploads and says "ran, found nothing".
        groups[""] = []
    keys = sorted(groups, key=lambda k: (k == LLM_RUN, k))
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [_run(key, groups[key], tool_version) for key in keys],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def artifact_uri(file_path: str) -> str:
    """A repo-relative URI reference: forward slashes, no leading `./` or `/`, escaped.

    `file_path` is repo-relative by contract; a leading slash means the repo root, never the
    filesystem root. Escaping `:` matters: `c:x.py` would otherwise read as a URI scheme.
    """
    path = file_path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return quote(path.lstrip("/"), safe="/")


def primary_location_line_hash(fingerprint: str) -> str:
    """GitHub's key, in GitHub's shape (16 hex digits, `:`, occurrence).

    The codeprism fingerprint already tells repeated code apart, so the occurrence is 1.
    """
    return f"{fingerprint[:16]}:1"


def _fingerprinted(findings: Sequence[Finding]) -> Sequence[Finding]:
    # SARIF without fingerprints makes GitHub re-open alerts on every line shift.
    return findings if all(f.fingerprint for f in findings) else with_fingerprints(findings)


def _run_key(finding: Finding) -> str:
    return LLM_RUN if finding.source is Source.LLM else finding.analyzer


def _analyzers_that_ran(summary: Mapping[str, object] | None) -> list[str]:
    names = summary.get("analyzers") if summary else None
    if isinstance(names, Sequence) and not isinstance(names, str):
        return [str(name) for name in names]
    return []


def _run(key: str, findings: list[Finding], tool_version: str) -> dict[str, object]:
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    rule_ids = sorted(by_rule)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    driver = {
        "name": f"codeprism-{key}" if key else "codeprism",
        "version": tool_version,
        "rules": [_rule(rule_id, by_rule[rule_id]) for rule_id in rule_ids],
    }
    if key in _INFORMATION_URIS:
        driver["informationUri"] = _INFORMATION_URIS[key]
    run: dict[str, object] = {
        "tool": {"driver": driver},
        "results": [_result(f, index[f.rule_id]) for f in findings],
    }
    if key == LLM_RUN and findings:
        run["properties"] = {
            "agents": sorted({f.agent for f in findings if f.agent}),
            "models": sorted({f.model for f in findings if f.model}),
            "prompt_versions": sorted({f.prompt_version for f in findings if f.prompt_version}),
        }
    return run


def _rule(rule_id: str, findings: list[Finding]) -> dict[str, object]:
    worst = findings[0]  # findings arrive worst first
    tags: list[str] = []
    properties: dict[str, object] = {"tags": tags}
    if any(_is_security(f) for f in findings):
        # GitHub reads security-severity only on rules tagged "security".
        tags.append("security")
        properties["security-severity"] = _SECURITY_SEVERITY[worst.severity]
    cwes = {n for f in findings for n in _cwe_numbers(f.cwe)}
    tags += [f"external/cwe/cwe-{n}" for n in sorted(cwes)]
    agents = {f.agent for f in findings if f.agent and f.source is Source.LLM}
    tags += sorted(agents - set(tags))  # SARIF tags are a set: the security agent is "security"
    return {
        "id": rule_id,
        "shortDescription": {"text": one_line(worst.title, 1024)},
        "defaultConfiguration": {"level": _LEVEL[worst.severity]},
        "properties": properties,
    }


def _result(finding: Finding, rule_index: int) -> dict[str, object]:
    text = one_line(finding.title, 1024)
    if finding.description.strip():
        text += "\n\n" + finding.description.strip()
    properties: dict[str, object] = {
        "severity": finding.severity.value,
        "confidence": finding.confidence,
    }
    for name in ("repo", "commit_sha", "cwe"):
        if getattr(finding, name):
            properties[name] = getattr(finding, name)
    properties["reportedBy"] = list(finding.reporters)
    properties["fileRole"] = finding.file_role.value
    if finding.source is Source.LLM:
        properties.update(
            agent=finding.agent, model=finding.model, prompt_version=finding.prompt_version
        )
    result: dict[str, object] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": artifact_uri(finding.file_path),
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": {"startLine": finding.start_line, "endLine": finding.end_line},
                }
            }
        ],
        "partialFingerprints": {
            "primaryLocationLineHash": primary_location_line_hash(finding.fingerprint),
            FINGERPRINT_KEY: finding.fingerprint,
        },
        "properties": properties,
    }
    if finding.suppression is not None:
        kind = "external" if finding.suppression == BASELINE else "inSource"
        result["suppressions"] = [{"kind": kind, "justification": finding.suppression}]
    return result


def _is_security(finding: Finding) -> bool:
    return bool(
        finding.cwe
        or finding.analyzer in _SECURITY_ANALYZERS
        or (finding.source is Source.LLM and finding.agent == "security")
        or (finding.analyzer == "ruff" and _RUFF_SECURITY_RULE.fullmatch(finding.rule_id))
    )


def _cwe_numbers(cwe: str | None) -> list[int]:
    """The CWE numbers in a cwe field: 'CWE-89', 'cwe-89', '89' or 'CWE-89, CWE-20'."""
    return [int(n) for n in _CWE_NUMBER.findall(cwe or "")]
