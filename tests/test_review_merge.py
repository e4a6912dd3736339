import json
from collections import Counter
from dataclasses import replace
from typing import Any

from codeprism.findings import Finding, Severity, Source, with_fingerprints
from codeprism.review.agents import Agent, load_agents
from codeprism.review.merge import merge_findings, score
from codeprism.review.output import DropReason, parse_review_output

SECURITY, LOGIC, STYLE = load_agents(["security", "logic", "style"])
VISIBLE = {"app/db.py": frozenset(range(10, 30))}
REPO = "org/app"


def static(
    rule: str = "S608",
    line: int = 11,
    severity: Severity = Severity.MEDIUM,
    confidence: float = 1.0,
    end_line: int | None = None,
) -> Finding:
    return Finding(
        rule_id=rule,
        analyzer="ruff",
        file_path="app/db.py",
        start_line=line,
        end_line=end_line or line,
        severity=severity,
        title=f"{rule} problem",
        repo=REPO,
        confidence=confidence,
        snippet=f"code at {line}",
    )


def llm(agent: Agent, *items: dict[str, Any]) -> list[Finding]:
    """Findings as the parser makes them from one agent's answer."""
    full = [
        {"file_path": "app/db.py", "description": "d", "severity": "high", "confidence": 0.9, **i}
        for i in items
    ]
    result = parse_review_output(
        json.dumps({"findings": full}), agent=agent, model="m", visible_lines=VISIBLE, repo=REPO
    )
    assert not result.dropped
    return result.findings


def where(findings: list[Finding]) -> list[tuple[str | None, str, int]]:
    return [(f.agent, f.rule_id, f.start_line) for f in findings]


def test_llm_confirming_an_evidence_line_merges_with_it_and_the_better_one_wins() -> None:
    evidence = with_fingerprints([static("S608", 11, Severity.MEDIUM, 1.0)])  # score 2.0
    confirm = llm(SECURITY, {"line": 11, "rule": "s608", "title": "SQL injection"})  # 2.7
    result = merge_findings(evidence, confirm, max_findings=10)
    (kept,) = result.findings
    assert kept.source is Source.LLM and kept.severity is Severity.HIGH
    assert kept.fingerprint == evidence[0].fingerprint
    assert result.dropped == Counter({DropReason.DUPLICATE: 1})


def test_static_wins_a_tie_against_the_llm() -> None:
    evidence = with_fingerprints([static("S608", 11, Severity.HIGH, 0.9)])
    confirm = llm(SECURITY, {"line": 11, "rule": "S608", "title": "SQL injection"})
    result = merge_findings(evidence, confirm, max_findings=10)
    assert result.findings == evidence
    assert result.dropped == Counter({DropReason.DUPLICATE: 1})


def test_llm_rule_matching_a_static_rule_elsewhere_is_not_an_echo() -> None:
    evidence = with_fingerprints([static("S608", 11, end_line=12)])
    inside = llm(SECURITY, {"line": 12, "rule": "s608", "title": "A", "severity": "low"})
    outside = llm(LOGIC, {"line": 13, "rule": "s608", "title": "B"})
    result = merge_findings(evidence, [*inside, *outside], max_findings=10)
    assert where(result.findings) == [("logic", "llm/s608", 13), (None, "S608", 11)]
    assert result.dropped == Counter({DropReason.DUPLICATE: 1})


def test_two_agents_reporting_the_same_issue_are_one_finding() -> None:
    security = llm(SECURITY, {"line": 11, "rule": "sql-injection", "title": "SQL injection!"})
    logic = llm(
        LOGIC,
        {"line": 12, "rule": "sql-injection", "title": "sql  injection", "confidence": 1.0},
    )
    assert security[0].fingerprint == logic[0].fingerprint
    result = merge_findings([], [*security, *logic], max_findings=10)
    assert where(result.findings) == [("logic", "llm/sql-injection", 12)]  # 3.0 beats 2.7
    assert result.dropped == Counter({DropReason.DUPLICATE: 1})


def test_first_agent_wins_a_tie() -> None:
    security = llm(SECURITY, {"line": 11, "title": "Unclosed cursor"})
    logic = llm(LOGIC, {"line": 11, "title": "Unclosed cursor"})
    result = merge_findings([], [*security, *logic], max_findings=10)
    assert where(result.findings) == [("security", "llm/finding", 11)]


def test_different_issues_on_the_same_line_stay_apart() -> None:
    security = llm(SECURITY, {"line": 11, "rule": "sql-injection", "title": "SQL injection"})
    logic = llm(
        LOGIC,
        {"line": 11, "rule": "sql-injection", "title": "Query ignores the tenant filter"},
        {"line": 11, "rule": "unclosed-resource", "title": "SQL injection"},
    )
    result = merge_findings([], [*security, *logic], max_findings=10)
    assert len(result.findings) == 3
    assert result.dropped == Counter()


def test_cap_keeps_the_highest_severity_times_confidence_in_stable_order() -> None:
    statics = with_fingerprints(
        [
            static("A", 10, Severity.LOW, 1.0),  # 1.0
            static("B", 11, Severity.CRITICAL, 0.5),  # 2.0
            static("C", 12, Severity.INFO, 1.0),  # 0.0
        ]
    )
    llms = [
        *llm(SECURITY, {"line": 13, "title": "D", "severity": "medium", "confidence": 1.0}),  # 2.0
        *llm(STYLE, {"line": 14, "title": "E", "severity": "high", "confidence": 1.0}),  # 3.0
        *llm(LOGIC, {"line": 15, "title": "F", "severity": "low", "confidence": 0.5}),  # 0.5
    ]
    result = merge_findings(statics, llms, max_findings=4)
    assert [f.title for f in result.findings] == ["E", "B problem", "D", "A problem"]
    assert [score(f) for f in result.findings] == [3.0, 2.0, 2.0, 1.0]
    assert result.dropped == Counter({DropReason.OVER_CAP: 2})


def test_drop_counts_are_exact_for_duplicates_and_cap_together() -> None:
    statics = with_fingerprints([static("S1", 10), static("S2", 11), static("S3", 12)])
    repeats = [statics[0], statics[1]]  # the same static findings handed in twice
    security = llm(SECURITY, *({"line": 20 + i, "title": f"issue {i}"} for i in range(4)))
    logic = llm(LOGIC, *({"line": 20 + i, "title": f"issue {i}"} for i in range(2)))
    result = merge_findings([*statics, *repeats], [*security, *logic], max_findings=5)
    assert result.dropped == Counter({DropReason.DUPLICATE: 4, DropReason.OVER_CAP: 2})
    assert len(result.findings) == 5


def test_missing_fingerprints_are_filled_in_per_agent() -> None:
    security = [replace(f, fingerprint="") for f in llm(SECURITY, {"line": 11, "title": "X"})]
    logic = [replace(f, fingerprint="") for f in llm(LOGIC, {"line": 11, "title": "X"})]
    bare_static = [static("S1", 10)]
    result = merge_findings(bare_static, [*security, *logic], max_findings=10)
    assert all(f.fingerprint for f in result.findings)
    assert [f.agent for f in result.findings] == ["security", None]
    assert result.dropped == Counter({DropReason.DUPLICATE: 1})


def test_edge_cases_never_raise() -> None:
    assert merge_findings([], [], max_findings=5).findings == []
    result = merge_findings(with_fingerprints([static()]), [], max_findings=-1)
    assert result.findings == [] and result.dropped == Counter({DropReason.OVER_CAP: 1})
