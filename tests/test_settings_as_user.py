"""Issue 15's acceptance, as a user types the commands: the installed `codeprism`, default
flags, the machine's real CPUs. A repository's own `.codeprism.toml` (excluding `generated/`,
muting B307, marking `qa/` as tests), a pull request that tries to mute its own finding,
hostile config files, baselines, and `codeprism config show`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codeprism.warehouse import Warehouse
from tests.fakes.git_repos import git
from tests.test_cli_as_user import codeprism

VULNERABLE = (
    "import subprocess\n\n\ndef run(x):\n    subprocess.call(x, shell=True)\n    return eval(x)\n"
)
SETTINGS = """\
[paths]
extend_exclude = ["generated/"]
tests = ["qa/"]

[rules]
disabled = ["B307"]
"""
Git = Callable[..., str]


def make_repo(root: Path) -> Git:
    root.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=root)
    return lambda *args: git(*args, cwd=root)


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)


def commit(git: Git, message: str) -> str:
    git("add", "-A")
    git("commit", "-qm", message)
    return git("rev-parse", "HEAD")


def places(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (f["file_path"], f["start_line"], f["rule_id"], f["file_role"], f.get("suppression"))
        for f in findings
    )


def test_audit_applies_the_repositorys_own_settings(tmp_path: Path) -> None:
    repo = tmp_path / "service"
    git = make_repo(repo)
    write(repo, {".codeprism.toml": SETTINGS, "app.py": VULNERABLE, "qa/check.py": VULNERABLE,
                 "generated/out.py": VULNERABLE})  # fmt: skip
    commit(git, "base")
    warehouse = tmp_path / "warehouse"
    done = codeprism("audit", str(repo), "--warehouse", str(warehouse), "--format", "json")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    # generated/ is never read, B307 (eval) is muted, qa/ is test code (stored, not counted)
    assert places(report["findings"]) == [
        ("app.py", 1, "B404", "source", None),
        ("app.py", 5, "B602", "source", None),
        ("qa/check.py", 1, "B404", "test", None),
        ("qa/check.py", 5, "B602", "test", None),
    ]
    summary = report["summary"]
    assert summary["findings"] == 2  # source files only
    assert summary["excluded_files"] == 1
    assert summary["not_reported"] == {"rule disabled by configuration: B307": 2}
    repos = Warehouse(str(warehouse)).read("repos").to_pylist()
    assert [(r["excluded_files"], dict(r["not_reported"])) for r in repos] == [
        (1, {"rule disabled by configuration: B307": 2})
    ]


def test_review_reads_the_settings_at_the_base_so_a_change_cannot_mute_itself(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "service"
    git = make_repo(repo)
    write(repo, {".codeprism.toml": SETTINGS, "README.md": "service\n"})
    base = commit(git, "base")
    # the change violates B602 and B307, and adds settings that mute B602
    write(repo, {
        ".codeprism.toml": SETTINGS.replace('["B307"]', '["B307", "B602"]'),
        "app.py": VULNERABLE, "qa/check.py": VULNERABLE, "generated/out.py": VULNERABLE,
    })  # fmt: skip
    head = commit(git, "change")
    done = codeprism("review", "--repo", str(repo), "--base", base, "--head", head,
                     "--format", "json", "--fail-on", "high")  # fmt: skip
    assert done.returncode == 1, done.stderr[-3000:]
    report = json.loads(done.stdout)
    # the base's settings: B307 muted, qa/ tests (not posted), generated/ excluded; the
    # change's own attempt to mute B602 does not count
    assert places(report["findings"]) == [
        ("app.py", 1, "B404", "source", None),
        ("app.py", 5, "B602", "source", None),
    ]
    assert report["summary"]["not_shown_by_role"] == {"test": 2}


HOSTILE = {
    "huge": b"# padding\n" * 1_000_000,  # 10 MB
    "broken": b"[paths\nexclude = ",
    "no-secrets": b'analyzers = ["ruff", "bandit"]\n',
    "escape": b'[paths]\ninclude = ["../other/**"]\n',
    # allowed, but the secrets analyzer still reads what the operator's paths allow
    "hide-all": b'[paths]\nexclude = ["**"]\n',
}
LEAKED = 'AWS_KEY = "AKIAIOSFODNN7EXAMPLE"\n'


def test_hostile_repository_settings_give_a_note_and_the_operators_settings(
    tmp_path: Path,
) -> None:
    repos = []
    for name, config in HOSTILE.items():
        repo = tmp_path / name
        git = make_repo(repo)
        write(repo, {".codeprism.toml": config, "settings.py": LEAKED})
        commit(git, "base")
        repos.append(str(repo))
    warehouse = tmp_path / "warehouse"
    done = codeprism("audit", *repos, "--warehouse", str(warehouse), "--format", "json")
    assert done.returncode == 0, done.stderr[-3000:]
    found = sorted(
        (Path(f["repo"]).name, f["file_path"], f["rule_id"])
        for f in json.loads(done.stdout)["findings"]
    )
    # every repository is audited with the operator's settings, or (hide-all) with settings
    # that cannot hide a secret: the key is found everywhere
    assert found == sorted((name, "settings.py", "aws-access-key") for name in HOSTILE)
    errors = Warehouse(str(warehouse)).read("errors").to_pylist()
    notes = {r["repo"]: r["reason"] for r in errors if r["kind"] == "config"}
    assert notes == {
        "huge": ".codeprism.toml is over the 65536-byte limit; not read, the operator's "
        "settings apply",
        "broken": notes["broken"],
        "no-secrets": ".codeprism.toml: analyzers: a repository cannot turn off the secrets "
        "analyzer; ignored",
        "escape": ".codeprism.toml: paths.include: path glob '../other/**' leaves the "
        "repository ('..'); ignored",
    }
    assert notes["broken"].startswith(".codeprism.toml is not valid TOML (")


@pytest.fixture
def audited_repo(tmp_path: Path) -> tuple[Path, Git]:
    repo = tmp_path / "service"
    git = make_repo(repo)
    write(repo, {"app.py": VULNERABLE, "util.py": "def add(a, b):\n    return a + b\n"})
    commit(git, "base")
    return repo, git


def test_audit_with_a_baseline_reports_and_fails_only_on_new_findings(
    tmp_path: Path, audited_repo: tuple[Path, Git]
) -> None:
    repo, git = audited_repo
    baseline = tmp_path / "baseline.json"
    done = codeprism("baseline", "create", "--repo", str(repo), "--output", str(baseline))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "baseline: 3 findings of service written to" in done.stderr
    listed = json.loads(baseline.read_text())["findings"]
    assert [(e["file"], e["line"], e["rule"]) for e in listed] == [
        ("app.py", 1, "B404"), ("app.py", 5, "B602"), ("app.py", 6, "B307"),
    ]  # fmt: skip

    def audit(warehouse: str) -> subprocess.CompletedProcess[str]:
        return codeprism(
            "audit", str(repo), "--warehouse", str(tmp_path / warehouse),
            "--baseline", str(baseline), "--fail-on", "low", "--format", "json",
        )  # fmt: skip

    unchanged = audit("w1")
    assert unchanged.returncode == 0, unchanged.stderr[-3000:]
    report = json.loads(unchanged.stdout)
    assert report["summary"]["findings"] == 0
    assert report["summary"]["suppressed"] == {"baseline": 3}
    assert {f["suppression"] for f in report["findings"]} == {"baseline"}

    # one vulnerable line, added above the accepted ones: they move, and stay accepted
    write(repo, {"app.py": VULNERABLE.replace("def run(x):\n", "def run(x):\n    exec(x)\n")})
    commit(git, "exec")
    changed = audit("w2")
    assert changed.returncode == 1, changed.stderr[-3000:]
    report = json.loads(changed.stdout)
    new = [f for f in report["findings"] if f["suppression"] is None]
    assert [(f["file_path"], f["start_line"], f["rule_id"]) for f in new] == [("app.py", 5, "B102")]
    assert report["summary"]["findings"] == 1
    assert report["summary"]["suppressed"] == {"baseline": 3}


def test_config_show_names_the_layer_of_every_value(tmp_path: Path) -> None:
    repo = tmp_path / "service"
    make_repo(repo)
    settings = 'fail_on = "low"\n' + SETTINGS + "[limits]\nmax_file_bytes = 1\n"
    write(repo, {".codeprism.toml": settings})
    org = tmp_path / "org.toml"
    org.write_text('fail_on = "high"\n[review]\nmax_findings = 12\n')
    done = codeprism("config", "show", "--config", str(org), "--repo", str(repo))
    assert done.returncode == 0, done.stderr
    lines = {line.split(" = ")[0]: line for line in done.stdout.splitlines() if " = " in line}
    assert lines["fail_on"].endswith("# repository .codeprism.toml")
    assert '"low"' in lines["fail_on"]
    assert lines["review.max_findings"].endswith(f"# config {org}")
    assert lines["paths.tests"].endswith("# repository .codeprism.toml")
    assert lines["limits.max_file_bytes"].endswith("# default")
    assert "2000000" in lines["limits.max_file_bytes"]
    assert (
        "note: .codeprism.toml: limits.max_file_bytes: only the operator's configuration may "
        "set this; ignored" in done.stdout
    )
    as_json = json.loads(
        codeprism("config", "show", "--repo", str(repo), "--format", "json").stdout
    )
    assert as_json["settings"]["rules.disabled"] == {
        "value": ["B307"],
        "from": "repository .codeprism.toml",
    }


def test_review_with_a_baseline_posts_only_new_findings(
    tmp_path: Path, audited_repo: tuple[Path, Git]
) -> None:
    repo, git = audited_repo
    base = git("rev-parse", "HEAD")
    baseline = tmp_path / "baseline.json"
    done = codeprism("baseline", "create", "--repo", str(repo), "--output", str(baseline))
    assert done.returncode == 0, done.stderr[-3000:]
    # the change reformats the accepted lines (changed lines, the same code: the same
    # fingerprints, one line further down) and adds one new problem
    reformatted = VULNERABLE.replace("x, shell=True", "x,shell = True").replace(
        "eval(x)", "eval( x )"
    )
    write(repo, {"app.py": "import os\n" + reformatted + "\n\ndef go(x):\n    os.system(x)\n"})
    head = commit(git, "go")
    args = ["review", "--repo", str(repo), "--base", base, "--head", head, "--format", "json"]
    without = codeprism(*args)
    assert without.returncode == 0, without.stderr[-3000:]
    findings = json.loads(without.stdout)["findings"]
    assert sorted((f["start_line"], f["rule_id"]) for f in findings) == [
        (6, "B602"), (7, "B307"), (11, "B605"),
    ]  # fmt: skip
    done = codeprism(*args, "--baseline", str(baseline), "--fail-on", "low")
    assert done.returncode == 1, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert [(f["file_path"], f["start_line"], f["rule_id"]) for f in report["findings"]] == [
        ("app.py", 11, "B605")
    ]
    assert report["summary"]["suppressed"] == {"baseline": 2}
    assert "suppressed (accepted in the code or the baseline): baseline 2" in done.stderr
