import json
from collections import Counter
from typing import Any

import jsonschema
import pytest

from codeprism.findings import Finding, Severity, Source, fingerprint
from codeprism.review.agents import Agent, load_agents
from codeprism.review.output import (
    MAX_ITEMS,
    DropReason,
    ParsedOutput,
    ReviewItem,
    output_json_schema,
    parse_review_output,
)

SECURITY, LOGIC = load_agents(["security", "logic"])
VISIBLE = {"app/db.py": frozenset({11, 12, 13, 20}), "app/web.py": frozenset({5})}
MODEL = "tiny-llama"


def item(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "file_path": "app/db.py",
        "line": 11,
        "title": "SQL injection via f-string",
        "description": "user_id is interpolated into the query.",
        "severity": "high",
        "confidence": 0.9,
    }
    return {**base, **overrides}


def answer(*items: Any) -> str:
    return json.dumps({"findings": list(items)})


def parse(text: str, agent: Agent = SECURITY, visible: Any = None) -> ParsedOutput:
    return parse_review_output(
        text, agent=agent, model=MODEL, visible_lines=VISIBLE if visible is None else visible
    )


def test_valid_output_gives_exact_findings() -> None:
    text = answer(
        item(rule="sql-injection", end_line=12, suggested_fix="  Use a bound parameter. "),
        item(
            file_path="app/web.py",
            line=5,
            title="Token  logged",
            severity="low",
            confidence=0.4,
            description="",
        ),
    )
    result = parse(text)
    prompt_version = SECURITY.prompt_version
    assert prompt_version == "security/v1+base/v1"
    assert result.findings == [
        Finding(
            rule_id="llm/sql-injection",
            analyzer="llm",
            file_path="app/db.py",
            start_line=11,
            end_line=12,
            severity=Severity.HIGH,
            title="SQL injection via f-string",
            confidence=0.9,
            description="user_id is interpolated into the query.",
            suggested_fix="Use a bound parameter.",
            snippet="sql injection via f string",
            source=Source.LLM,
            agent="security",
            model=MODEL,
            prompt_version=prompt_version,
            fingerprint=fingerprint(
                "llm/sql-injection", "", "app/db.py", "sql injection via f string"
            ),
        ),
        Finding(
            rule_id="llm/finding",
            analyzer="llm",
            file_path="app/web.py",
            start_line=5,
            end_line=5,
            severity=Severity.LOW,
            title="Token logged",
            confidence=0.4,
            snippet="token logged",
            source=Source.LLM,
            agent="security",
            model=MODEL,
            prompt_version=prompt_version,
            fingerprint=fingerprint("llm/finding", "", "app/web.py", "token logged"),
        ),
    ]
    assert result.dropped == Counter()
    assert result.notes == []


def test_empty_findings_list_is_a_clean_answer() -> None:
    result = parse('{"findings":[]}')
    assert (result.findings, result.dropped, result.notes) == ([], Counter(), [])


def test_repo_is_part_of_the_fingerprint() -> None:
    result = parse_review_output(
        answer(item()), agent=SECURITY, model=MODEL, visible_lines=VISIBLE, repo="org/app"
    )
    (finding,) = result.findings
    assert finding.repo == "org/app"
    assert finding.fingerprint == fingerprint(
        "llm/finding", "org/app", "app/db.py", "sql injection via f string"
    )


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "empty response"),
        ("  \n\t", "empty response"),
        ('{"findings": [{"file_path": "app/db.py", "li', "not valid JSON (truncated?)"),
        ("I found no problems. LGTM!", "not valid JSON"),
        ("```json\n" + answer(item()) + "\n```", "not valid JSON"),
        ("\x00\xff\ud800garbage", "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),
        ("[]", 'not an object with a "findings" list'),
        ('{"findings": {"file_path": "a"}}', 'not an object with a "findings" list'),
        ('{"finding": []}', 'not an object with a "findings" list'),
        ('{"findings": [], "summary": "ok"}', "unexpected top-level keys: ['summary']"),
        ('{"findings": [' + json.dumps(item())[:-1] + ', "confidence": NaN}]}', "NaN is not JSON"),
        ("x" * 10_000_000, "response too large (10000000 characters)"),
    ],
)
def test_unusable_answer_is_one_invalid_drop(text: str, detail: str) -> None:
    result = parse(text)
    assert result.findings == []
    assert result.dropped == Counter({DropReason.INVALID: 1})
    (note,) = result.notes
    assert note.reason is DropReason.INVALID
    assert detail in note.detail


