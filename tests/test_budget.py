"""plan_budget: packing, splitting, clipping and omission, with exact chunks and ranges.

Most tests count one token per character (`len`), which is exactly additive, so the expected
chunk boundaries can be worked out by hand; `safety_margin=0.0` keeps that arithmetic exact.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from codeprism.review.budget import BudgetPlan, OmitReason, Omitted, plan_budget
from codeprism.review.diff import FileDiff, parse_diff, render_file, render_header, render_hunk
from tests.test_diff import GitRepo, numbered


def fixed(n: int) -> str:
    """A 24-character line, so a rendered line with a 4-digit number is exactly 32 characters."""
    return f"    item{n:06d} = {n:07d}"


def fixed_lines(count: int) -> str:
    return "".join(fixed(n) + "\n" for n in range(1, count + 1))


def assert_accounted(files: list[FileDiff], plan: BudgetPlan) -> None:
    """Every added line is visible in some chunk or inside a recorded omitted range."""
    visible: dict[str, set[int]] = {}
    for chunk in plan.chunks:
        for path, lines in chunk.visible_lines.items():
            visible.setdefault(path, set()).update(lines)
    omitted: dict[str, set[int]] = {}
    for item in plan.omitted:
        for start, end in item.line_ranges:
            omitted.setdefault(item.path, set()).update(range(start, end + 1))
    for file in files:
        if file.is_binary or file.new_path is None:
            assert file.path in {o.path for o in plan.omitted}
            continue
        shown, dropped = visible.get(file.path, set()), omitted.get(file.path, set())
        assert file.changed_lines <= shown | dropped, file.path
        assert not shown & dropped & file.changed_lines, file.path


@pytest.fixture
def ten_thousand_line_diff(tmp_path: Path) -> list[FileDiff]:
    return make_ten_thousand_line_diff(tmp_path / "big")


def make_ten_thousand_line_diff(root: Path) -> list[FileDiff]:
    """Eight files, 10,000+ diff lines: two huge new files, one with 30 hunks, a binary, a
    deletion, a pure rename and two small new files."""
    repo = GitRepo(root)
    modified = "".join(f"    d{n:05d} = old\n" for n in range(1, 3001))
    repo.commit(
        {
            "b_binary.bin": bytes(range(256)) * 4,
            "c_deleted.py": fixed_lines(1000),
            "d_modified.py": modified,
            "old_name.py": numbered(50),
        }
    )
    for n in range(100, 3001, 100):
        modified = modified.replace(f"    d{n:05d} = old\n", f"    d{n:05d} = new\n")
    repo.commit(
        {
            "a_added.py": fixed_lines(6000),
            "b_binary.bin": bytes(range(256))[::-1] * 4,
            "c_deleted.py": None,
            "d_modified.py": modified,
            "e_small.py": numbered(10),
            "old_name.py": None,
            "f_renamed.py": numbered(50),
            "g_more.py": fixed_lines(3000),
            "h_tail.py": numbered(5),
        }
    )
    diff = repo.diff("-M")
    assert diff.count(b"\n") > 10_000
    return parse_diff(diff)


def test_ten_thousand_line_diff(ten_thousand_line_diff: list[FileDiff]) -> None:
    files = ten_thousand_line_diff
    calls: list[int] = []

    def counting_len(text: str) -> int:
        calls.append(len(text))
        return len(text)

    plan = plan_budget(files, counting_len, max_tokens=40_000, max_calls=3, safety_margin=0.0)

    # Call 1: a_added.py is one 6000-line hunk (192,000 characters), clipped to what fits:
    # 40,000 - 28 (file header) - 19 ("@@ -0,0 +1,1248 @@") - 13 ("__new hunk__") leaves
    # room for 1248 lines of 32 characters. Call 2: all 30 hunks of d_modified.py and
    # e_small.py. Call 3: g_more.py clipped the same way (its header is one character
    # shorter). h_tail.py finds no room and no call left.
    assert [chunk.paths for chunk in plan.chunks] == [
        ("a_added.py",),
        ("d_modified.py", "e_small.py"),
        ("g_more.py",),
    ]
    assert [dict(chunk.visible_lines) for chunk in plan.chunks] == [
        {"a_added.py": frozenset(range(1, 1249))},
        {"d_modified.py": frozenset(range(100, 3001, 100)), "e_small.py": frozenset(range(1, 11))},
        {"g_more.py": frozenset(range(1, 1249))},
    ]
    assert [chunk.tokens for chunk in plan.chunks] == [len(chunk.text) for chunk in plan.chunks]
    assert all(chunk.tokens <= 40_000 for chunk in plan.chunks)
    assert plan.chunks[0].tokens == 28 + 19 + 13 + 1248 * 32
    by_path = {(o.path, o.reason): o for o in plan.omitted}
    assert sorted(by_path) == sorted(
        [
            ("a_added.py", OmitReason.TOO_LARGE_CLIPPED),
            ("b_binary.bin", OmitReason.BINARY),
            ("c_deleted.py", OmitReason.DELETED),
            ("f_renamed.py", OmitReason.NO_CHANGES),
            ("g_more.py", OmitReason.TOO_LARGE_CLIPPED),
            ("h_tail.py", OmitReason.OVER_BUDGET),
        ]
    )
    assert by_path["a_added.py", OmitReason.TOO_LARGE_CLIPPED].line_ranges == ((1249, 6000),)
    assert by_path["g_more.py", OmitReason.TOO_LARGE_CLIPPED].line_ranges == ((1249, 3000),)
    assert by_path["h_tail.py", OmitReason.OVER_BUDGET].line_ranges == ((1, 5),)
    assert by_path["a_added.py", OmitReason.TOO_LARGE_CLIPPED].detail == (
        "hunk at new line 1: 4752 of 6000 lines left out"
    )
    for reason in (OmitReason.BINARY, OmitReason.DELETED, OmitReason.NO_CHANGES):
        assert all(o.line_ranges == () for o in plan.omitted if o.reason is reason)
    assert "c_deleted.py" not in "".join(chunk.text for chunk in plan.chunks)
    assert_accounted(files, plan)
    # Counted per hunk (plus a binary search inside the two clipped hunks and one check per
    # chunk), never per line: 9,000+ added lines, well under a hundred counter calls.
    assert len(calls) < 100
    assert sum(calls) < 5 * sum(len(render_file(f)) for f in files)


def test_small_files_share_one_call_in_order(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"z.py": "z\n", "a.py": "a\n"})
    repo.commit({"z.py": "z\nzz\n", "a.py": "a\naa\n", "m.py": "m\n"})
    files = parse_diff(repo.diff())

    plan = plan_budget(files, len, max_tokens=10_000, max_calls=5)

    assert plan.omitted == []
    (chunk,) = plan.chunks
    assert chunk.paths == ("a.py", "m.py", "z.py")
    assert chunk.visible_lines == {"a.py": {2}, "m.py": {1}, "z.py": {2}}
    assert chunk.text == (
        "## File: a.py (modified)\n@@ -1,1 +1,2 @@\n__new hunk__\n1   a\n2 + aa\n"
        "## File: m.py (added)\n@@ -0,0 +1,1 @@\n__new hunk__\n1 + m\n"
        "## File: z.py (modified)\n@@ -1,1 +1,2 @@\n__new hunk__\n1   z\n2 + zz\n"
    )


@pytest.fixture
def three_hunk_file(tmp_path: Path) -> FileDiff:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"big.txt": numbered(100)})
    changed = numbered(100)
    for n in (10, 50, 90):
        changed = changed.replace(f"line {n}\n", f"line {n} changed\n")
    repo.commit({"big.txt": changed})
    (file,) = parse_diff(repo.diff())
    assert len(file.hunks) == 3
    return file


def test_a_file_too_big_for_one_call_is_split_at_hunk_boundaries(three_hunk_file: FileDiff) -> None:
    file = three_hunk_file
    header, hunks = len(render_header(file)), [len(render_hunk(h)) for h in file.hunks]
    room_for_two = header + hunks[0] + hunks[1]

    plan = plan_budget([file], len, max_tokens=room_for_two, max_calls=5, safety_margin=0.0)

    assert plan.omitted == []
    assert [chunk.visible_lines for chunk in plan.chunks] == [
        {"big.txt": {10, 50}},
        {"big.txt": {90}},
    ]
    assert plan.chunks[0].text == render_file(file, file.hunks[:2])
    # each call repeats the file header, so the model knows which file it is reading
    assert plan.chunks[1].text == render_file(file, file.hunks[2:])
    assert plan.chunks[1].text.startswith("## File: big.txt (modified)\n@@ -87,7 +87,7 @@")


def test_a_split_file_pays_for_its_header_in_every_call(
    tmp_path: Path, three_hunk_file: FileDiff
) -> None:
    repo = GitRepo(tmp_path / "small")
    repo.commit({"README": "r\n"})
    repo.commit({"a_small.txt": numbered(10)})
    (small,) = parse_diff(repo.diff())
    big = three_hunk_file
    header, hunks = len(render_header(big)), [len(render_hunk(h)) for h in big.hunks]
    # After the small file, the first call has room for big.txt's first hunk but not for
    # that hunk and the file header together.
    max_tokens = len(render_file(small)) + header + hunks[0] - 1
    assert header + hunks[0] + hunks[1] <= max_tokens < header + sum(hunks)

    plan = plan_budget([small, big], len, max_tokens=max_tokens, max_calls=5, safety_margin=0.0)

    assert [chunk.visible_lines for chunk in plan.chunks] == [
        {"a_small.txt": frozenset(range(1, 11))},
        {"big.txt": {10, 50}},
        {"big.txt": {90}},
    ]
    assert [chunk.tokens for chunk in plan.chunks] == [
        len(render_file(small)),
        header + hunks[0] + hunks[1],
        header + hunks[2],
    ]


def test_hunks_past_the_last_call_are_over_budget(three_hunk_file: FileDiff) -> None:
    file = three_hunk_file
    header, hunks = len(render_header(file)), [len(render_hunk(h)) for h in file.hunks]

    plan = plan_budget(
        [file], len, max_tokens=header + hunks[0] + hunks[1], max_calls=1, safety_margin=0.0
    )

    assert [chunk.visible_lines for chunk in plan.chunks] == [{"big.txt": {10, 50}}]
    assert plan.omitted == [
        Omitted(
            "big.txt",
            OmitReason.OVER_BUDGET,
            ((87, 93),),
            "1 of 3 hunks left out: no room left in 1 calls",
        )
    ]


def test_a_hunk_too_big_for_a_call_is_clipped(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"x.txt": "keep\n"})
    repo.commit({"x.txt": "keep\n" + "".join(f"{n:03d}\n" for n in range(2, 101))})
    (file,) = parse_diff(repo.diff())
    # "## File: x.txt (modified)\n" 26 + "@@ -1,1 +1,20 @@\n" 17 + "__new hunk__\n" 13
    # + " 1   keep\n" 10 + 19 lines of "NN + NNN\n" 9: exactly the first 20 lines of the hunk
    max_tokens = 26 + 17 + 13 + 10 + 19 * 9

    plan = plan_budget([file], len, max_tokens=max_tokens, max_calls=3, safety_margin=0.0)

    (chunk,) = plan.chunks
    assert chunk.tokens == max_tokens
    assert chunk.visible_lines == {"x.txt": frozenset(range(2, 21))}
    assert chunk.text.splitlines()[:4] == [
        "## File: x.txt (modified)",
        "@@ -1,1 +1,20 @@",
        "__new hunk__",
        " 1   keep",
    ]
    assert plan.omitted == [
        Omitted(
            "x.txt",
            OmitReason.TOO_LARGE_CLIPPED,
            ((21, 100),),
            "hunk at new line 1: 80 of 100 lines left out",
        )
    ]


def test_files_that_are_never_sent(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"gone.py": "x\n", "pic.png": b"\x00\x01", "mv.py": numbered(20), "s.sh": "s\n"})
    (repo.root / "s.sh").chmod(0o755)
    repo.commit({"gone.py": None, "pic.png": b"\x00\x02", "mv.py": None, "moved.py": numbered(20)})
    files = parse_diff(repo.diff("-M"))

    plan = plan_budget(files, len, max_tokens=10_000, max_calls=5)

    assert plan.chunks == []
    assert plan.omitted == [
        Omitted("gone.py", OmitReason.DELETED),
        Omitted("moved.py", OmitReason.NO_CHANGES),
        Omitted("pic.png", OmitReason.BINARY),
        Omitted("s.sh", OmitReason.NO_CHANGES),
    ]


def test_zero_calls_sends_nothing(three_hunk_file: FileDiff) -> None:
    plan = plan_budget([three_hunk_file], len, max_tokens=10_000, max_calls=0)

    assert plan.chunks == []
    assert [(o.path, o.reason, o.line_ranges) for o in plan.omitted] == [
        ("big.txt", OmitReason.OVER_BUDGET, ((7, 13), (47, 53), (87, 93)))
    ]


def test_non_additive_counter_still_keeps_every_chunk_within_max_tokens(
    ten_thousand_line_diff: list[FileDiff],
) -> None:
    # Long texts cost twice as much per character as short ones, so adding up the pieces
    # (hunks of about 230 characters) under-counts a chunk: the packer must notice and
    # repack with a bigger margin.
    def lumpy(text: str) -> int:
        return len(text) * 2 if len(text) > 1_000 else len(text)

    plan = plan_budget(ten_thousand_line_diff, lumpy, max_tokens=8_000, max_calls=6)

    assert len(plan.chunks) == 6
    assert all(chunk.tokens == lumpy(chunk.text) <= 8_000 for chunk in plan.chunks)
    assert_accounted(ten_thousand_line_diff, plan)


def test_invalid_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="max_tokens >= 1"):
        plan_budget([], len, max_tokens=0, max_calls=1)


def _bpe_counter(texts: list[str]) -> Callable[[str], int]:
    """A real byte-level BPE tokenizer, trained here on the diff itself (nothing downloaded)."""
    tokenizers = pytest.importorskip(
        "tokenizers", reason="the `tokenizers` package is not installed"
    )
    tokenizer = tokenizers.Tokenizer(tokenizers.models.BPE())
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=600,
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return lambda text: len(tokenizer.encode(text).ids)


def test_real_bpe_tokenizer_keeps_every_chunk_within_max_tokens(
    ten_thousand_line_diff: list[FileDiff],
) -> None:
    files = ten_thousand_line_diff
    count = _bpe_counter([render_file(f) for f in files])

    plan = plan_budget(files, count, max_tokens=3_000, max_calls=4)

    assert all(chunk.tokens == count(chunk.text) <= 3_000 for chunk in plan.chunks)
    # a_added.py is clipped into call 1, d_modified.py (about 3,100 tokens) is split at a
    # hunk boundary over calls 2 and 3 (e_small.py joins call 3), g_more.py is clipped into
    # call 4, and h_tail.py is left over.
    paths = [chunk.paths for chunk in plan.chunks]
    assert paths == [
        ("a_added.py",),
        ("d_modified.py",),
        ("d_modified.py", "e_small.py"),
        ("g_more.py",),
    ]
    first, second = (plan.chunks[1].visible_lines, plan.chunks[2].visible_lines)
    split = max(first["d_modified.py"])
    assert first["d_modified.py"] == frozenset(range(100, split + 1, 100))
    assert second["d_modified.py"] == frozenset(range(split + 100, 3001, 100))
    kept = max(plan.chunks[0].visible_lines["a_added.py"])
    assert plan.chunks[0].visible_lines["a_added.py"] == frozenset(range(1, kept + 1))
    by_path = {(o.path, o.reason): o.line_ranges for o in plan.omitted}
    assert by_path == {
        ("a_added.py", OmitReason.TOO_LARGE_CLIPPED): ((kept + 1, 6000),),
        ("b_binary.bin", OmitReason.BINARY): (),
        ("c_deleted.py", OmitReason.DELETED): (),
        ("f_renamed.py", OmitReason.NO_CHANGES): (),
        ("g_more.py", OmitReason.TOO_LARGE_CLIPPED): (
            (max(plan.chunks[3].visible_lines["g_more.py"]) + 1, 3000),
        ),
        ("h_tail.py", OmitReason.OVER_BUDGET): ((1, 5),),
    }
    assert_accounted(files, plan)
