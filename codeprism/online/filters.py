"""Which pull requests the settings say not to review (`pull_requests.*`, PR-Agent's ignore
filters).

The filters apply to reviews started by a pull request event (opened, pushed to, ...). A
review asked for explicitly, by a review command in a comment or through the review API,
is always done: a person asked for it.

- `ignore_authors`: the author's login (GitHub) or username (GitLab), whole, ignoring case
  (both hosts treat names case-insensitively), e.g. "dependabot[bot]";
- `ignore_labels`: any of the pull request's labels, whole, ignoring case;
- `ignore_title`, `ignore_source_branches`, `ignore_target_branches`: regular expressions
  matched with `re.search`, so a pattern matches anywhere in the title or branch name
  ("^WIP" for a prefix, "^release/.*$" for a whole name).

A value the event did not carry (an old stored review, a payload without it) matches no
filter: a pull request is reviewed unless a filter positively names it.

The patterns come from settings a repository may set, and titles and branch names from
anyone who opens a pull request: they are matched with the `regex` engine under a time
limit, so a pattern that backtracks without end costs a review thread at most
`MATCH_TIMEOUT_S` and counts as no match.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from codeprism.settings.model import PullRequestFilters
from codeprism.webhooks.events import ReviewTarget


def ignored_by(target: ReviewTarget, filters: PullRequestFilters) -> str | None:
    """Why `target` is not reviewed, e.g. "ignored by pull_requests.ignore_authors
    (dependabot[bot])"; None when it is."""
    if target.trigger != "event":
        return None
    author = _folded(target.author)
    for name in filters.ignore_authors:
        if author is not None and name.casefold() == author:
            return _because("ignore_authors", name)
    labels = {label.casefold() for label in target.labels}
    for name in filters.ignore_labels:
        if name.casefold() in labels:
            return _because("ignore_labels", name)
    checks = (
        ("ignore_title", filters.ignore_title, target.title or None),
        ("ignore_source_branches", filters.ignore_source_branches, target.source_branch),
        ("ignore_target_branches", filters.ignore_target_branches, target.target_branch),
    )
    for key, patterns, value in checks:
        pattern = _searched(patterns, value)
        if pattern is not None:
            return _because(key, pattern)
    return None


MATCH_TIMEOUT_S = 0.1


def _searched(patterns: Iterable[str], value: str | None) -> str | None:
    if value is None:
        return None
    return next((p for p in patterns if _search(p, value)), None)


def _search(pattern: str, value: str) -> bool:
    try:
        return regex.search(pattern, value, timeout=MATCH_TIMEOUT_S) is not None
    except TimeoutError:
        return False


def _folded(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


def _because(key: str, value: str) -> str:
    return f"ignored by pull_requests.{key} ({value})"