def test_partially_valid_list_keeps_the_valid_items() -> None:
    text = answer(
        item(severity="urgent"),  # unknown severity
        item(line=12),
        {"file_path": "app/db.py", "line": 13},  # missing fields
        item(line=13, reviewer="bot"),  # extra field
        "not an object",
        item(line="13"),  # a string is not an integer
        item(line=20, confidence=1.5),
        item(file_path="app/web.py", line=5, rule="Bad_Rule"),
    )
    result = parse(text)
    assert [(f.file_path, f.start_line) for f in result.findings] == [("app/db.py", 12)]
    assert result.dropped == Counter({DropReason.INVALID: 7})
    assert [str(note) for note in result.notes] == [
        "invalid: item 0: severity: Input should be 'critical', 'high', 'medium', 'low' or 'info'",
        "invalid: item 2: title: Field required (+3 more)",
        "invalid: item 3: reviewer: Extra inputs are not permitted",
        "invalid: item 4: Input should be a valid dictionary or instance of ReviewItem",
        "invalid: item 5: line: Input should be a valid integer",
        "invalid: item 6: confidence: Input should be less than or equal to 1",
        "invalid: item 7: rule: String should match pattern '^[A-Za-z0-9][A-Za-z0-9-]{0,39}$'",
    ]


def test_title_without_words_is_invalid() -> None:
    result = parse(answer(item(title="?! --")))
    assert result.findings == []
    assert [str(note) for note in result.notes] == ["invalid: item 0: title has no words"]


def test_citations_outside_the_changed_lines_are_off_diff() -> None:
    text = answer(
        item(line=10),  # a context line
        item(file_path="app/other.py", line=3),  # a file not in the diff
        item(file_path="./app/web.py", line=5),  # "./" is tolerated
        item(line=14, end_line=20),  # starts after the hunk
    )
    result = parse(text)
    assert [(f.file_path, f.start_line) for f in result.findings] == [("app/web.py", 5)]
    assert result.dropped == Counter({DropReason.OFF_DIFF: 3})
    assert [str(note) for note in result.notes] == [
        "off_diff: item 0: app/db.py:10: not a changed line",
        "off_diff: item 1: app/other.py:3: file is not in the diff",
        "off_diff: item 3: app/db.py:14: not a changed line",
    ]


@pytest.mark.parametrize(
    ("line", "end_line", "expected"),
    [(11, None, 11), (11, 11, 11), (11, 13, 13), (11, 30, 13), (12, 3, 12), (20, 25, 20)],
)
def test_end_line_is_clamped_to_the_run_of_changed_lines(
    line: int, end_line: int | None, expected: int
) -> None:
    (finding,) = parse(answer(item(line=line, end_line=end_line))).findings
    assert (finding.start_line, finding.end_line) == (line, expected)


def test_repeated_item_is_a_duplicate_but_the_same_issue_elsewhere_is_not() -> None:
    text = answer(item(), item(title="sql INJECTION via f-string!", confidence=0.2), item(line=20))
    result = parse(text)
    assert [(f.start_line, f.confidence) for f in result.findings] == [(11, 0.9), (20, 0.9)]
    assert result.dropped == Counter({DropReason.DUPLICATE: 1})
    # Same code issue twice in one file: two identities, numbered top-down.
    assert result.findings[0].fingerprint != result.findings[1].fingerprint


def test_items_beyond_the_schema_maximum_are_over_cap() -> None:
    lines = sorted(VISIBLE["app/db.py"])
    items = [item(line=lines[i % 4], title=f"issue {i}") for i in range(300)]
    result = parse(answer(*items))
    assert [f.title for f in result.findings] == [f"issue {i}" for i in range(MAX_ITEMS)]
    assert result.dropped == Counter({DropReason.OVER_CAP: 300 - MAX_ITEMS})
    assert [str(note) for note in result.notes] == [
        f"over_cap: items {MAX_ITEMS}..299: the schema allows {MAX_ITEMS}"
    ]


