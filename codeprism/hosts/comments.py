"""Markdown of what a review posts: one inline comment per finding, the summary body, and the
check run's output.

All text a finding carries may come from a model reading an untrusted diff, so it is made
inert before it reaches a PR: `@name` cannot mention anyone, `<` cannot open HTML, and code
goes in fences longer than any backtick run inside it. A finding's snippet (redacted for
secrets, but still code from the diff) is never shown: the comment sits on the line already.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from codeprism.findings import Finding, Severity

MAX_LISTED = 50  # findings listed in a summary; GitHub caps a body at 65,536 characters
MAX_ANNOTATIONS = 50  # GitHub's limit per check-run request
MAX_TEXT = 4000  # characters of one description
MAX_TITLE = 200
MAX_WARNING = 500  # characters of one settings warning
CHECK_NAME = "codeprism"

_MENTION = re.compile(r"@(?=[A-Za-z0-9_-])")
_CODE_CHARS = set("=()[]{};<>\"'")


def render_comment(finding: Finding) -> str:
    """The body of the inline comment for `finding`."""
    title = _text(_clip(finding.title, MAX_TITLE))
    parts = [f"**[{finding.severity.value}]** {title} · {_code(finding.rule_id)}"]
    if finding.description:
        parts.append(_text(_clip(finding.description)))
    fix = (finding.suggested_fix or "").strip("\n")
    if fix:
        if _is_one_line_replacement(finding, fix):
            # GitHub offers a one-click "commit suggestion" for this block
            parts.append("Suggested change:\n" + _fence(fix, "suggestion"))
        else:
            parts.append("Suggested fix:\n" + _fence(_clip(fix), ""))
    parts.append(f"<sub>{_origin(finding)}</sub>")
    return "\n\n".join(parts)


SUMMARY_TITLE = "## codeprism review"


def review_marker(review_key: str) -> str:
    """An invisible line that ties a posted summary to the review that wrote it, so that a
    retried review finds what its crashed attempt already posted."""
    return f"<!-- codeprism-review {review_key} -->"


def marked(text: str, marker: str) -> str:
    """`text` as posted: the review's marker on its last line."""
    return f"{text}\n\n{marker}"


def render_summary(
    findings: Sequence[Finding], not_inline: Sequence[Finding], summary: Mapping[str, Any]
) -> str:
    """The review body: counts by severity, the findings that could not be placed inline, and
    what the review left out. `summary` is `ReviewResult.summary()`: its `suppressed` (rule
    or "baseline" -> count), `warnings` (what the repository's settings asked for and did
    not get), `dropped` (reason -> count), `omitted` ([{path, reason, detail}]) and `model`
    keys are shown when present."""
    lines = [SUMMARY_TITLE, ""]
    if findings:
        lines.append(f"**{_plural(len(findings), 'finding')}**: {severity_counts(findings)}.")
        inline = len(findings) - len(not_inline)
        lines.append(f"{_plural(inline, 'inline comment')} on changed lines.")
    else:
        lines.append("No findings on the changed lines.")
    suppressed = summary.get("suppressed")
    if isinstance(suppressed, Mapping) and suppressed:
        accepted = sorted((str(rule), int(n)) for rule, n in suppressed.items())
        which = ", ".join(f"{_code(rule)} {n}" for rule, n in accepted[:MAX_LISTED])
        more = ", …" if len(accepted) > MAX_LISTED else ""
        lines.append(
            f"{_plural(sum(n for _, n in accepted), 'finding')} accepted (suppressed in code "
            f"or baseline) not posted: {which}{more}."
        )
    if not_inline:
        lines += ["", f"### Not on a changed line ({len(not_inline)})", ""]
        for finding in not_inline[:MAX_LISTED]:
            lines.append(
                f"- **[{finding.severity.value}]** {_code(finding.location)} "
                f"{_text(_clip(finding.title, MAX_TITLE))} ({_code(finding.rule_id)})"
            )
        if len(not_inline) > MAX_LISTED:
            lines.append(f"- … and {len(not_inline) - MAX_LISTED} more")
    warnings = [w for w in summary.get("warnings") or () if isinstance(w, str)]
    if warnings:
        lines += ["", f"### Settings warnings ({len(warnings)})", ""]
        lines += [f"- {_text(_clip(_one_line(w), MAX_WARNING))}" for w in warnings[:MAX_LISTED]]
        if len(warnings) > MAX_LISTED:
            lines.append(f"- … and {len(warnings) - MAX_LISTED} more")
    footer = []
    dropped = summary.get("dropped")
    if isinstance(dropped, Mapping) and dropped:
        counts = ", ".join(f"{int(n)} {str(r).replace('_', '-')}" for r, n in dropped.items())
        footer.append(f"dropped: {counts}")
    for omitted in summary.get("omitted") or ():
        if isinstance(omitted, Mapping):
            detail = f" {omitted['detail']}" if omitted.get("detail") else ""
            footer.append(
                f"left out: {_code(str(omitted.get('path', '')))} "
                f"({_text(str(omitted.get('reason', '')))}{_text(detail)})"
            )
    if summary.get("model"):
        footer.append(f"model: {_code(str(summary['model']))}")
    if footer:
        lines += ["", "<sub>", *[f"{line}<br>" for line in footer], "</sub>"]
    return "\n".join(lines)


