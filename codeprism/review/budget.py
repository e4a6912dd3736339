"""Fit a parsed diff into a model's context window: which hunks go into which call.

Policy, in file order (stable, so the same diff always gives the same calls):
- deleted and binary files, and files with no hunks (a pure rename, a mode change), are never
  sent; each is recorded in `omitted` with its reason;
- whole files are packed greedily, several small files per call;
- a file too big for one call is split at hunk boundaries, its header repeated in each call;
- a hunk too big for a call on its own is clipped: its first lines that fit are kept and the
  rest is recorded as `too_large_clipped`;
- what does not fit within `max_calls` is recorded as `over_budget`.

Tokens are counted once per rendered piece (a file header, a hunk) and added up, so a
10,000-line diff costs one pass of the tokenizer, not one per line. Token counts are not quite
additive (BPE merges across a piece boundary, special tokens per call), so packing keeps a
safety margin, and each finished chunk is counted whole once: if any chunk is still over
`max_tokens`, the packing is redone with a larger margin. The margin grows until it fits, at
worst until nothing is sent, so `Chunk.tokens <= max_tokens` holds for the caller's counter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from codeprism.review.diff import (
    FileDiff,
    FileStatus,
    Hunk,
    render_file,
    render_header,
    render_hunk,
)

TokenCounter = Callable[[str], int]

DEFAULT_SAFETY_MARGIN = 0.02


class OmitReason(StrEnum):
    BINARY = "binary"
    DELETED = "deleted"
    NO_CHANGES = "no_changes"
    TOO_LARGE_CLIPPED = "too_large_clipped"
    OVER_BUDGET = "over_budget"


@dataclass(frozen=True, slots=True)
class Omitted:
    """A file left out of every call, fully or partly.

    `line_ranges` are inclusive new-file line ranges that no call shows (empty for a file that
    has no new-side lines to show: binary, deleted, no hunks).
    """

    path: str
    reason: OmitReason
    line_ranges: tuple[tuple[int, int], ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Chunk:
    """The diff text of one model call.

    `visible_lines` maps each path in the chunk to the new-file numbers of the added ("+")
    lines shown in it: the only lines a finding from this call may cite.
    """

    text: str
    paths: tuple[str, ...]
    visible_lines: Mapping[str, frozenset[int]]
    tokens: int


@dataclass(frozen=True, slots=True)
class BudgetPlan:
    chunks: list[Chunk]
    omitted: list[Omitted]


def plan_budget(
    files: Sequence[FileDiff],
    count_tokens: TokenCounter,
    max_tokens: int,
    max_calls: int,
    safety_margin: float = DEFAULT_SAFETY_MARGIN,
) -> BudgetPlan:
    """Split `files` into at most `max_calls` chunks of at most `max_tokens` tokens each.

    `count_tokens` is the serving model's own counter; `max_tokens` is the room left for the
    diff once the prompt and the answer are reserved. `safety_margin` is the share of
    `max_tokens` held back for non-additive token counts.
    """
    if max_tokens < 1 or max_calls < 0 or not 0.0 <= safety_margin < 1.0:
        raise ValueError(
            f"need max_tokens >= 1, max_calls >= 0 and 0 <= safety_margin < 1; got "
            f"{max_tokens}, {max_calls}, {safety_margin}"
        )
    measured = [_measure(file, count_tokens) for file in files]
    reserve = math.ceil(max_tokens * safety_margin)
    while True:
        packer = _Packer(count_tokens, max_tokens - reserve, max_calls)
        for item in measured:
            packer.add(item)
        plan = packer.plan()
        worst = max((chunk.tokens for chunk in plan.chunks), default=0)
        if worst <= max_tokens:
            return plan
        # grows at least by the overshoot and at least doubles: few rounds, and capacity 0
        # (nothing sent) always fits, so this ends
        reserve = min(max_tokens, max(2 * reserve, reserve + worst - max_tokens, 1))


@dataclass(frozen=True, slots=True)
class _Measured:
    file: FileDiff
    skip: OmitReason | None
    header_tokens: int
    hunk_tokens: tuple[int, ...]


def _measure(file: FileDiff, count_tokens: TokenCounter) -> _Measured:
    skip = _skip_reason(file)
    if skip is not None:
        return _Measured(file, skip, 0, ())
    hunk_tokens = tuple(count_tokens(render_hunk(hunk)) for hunk in file.hunks)
    return _Measured(file, None, count_tokens(render_header(file)), hunk_tokens)


def _skip_reason(file: FileDiff) -> OmitReason | None:
    if file.is_binary:
        return OmitReason.BINARY
    if file.status is FileStatus.DELETED:
        return OmitReason.DELETED
    if not file.hunks:
        return OmitReason.NO_CHANGES
    return None


@dataclass
class _Part:
    """One file's hunks inside one chunk."""

    file: FileDiff
    hunks: list[Hunk] = field(default_factory=list)


