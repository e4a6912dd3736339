"""The one output schema the model is held to, and the one parser for every engine.

vLLM enforces `output_json_schema()` with structured outputs, so a conforming engine can only
produce schema-valid JSON; the parser still trusts nothing (another backend, a truncated
generation at `max_tokens`, a model served without the schema) and never raises. It validates
item by item: one bad item costs that item, not the response.

Rules, in the order they are applied to each item:
- items after the first `MAX_ITEMS` are `over_cap` (the schema allows no more);
- an item that breaks the schema, or whose title has no letters or digits, is `invalid`;
- an item whose `file_path` is not in the diff, or whose start `line` is not a changed ("+")
  line of that file, is `off_diff`. `end_line` never drops an item: it is clamped to the run of
  consecutive changed lines that starts at `line` (so a comment never spans unchanged code or
  two hunks), and an `end_line` before `line` means a one-line finding;
- a repeat of an earlier item (same path, line, rule and normalised title) is `duplicate`.

Identity: an LLM finding's snippet is its normalised title, and its rule id is
`llm/<rule>` without the agent, so the fingerprint (rule, repo, path, title) survives line
shifts and two agents reporting the same issue in the same file get the same fingerprint.
Fingerprints are numbered per response (`with_fingerprints`), never across agents, so such
repeats stay equal and `merge_findings` can drop them.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from codeprism.file_roles import file_role
from codeprism.findings import Finding, Severity, Source, with_fingerprints

if TYPE_CHECKING:
    from codeprism.review.agents import Agent

# Bounds keep a random-weight model's output finite: with structured outputs on, the longest
# possible answer is about MAX_ITEMS * (MAX_PATH + MAX_TITLE + 2 * MAX_TEXT) characters.
MAX_ITEMS = 8
MAX_PATH_CHARS = 300
MAX_TITLE_CHARS = 120
MAX_TEXT_CHARS = 600
MAX_LINE = 10_000_000
# The rule's length bound lives in the pattern: xgrammar drops maxLength next to a pattern.
RULE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$"
# Far above any schema-valid answer (even fully \u-escaped); refuses to parse megabytes.
MAX_RESPONSE_CHARS = 256_000

LLM_ANALYZER = "llm"
DEFAULT_RULE = "finding"


# Field order is generation order (xgrammar keeps it): the model explains the problem before it
# commits to a severity and a confidence. No docstrings here: they would land in the schema.
class ReviewItem(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    file_path: str = Field(min_length=1, max_length=MAX_PATH_CHARS)
    line: int = Field(ge=1, le=MAX_LINE)
    end_line: int | None = Field(default=None, ge=1, le=MAX_LINE)
    rule: str | None = Field(default=None, pattern=RULE_PATTERN)
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    description: str = Field(max_length=MAX_TEXT_CHARS)
    suggested_fix: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    severity: Literal["critical", "high", "medium", "low", "info"]
    confidence: float = Field(ge=0.0, le=1.0)


class ReviewOutput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    findings: list[ReviewItem] = Field(max_length=MAX_ITEMS)


def output_json_schema(
    visible_lines: Mapping[str, AbstractSet[int]] | None = None, max_items: int | None = None
) -> dict[str, Any]:
    """`ReviewOutput` as one self-contained JSON schema (no `$ref`/`$defs`) for vLLM.

    With `visible_lines`, the schema of one request is narrowed to what that request may
    cite: each item's `file_path` is one of the request's files and its `line` one of that
    file's changed lines, so a grammar-constrained model cannot comment on unchanged code at
    all (the parser still checks). Past `MAX_NARROWED_LINES` lines only the paths are fixed,
    to keep the grammar small. `max_items` lowers the item bound below `MAX_ITEMS`.
    """
    schema = copy.deepcopy(_inlined_schema())
    findings = schema["properties"]["findings"]
    if max_items is not None:
        findings["maxItems"] = max(0, min(max_items, MAX_ITEMS))
    if visible_lines:
        findings["items"] = _narrowed_items(findings["items"], visible_lines)
    return schema


MAX_NARROWED_LINES = 2000


def _narrowed_items(
    item: dict[str, Any], visible_lines: Mapping[str, AbstractSet[int]]
) -> dict[str, Any]:
    paths = sorted(path for path, lines in visible_lines.items() if lines)
    if not paths:
        return item
    if sum(len(visible_lines[path]) for path in paths) > MAX_NARROWED_LINES:
        narrowed = copy.deepcopy(item)
        narrowed["properties"]["file_path"] = {"type": "string", "enum": paths}
        return narrowed
    variants = []
    for path in paths:
        variant = copy.deepcopy(item)
        variant["properties"]["file_path"] = {"type": "string", "enum": [path]}
        variant["properties"]["line"] = {"type": "integer", "enum": sorted(visible_lines[path])}
        variants.append(variant)
    return variants[0] if len(variants) == 1 else {"anyOf": variants}


@cache
def _inlined_schema() -> dict[str, Any]:
    schema = ReviewOutput.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                target = definitions[ref.removeprefix("#/$defs/")]
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                return inline({**target, **siblings})
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined


class DropReason(StrEnum):
    OFF_DIFF = "off_diff"
    INVALID = "invalid"
    DUPLICATE = "duplicate"
    OVER_CAP = "over_cap"


@dataclass(frozen=True, slots=True)
class DropNote:
    """Why something was dropped, for logs and debugging (never shown on the PR)."""

    reason: DropReason
    detail: str

    def __str__(self) -> str:
        return f"{self.reason.value}: {self.detail}"


@dataclass(frozen=True)
class ParsedOutput:
    findings: list[Finding]
    dropped: Counter[DropReason] = field(default_factory=Counter)
    notes: list[DropNote] = field(default_factory=list)

    def _drop(self, reason: DropReason, detail: str, count: int = 1) -> None:
        self.dropped[reason] += count
        self.notes.append(DropNote(reason, detail))


def parse_review_output(
    text: str,
    *,
    agent: Agent,
    model: str,
    visible_lines: Mapping[str, AbstractSet[int]],
    repo: str = "",
) -> ParsedOutput:
    """The findings of one agent's answer; `visible_lines` maps each path to its "+" lines."""
    result = ParsedOutput(findings=[])
    items = _load_items(text, result)
    if items is None:
        return result
    if len(items) > MAX_ITEMS:
        result._drop(
            DropReason.OVER_CAP,
            f"items {MAX_ITEMS}..{len(items) - 1}: the schema allows {MAX_ITEMS}",
            len(items) - MAX_ITEMS,
        )
    seen: set[tuple[str, int, str, str]] = set()
    findings = []
    for index, raw in enumerate(items[:MAX_ITEMS]):
        finding = _to_finding(index, raw, agent, model, visible_lines, repo, result)
        if finding is None:
            continue
        key = (finding.file_path, finding.start_line, finding.rule_id, finding.snippet)
        if key in seen:
            result._drop(DropReason.DUPLICATE, f"item {index}: repeats an earlier item")
            continue
        seen.add(key)
        findings.append(finding)
    result.findings.extend(fingerprinted(findings))
    return result


