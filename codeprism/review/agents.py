"""Review agents: versioned prompt templates and the chat messages built from them.

Each agent is `prompts/<name>.md`: a front matter with `version` and `description`, then the
agent's instructions. `prompts/_base.md` is the preamble shared by every agent (the system
message, with the output contract).

Message layout, chosen for vLLM prefix caching: all agents of one review run in one batch, so
everything they share comes first and is byte-identical across agents (system preamble, then
the diff and the evidence); only the end of the user message is agent-specific.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from codeprism.errors import ConfigError
from codeprism.findings import Finding
from codeprism.review.output import MAX_ITEMS

AGENT_NAMES: tuple[str, ...] = ("security", "logic", "performance", "style", "architecture")
PREAMBLE_NAME = "_base"

# Evidence is a hint, not the review: a few dozen lines are enough, and a cap keeps a noisy
# analyzer from eating the diff's share of the context.
MAX_EVIDENCE = 40
MAX_EVIDENCE_TITLE_CHARS = 120

_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Agent:
    """One expert reviewer; self-contained (preamble included) so it can be shipped to Ray."""

    name: str
    version: str
    description: str
    instructions: str
    preamble: str
    preamble_version: str

    @property
    def prompt_version(self) -> str:
        """Stored with every finding; changes whenever any text the model saw changes."""
        return f"{self.name}/v{self.version}+base/v{self.preamble_version}"


def load_agents(names: Sequence[str]) -> list[Agent]:
    """The agents in the order given, each once; unknown names are a `ConfigError`."""
    unknown = [name for name in names if name not in AGENT_NAMES]
    if unknown:
        raise ConfigError(
            f"unknown review agent(s): {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(AGENT_NAMES)}"
        )
    return [_load_agent(name) for name in dict.fromkeys(names)]


@cache
def _load_agent(name: str) -> Agent:
    meta, instructions = _read_template(name)
    base_meta, preamble = _read_template(PREAMBLE_NAME)
    return Agent(
        name=name,
        version=meta["version"],
        description=meta["description"],
        instructions=instructions,
        preamble=preamble,
        preamble_version=base_meta["version"],
    )


def _read_template(name: str) -> tuple[dict[str, str], str]:
    """Split `---` front matter (`key: value` lines) from the body; both are required."""
    resource = resources.files("codeprism.review").joinpath("prompts", f"{name}.md")
    text = resource.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0] != "---" or "---" not in lines[1:]:
        raise ConfigError(f"prompt template {name}.md has no front matter")
    end = lines.index("---", 1)
    meta = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if not sep:
            raise ConfigError(f"prompt template {name}.md: bad front matter line {line!r}")
        meta[key.strip()] = value.strip()
    if not _VERSION.fullmatch(meta.get("version", "")) or not meta.get("description"):
        raise ConfigError(f"prompt template {name}.md needs a numeric version and a description")
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise ConfigError(f"prompt template {name}.md has no text")
    return meta, body


def build_messages(
    agent: Agent,
    diff_text: str,
    evidence: Sequence[Finding],
    max_findings: int,
    guidance: str = "",
) -> list[dict[str, str]]:
    """OpenAI-style chat messages: shared preamble and context first, the agent's task last.

    `guidance` is the project's own review instructions (`review.instructions` of its
    settings, length-capped there), shown to every agent as context, not as a task."""
    if max_findings < 1:
        raise ValueError(f"max_findings must be at least 1, got {max_findings}")
    return [
        {"role": "system", "content": agent.preamble},
        {
            "role": "user",
            "content": render_context(diff_text, evidence, guidance) + _task(agent, max_findings),
        },
    ]


def render_context(diff_text: str, evidence: Sequence[Finding], guidance: str = "") -> str:
    """The part of the user message shared by every agent of a review, byte for byte."""
    project = (
        "## Project guidance from the repository's settings\n"
        f"<guidance>\n{guidance.strip()}\n</guidance>\n\n"
        if guidance.strip()
        else ""
    )
    return (
        project + "## Diff under review\n"
        f"<diff>\n{diff_text.rstrip()}\n</diff>\n\n"
        "## Static-analysis evidence on the changed lines\n"
        f"<evidence>\n{render_evidence(evidence)}\n</evidence>\n\n"
    )


def render_evidence(evidence: Sequence[Finding]) -> str:
    """One line per finding, `path:line rule severity title`; the most severe first when capped.

    Sorted, so the text does not depend on the order the analyzers happened to report in.
    """
    if not evidence:
        return "(none)"
    worst_first = sorted(
        evidence, key=lambda f: (-f.severity.rank, f.file_path, f.start_line, f.rule_id)
    )
    shown = sorted(worst_first[:MAX_EVIDENCE], key=lambda f: (f.file_path, f.start_line, f.rule_id))
    lines = [
        f"- {f.file_path}:{f.start_line} {f.rule_id} {f.severity.value} {_one_line(f.title)}"
        for f in shown
    ]
    if len(evidence) > MAX_EVIDENCE:
        lines.append(f"- ({len(evidence) - MAX_EVIDENCE} less severe findings not shown)")
    return "\n".join(lines)


def _task(agent: Agent, max_findings: int) -> str:
    limit = min(max_findings, MAX_ITEMS)
    return (
        f"## Your task: {agent.name} review\n"
        f"{agent.instructions}\n\n"
        f"Report at most {limit} findings, the most important first; an empty list is a good "
        'answer. Cite only "+" lines. Answer with the JSON object only.'
    )


def _one_line(text: str) -> str:
    flat = _WHITESPACE.sub(" ", text).strip()
    if len(flat) <= MAX_EVIDENCE_TITLE_CHARS:
        return flat
    return flat[: MAX_EVIDENCE_TITLE_CHARS - 1] + "…"