def test_fingerprint_survives_line_shifts_and_ignores_the_agent() -> None:
    before = parse(answer(item(line=11, rule="sql-injection"))).findings[0]
    shifted = parse(
        answer(item(line=41, rule="sql-injection")),
        agent=LOGIC,
        visible={"app/db.py": frozenset({41})},
    ).findings[0]
    assert before.agent == "security" and shifted.agent == "logic"
    assert before.fingerprint == shifted.fingerprint
    other_issue = parse(answer(item(title="Connection never closed"))).findings[0]
    assert other_issue.fingerprint != before.fingerprint


@pytest.mark.parametrize(
    "text",
    [
        "null",
        "0",
        '"findings"',
        '{"findings": null}',
        '{"findings": [null, [], 1, true, {"": 1}]}',
        '{"findings": [{"file_path": {"$ref": "#"}, "line": 1e999}]}',
        '{"findings": [' + json.dumps(item(line=10**30)) + "]}",
        '{"findings": [' + json.dumps(item(end_line=-1)) + "]}",
        '{"findings": [' + json.dumps(item(title="t" * 10_000)) + "]}",
        "\ufeff" + answer(item()),
    ],
)
def test_never_raises(text: str) -> None:
    result = parse(text)
    assert sum(result.dropped.values()) + len(result.findings) >= 1


# --- the schema handed to vLLM -------------------------------------------------------------

VALIDATOR = jsonschema.Draft202012Validator(output_json_schema())


def test_schema_is_valid_and_self_contained() -> None:
    schema = output_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    text = json.dumps(schema)
    assert "$ref" not in text and "$defs" not in text

    def nodes(node: Any) -> Any:
        if isinstance(node, dict):
            yield node
            for value in node.values():
                yield from nodes(value)
        elif isinstance(node, list):
            for value in node:
                yield from nodes(value)

    for node in nodes(schema):
        if node.get("type") == "object":
            assert node["additionalProperties"] is False
        # xgrammar silently drops length bounds next to a pattern, and has no multipleOf.
        assert not ("pattern" in node and ({"minLength", "maxLength"} & set(node)))
        assert not {"multipleOf", "uniqueItems", "format"} & set(node)
        if node.get("type") == "string" and "pattern" not in node:
            assert "maxLength" in node or "enum" in node
        if node.get("type") == "array":
            assert node["maxItems"] == MAX_ITEMS


def test_schema_accepts_a_valid_answer() -> None:
    VALIDATOR.validate({"findings": []})
    VALIDATOR.validate({"findings": [item(), item(end_line=None, rule="b608", suggested_fix=None)]})


@pytest.mark.parametrize(
    "answer_",
    [
        {},
        {"findings": [], "summary": "ok"},
        {"findings": [item(title=f"issue {i}") for i in range(MAX_ITEMS + 1)]},
        {"findings": [item(severity="urgent")]},
        {"findings": [item(confidence=1.5)]},
        {"findings": [item(line=0)]},
        {"findings": [item(line="11")]},
        {"findings": [item(title="")]},
        {"findings": [item(title="t" * 121)]},
        {"findings": [item(description="d" * 601)]},
        {"findings": [item(rule="-x")]},
        {"findings": [item(rule="r" * 41)]},
        {"findings": [item(extra=1)]},
        {"findings": [{k: v for k, v in item().items() if k != "severity"}]},
    ],
)
def test_schema_and_parser_reject_the_same_invalid_answers(answer_: dict[str, Any]) -> None:
    assert not VALIDATOR.is_valid(answer_)
    result = parse(json.dumps(answer_))
    assert result.findings == [] or len(answer_["findings"]) > MAX_ITEMS
    assert set(result.dropped) <= {DropReason.INVALID, DropReason.OVER_CAP}


def test_item_model_and_schema_agree_on_field_order() -> None:
    properties = output_json_schema()["properties"]["findings"]["items"]["properties"]
    assert list(properties) == list(ReviewItem.model_fields)
    assert list(properties)[-2:] == ["severity", "confidence"]


def test_raw_control_characters_inside_strings_are_accepted() -> None:
    # xgrammar lets a raw tab or newline through inside a JSON string; strict JSON would
    # throw the whole answer away for it.
    text = answer(item(suggested_fix="if x:\n\treturn bind(user_id)"))
    raw = text.replace("\\n", "\n").replace("\\t", "\t")
    assert "\t" in raw
    result = parse(raw)
    assert not result.dropped
    assert result.findings[0].suggested_fix == "if x:\n\treturn bind(user_id)"