def _load_items(text: str, result: ParsedOutput) -> list[Any] | None:
    """The `findings` list, or None (one `invalid` drop) when the answer is unusable as a whole."""
    problem = None
    if not text.strip():
        problem = "empty response"
    elif len(text) > MAX_RESPONSE_CHARS:
        problem = f"response too large ({len(text)} characters)"
    else:
        try:
            # strict=False: raw control characters inside strings, which xgrammar lets through
            data = json.loads(text, parse_constant=_reject_constant, strict=False)
        except (ValueError, RecursionError) as error:
            problem = f"not valid JSON (truncated?): {str(error)[:200]}"
        else:
            if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
                problem = 'not an object with a "findings" list'
            elif set(data) != {"findings"}:
                problem = f"unexpected top-level keys: {sorted(set(data) - {'findings'})}"[:200]
            else:
                items: list[Any] = data["findings"]
                return items
    result._drop(DropReason.INVALID, problem)
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _to_finding(
    index: int,
    raw: Any,
    agent: Agent,
    model: str,
    visible_lines: Mapping[str, AbstractSet[int]],
    repo: str,
    result: ParsedOutput,
) -> Finding | None:
    try:
        item = ReviewItem.model_validate(raw)
    except ValidationError as error:
        result._drop(DropReason.INVALID, f"item {index}: {_summary(error)}")
        return None
    snippet = normalise_title(item.title)
    if not snippet:
        result._drop(DropReason.INVALID, f"item {index}: title has no words")
        return None
    path = item.file_path.removeprefix("./")
    changed = visible_lines.get(path)
    if changed is None or item.line not in changed:
        where = "file is not in the diff" if changed is None else "not a changed line"
        result._drop(DropReason.OFF_DIFF, f"item {index}: {path}:{item.line}: {where}"[:300])
        return None
    return Finding(
        rule_id=f"llm/{_rule_slug(item.rule)}",
        analyzer=LLM_ANALYZER,
        file_path=path,
        start_line=item.line,
        end_line=_clamped_end(item.line, item.end_line, changed),
        severity=Severity(item.severity),
        title=" ".join(item.title.split()),
        repo=repo,
        confidence=item.confidence,
        description=item.description.strip(),
        suggested_fix=(item.suggested_fix or "").strip() or None,
        snippet=snippet,
        source=Source.LLM,
        agent=agent.name,
        model=model,
        prompt_version=agent.prompt_version,
        file_role=file_role(path),  # from the path: a model sees no file header
    )


def _summary(error: ValidationError) -> str:
    errors = error.errors(include_url=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return (f"{where}: " if where else "") + first["msg"][:200] + more


_WORD = re.compile(r"[a-z0-9]+")


def normalise_title(title: str) -> str:
    """Lower-case words only: 'SQL injection!' and 'sql  Injection' are the same issue."""
    return " ".join(_WORD.findall(title.lower()))


def _rule_slug(rule: str | None) -> str:
    if rule is None:
        return DEFAULT_RULE
    return re.sub("-+", "-", rule.lower()).strip("-")


def _clamped_end(start: int, end: int | None, changed: AbstractSet[int]) -> int:
    last = start
    while end is not None and last < end and last + 1 in changed:
        last += 1
    return last


def fingerprinted(findings: Sequence[Finding]) -> list[Finding]:
    """`with_fingerprints` in the input order (it returns them sorted by location)."""
    by_content: dict[Finding, list[Finding]] = defaultdict(list)
    for finding in with_fingerprints(findings):
        by_content[replace(finding, fingerprint="")].append(finding)
    return [by_content[replace(finding, fingerprint="")].pop(0) for finding in findings]