class _Packer:
    def __init__(self, count_tokens: TokenCounter, capacity: int, max_calls: int) -> None:
        self.count_tokens = count_tokens
        self.capacity = capacity
        self.max_calls = max_calls
        self.chunks: list[list[_Part]] = []
        self.used = 0  # tokens in the last (open) chunk
        self.omitted: dict[tuple[str, OmitReason], list[tuple[int, int]]] = {}
        self.details: dict[tuple[str, OmitReason], list[str]] = {}

    def add(self, item: _Measured) -> None:
        file = item.file
        if item.skip is not None:
            self._omit(file, item.skip)
            return
        total = item.header_tokens + sum(item.hunk_tokens)
        if self._fits(total) or (total <= self.capacity and self._open_chunk()):
            self._place(file, list(file.hunks), total)
            return
        for index, (hunk, tokens) in enumerate(zip(file.hunks, item.hunk_tokens, strict=True)):
            cost = tokens + (0 if self._is_open(file) else item.header_tokens)
            if self._fits(cost):
                self._place(file, [hunk], cost)
            elif item.header_tokens + tokens <= self.capacity and self._open_chunk():
                self._place(file, [hunk], item.header_tokens + tokens)
            elif item.header_tokens + tokens > self.capacity and self._empty_chunk():
                self._clip(file, hunk, item.header_tokens)
            else:
                for rest in file.hunks[index:]:
                    self._omit(file, OmitReason.OVER_BUDGET, rest.new_range)
                self._details(file, OmitReason.OVER_BUDGET).append(
                    f"{len(file.hunks) - index} of {len(file.hunks)} hunks left out: "
                    f"no room left in {self.max_calls} calls"
                )
                return

    def plan(self) -> BudgetPlan:
        chunks = [self._chunk(parts) for parts in self.chunks if parts]
        omitted = [
            Omitted(path, reason, tuple(ranges), "; ".join(self.details.get((path, reason), [])))
            for (path, reason), ranges in self.omitted.items()
        ]
        return BudgetPlan(chunks, omitted)

    def _chunk(self, parts: list[_Part]) -> Chunk:
        text = "".join(render_file(part.file, part.hunks) for part in parts)
        visible: dict[str, frozenset[int]] = {}
        for part in parts:
            added = frozenset().union(*(hunk.added_lines for hunk in part.hunks))
            visible[part.file.path] = visible.get(part.file.path, frozenset()) | added
        paths = tuple(dict.fromkeys(part.file.path for part in parts))
        return Chunk(text, paths, visible, self.count_tokens(text))

    def _fits(self, tokens: int) -> bool:
        """Whether `tokens` more fit in the open chunk (False when none is open)."""
        return bool(self.chunks) and self.used + tokens <= self.capacity

    def _is_open(self, file: FileDiff) -> bool:
        """Whether `file` is the last part of the open chunk (its header is already paid)."""
        return bool(self.chunks and self.chunks[-1] and self.chunks[-1][-1].file is file)

    def _open_chunk(self) -> bool:
        if len(self.chunks) >= self.max_calls:
            return False
        self.chunks.append([])
        self.used = 0
        return True

    def _empty_chunk(self) -> bool:
        """An empty open chunk for a hunk that needs a whole call; False if calls ran out."""
        return bool(self.chunks and not self.chunks[-1]) or self._open_chunk()

    def _place(self, file: FileDiff, hunks: list[Hunk], tokens: int) -> None:
        parts = self.chunks[-1]
        if not self._is_open(file):
            parts.append(_Part(file))
        parts[-1].hunks.extend(hunks)
        self.used += tokens

    def _clip(self, file: FileDiff, hunk: Hunk, header_tokens: int) -> None:
        """Keep the longest prefix of `hunk` that fits an empty call (binary search: one
        tokenizer pass per probe, log2(lines) probes, only for hunks bigger than a call)."""
        room = self.capacity - header_tokens
        kept, low, high = 0, 1, len(hunk.lines)
        while low <= high:
            middle = (low + high) // 2
            if self.count_tokens(render_hunk(_prefix(hunk, middle))) <= room:
                kept, low = middle, middle + 1
            else:
                high = middle - 1
        dropped = replace(hunk, lines=hunk.lines[kept:]).new_range
        self._omit(file, OmitReason.TOO_LARGE_CLIPPED, dropped)
        self._details(file, OmitReason.TOO_LARGE_CLIPPED).append(
            f"hunk at new line {hunk.new_start}: {len(hunk.lines) - kept} of "
            f"{len(hunk.lines)} lines left out"
        )
        if kept:
            clipped = _prefix(hunk, kept)
            self._place(file, [clipped], header_tokens + self.count_tokens(render_hunk(clipped)))

    def _omit(
        self, file: FileDiff, reason: OmitReason, lines: tuple[int, int] | None = None
    ) -> None:
        ranges = self.omitted.setdefault((file.path, reason), [])
        if lines is not None:
            ranges.append(lines)

    def _details(self, file: FileDiff, reason: OmitReason) -> list[str]:
        return self.details.setdefault((file.path, reason), [])


def _prefix(hunk: Hunk, count: int) -> Hunk:
    """The first `count` lines of `hunk`, with header counts that match them."""
    lines = hunk.lines[:count]
    old_count = sum(1 for line in lines if line.kind != "+")
    new_count = sum(1 for line in lines if line.kind != "-")
    return Hunk(hunk.old_start, old_count, hunk.new_start, new_count, hunk.section, lines)
