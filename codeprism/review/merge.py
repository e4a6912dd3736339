"""One list of findings for a review: static and LLM findings, deduplicated, ranked, capped.

Identity is the fingerprint. Two findings with the same fingerprint are one finding; the one
kept is the one with the higher severity rank x confidence, the earlier on a tie, and static
findings come first, so a static finding wins a tie against an LLM one.

Same place is not same issue: two LLM findings on the same line stay apart unless they have
the same rule and the same normalised title (see `output`), because different problems on one
line are common. One exception ties an LLM finding to a static one: the prompt asks a model
that confirms an evidence line to use that line's rule id as its `rule`, so an LLM finding
whose rule is a static finding's rule id, in the same file and inside that finding's lines,
takes that finding's fingerprint and is merged with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from codeprism.findings import Finding, Source
from codeprism.review.output import DropReason, fingerprinted


@dataclass(frozen=True)
class MergeResult:
    findings: list[Finding]
    dropped: Counter[DropReason]


def merge_findings(
    static: Sequence[Finding], llm: Sequence[Finding], *, max_findings: int
) -> MergeResult:
    """Deduplicate by fingerprint, then keep the `max_findings` best, most severe first."""
    dropped: Counter[DropReason] = Counter()
    static = _with_fingerprints(static)
    llm = [_echo_of_static(finding, static) for finding in _with_fingerprints(llm)]
    unique = _deduplicated([*static, *llm], dropped)
    # equal scores: the more severe first, then input order (the sort is stable)
    ranked = sorted(unique, key=lambda f: (-score(f), -f.severity.rank))
    keep = max(max_findings, 0)
    if len(ranked) > keep:
        dropped[DropReason.OVER_CAP] += len(ranked) - keep
    return MergeResult(findings=ranked[:keep], dropped=dropped)


def score(finding: Finding) -> float:
    # rounded: 3 * 0.6 must tie with 2 * 0.9, not lose to it by a float's last bit
    return round(finding.severity.rank * finding.confidence, 6)


def _with_fingerprints(findings: Sequence[Finding]) -> list[Finding]:
    """Fill in missing fingerprints, numbering repeats per agent (as the parser does)."""
    result = list(findings)
    groups: dict[str | None, list[int]] = defaultdict(list)
    for index, finding in enumerate(result):
        groups[finding.agent].append(index)
    for indexes in groups.values():
        if all(result[i].fingerprint for i in indexes):
            continue
        for i, finding in zip(indexes, fingerprinted([result[i] for i in indexes]), strict=True):
            result[i] = finding
    return result


def _echo_of_static(finding: Finding, static: Sequence[Finding]) -> Finding:
    if finding.source is not Source.LLM or not finding.rule_id.startswith("llm/"):
        return finding
    rule = finding.rule_id.removeprefix("llm/")
    for candidate in static:
        if (
            candidate.file_path == finding.file_path
            and candidate.rule_id.lower() == rule
            and candidate.start_line <= finding.start_line <= candidate.end_line
        ):
            return replace(finding, fingerprint=candidate.fingerprint)
    return finding


def _deduplicated(findings: Sequence[Finding], dropped: Counter[DropReason]) -> list[Finding]:
    kept: list[Finding] = []
    position: dict[str, int] = {}
    for finding in findings:
        index = position.get(finding.fingerprint)
        if index is None:
            position[finding.fingerprint] = len(kept)
            kept.append(finding)
            continue
        dropped[DropReason.DUPLICATE] += 1
        if score(finding) > score(kept[index]):
            kept[index] = finding
    return kept
