from importlib import resources

import pytest

from codeprism.errors import ConfigError
from codeprism.findings import Finding, Severity
from codeprism.review.agents import (
    AGENT_NAMES,
    MAX_EVIDENCE,
    build_messages,
    load_agents,
    render_context,
    render_evidence,
)
from codeprism.review.output import output_json_schema

DIFF = """\
## File: app/db.py
@@ -10,3 +10,4 @@
 10   def load(user_id):
-11       return db.get(user_id)
+11       query = f"SELECT * FROM users WHERE id = {user_id}"
+12       return db.execute(query)
"""


def evidence(line: int = 11, rule: str = "S608", severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(
        rule_id=rule,
        analyzer="ruff",
        file_path="app/db.py",
        start_line=line,
        end_line=line,
        severity=severity,
        title="Possible SQL injection vector\nthrough string-based query construction",
    )


def test_agent_names_are_canonical_and_all_load() -> None:
    assert AGENT_NAMES == ("security", "logic", "performance", "style", "architecture")
    agents = load_agents(AGENT_NAMES)
    assert [a.name for a in agents] == list(AGENT_NAMES)


def test_every_template_has_a_version_description_and_text() -> None:
    for agent in load_agents(AGENT_NAMES):
        assert agent.version.isdigit()
        assert agent.preamble_version.isdigit()
        assert agent.description
        assert agent.instructions and not agent.instructions.startswith("---")
        assert agent.prompt_version == f"{agent.name}/v{agent.version}+base/v1"


def test_templates_are_package_data() -> None:
    prompts = resources.files("codeprism.review").joinpath("prompts")
    names = sorted(p.name for p in prompts.iterdir() if p.name.endswith(".md"))
    assert names == sorted(["_base.md", *(f"{name}.md" for name in AGENT_NAMES)])


def test_unknown_agent_is_a_config_error_naming_it_and_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown review agent\(s\): 'securty'; known: security"):
        load_agents(["logic", "securty"])


def test_load_agents_keeps_order_and_drops_repeats() -> None:
    assert [a.name for a in load_agents(["style", "logic", "style"])] == ["style", "logic"]
    assert load_agents([]) == []


def test_shared_prefix_is_byte_identical_across_agents() -> None:
    agents = load_agents(AGENT_NAMES)
    messages = [build_messages(a, DIFF, [evidence()], max_findings=5) for a in agents]
    context = render_context(DIFF, [evidence()])
    systems = {m[0]["content"] for m in messages}
    assert len(systems) == 1
    assert [m[0]["role"] for m in messages] == ["system"] * 5
    for agent, (_, user) in zip(agents, messages, strict=True):
        assert user["role"] == "user"
        assert user["content"].startswith(context)
        tail = user["content"][len(context) :]
        assert tail.startswith(f"## Your task: {agent.name} review\n{agent.instructions}\n")
        assert "Report at most 5 findings" in tail
    # The agent-specific part is only the tail.
    assert len({m[1]["content"][len(context) :] for m in messages}) == 5


def test_context_is_exact() -> None:
    assert render_context("+1 x = 1\n\n", []) == (
        "## Diff under review\n<diff>\n+1 x = 1\n</diff>\n\n"
        "## Static-analysis evidence on the changed lines\n<evidence>\n(none)\n</evidence>\n\n"
    )


def test_evidence_is_one_sorted_line_per_finding() -> None:
    text = render_evidence([evidence(12, "B608", Severity.HIGH), evidence(11)])
    assert text == (
        "- app/db.py:11 S608 medium Possible SQL injection vector through string-based query "
        "construction\n"
        "- app/db.py:12 B608 high Possible SQL injection vector through string-based query "
        "construction"
    )


def test_evidence_is_capped_keeping_the_most_severe() -> None:
    many = [evidence(line, "LOW1", Severity.LOW) for line in range(1, MAX_EVIDENCE + 6)]
    text = render_evidence([*many, evidence(500, "CRIT", Severity.CRITICAL)])
    lines = text.splitlines()
    assert len(lines) == MAX_EVIDENCE + 1
    assert "- app/db.py:500 CRIT critical" in text
    assert lines[-1] == "- (6 less severe findings not shown)"


def test_max_findings_is_clamped_to_the_schema_and_must_be_positive() -> None:
    (agent,) = load_agents(["logic"])
    user = build_messages(agent, DIFF, [], max_findings=50)[1]["content"]
    assert "Report at most 8 findings" in user
    with pytest.raises(ValueError):
        build_messages(agent, DIFF, [], max_findings=0)


def test_preamble_documents_every_schema_field() -> None:
    (agent,) = load_agents(["security"])
    item = output_json_schema()["properties"]["findings"]["items"]
    for name in item["properties"]:
        assert f"`{name}`" in agent.preamble
    for severity in Severity:
        assert f"`{severity.value}`" in agent.preamble