def severity_counts(findings: Iterable[Finding]) -> str:
    """ "1 high, 2 low": the severities present, worst first."""
    counts = Counter(f.severity for f in findings)
    ordered = sorted(counts, key=lambda s: -s.rank)
    return ", ".join(f"{counts[s]} {s.value}" for s in ordered)


def check_conclusion(findings: Sequence[Finding]) -> str:
    """`success` without findings; `failure` when any is critical or high, since those should
    stop a merge; `neutral` for medium, low and info, which inform but do not block."""
    if not findings:
        return "success"
    worst = max(f.severity.rank for f in findings)
    return "failure" if worst >= Severity.HIGH.rank else "neutral"


def check_run_output(findings: Sequence[Finding], body: str) -> dict[str, Any]:
    """The check run's `output`: title, summary (the review body) and up to 50 annotations,
    worst findings first."""
    title = (
        f"{_plural(len(findings), 'finding')}: {severity_counts(findings)}"
        if findings
        else "No findings"
    )
    ranked = sorted(findings, key=lambda f: (-f.severity.rank, -f.confidence, f.location))
    annotations = [
        {
            "path": f.file_path,
            "start_line": f.start_line,
            "end_line": f.end_line,
            "annotation_level": _annotation_level(f.severity),
            "title": _clip(f"[{f.severity.value}] {f.title}", 255),
            "message": _clip(f.description or f.title),
        }
        for f in ranked[:MAX_ANNOTATIONS]
    ]
    return {"title": title, "summary": body, "annotations": annotations}


def _annotation_level(severity: Severity) -> str:
    if severity.rank >= Severity.HIGH.rank:
        return "failure"
    return "warning" if severity is Severity.MEDIUM else "notice"


def _is_one_line_replacement(finding: Finding, fix: str) -> bool:
    """A suggestion block replaces the commented line, so it is used only when the fix is one
    line of code for a one-line finding. `suggested_fix` may be prose ("Use a parameterised
    query"); committing prose would break the file, so anything that does not look like code
    (no code punctuation, or a sentence's full stop) is shown as text instead."""
    if finding.start_line != finding.end_line or "\n" in fix or "`" in fix:
        return False
    stripped = fix.strip()
    return bool(stripped) and not stripped.endswith(".") and bool(_CODE_CHARS & set(stripped))


def _origin(finding: Finding) -> str:
    who = finding.agent and f"{finding.agent} agent" or finding.analyzers_text
    parts = [f"codeprism · {_text(who)}"]
    if finding.confidence < 1.0:
        parts.append(f"confidence {finding.confidence:.2f}")
    return " · ".join(parts)


def _text(text: str) -> str:
    """Untrusted prose made inert: no mentions, no HTML."""
    return _MENTION.sub("@\u200b", text.replace("&", "&amp;").replace("<", "&lt;"))


def _code(text: str) -> str:
    """An inline code span that no backtick in `text` can close early."""
    text = text.replace("\n", " ")
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _fence(text: str, info: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def _one_line(text: str) -> str:
    """Text on one line: a warning quotes key names from a repository's file, and a line
    break there must not start a heading or a code block of the review."""
    return " ".join(text.split())


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
