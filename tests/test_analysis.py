"""The analysis harness end to end: AnalyzerSuite over real directories, real tools, real worker."""

from __future__ import annotations

import os
import re
import shutil
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeprism.analysis import AnalysisConfig, AnalyzerSuite, RepoAnalysis
from codeprism.errors import ConfigError, ProblemKind, Stage
from codeprism.findings import Finding
from tests.test_analyzers import (
    BANDIT_EXPECTED,
    DATA,
    RUFF_EXPECTED,
    SECRETS_EXPECTED,
)

REPO, ORG, SHA = "acme/api", "acme", "0123abcd"
SHELL = "semgrep:py-subprocess-shell-true-nonconstant"
YAML = "semgrep:py-yaml-unsafe-load"
EVAL = "semgrep:py-eval-nonconstant"
PICKLE = "semgrep:py-pickle-deserialization"
PASSWORD = (
    "bandit:B105",
    "ruff:S105",
    "secrets:secret-keyword",
    "semgrep:py-hardcoded-secret-assignment",
)


@pytest.fixture(scope="module")
def suite() -> Iterator[AnalyzerSuite]:
    with AnalyzerSuite(AnalysisConfig()) as s:
        yield s


def of(analysis: RepoAnalysis, analyzer: str) -> list[Finding]:
    return [f for f in analysis.findings if f.analyzer == analyzer]


def reported(analysis: RepoAnalysis, analyzer: str, path: str) -> list[tuple[str, int]]:
    """(rule, line) of each report by `analyzer` in `path`, merged findings included."""
    return sorted(
        (reporter.split(":", 1)[1], f.start_line)
        for f in analysis.findings
        if f.file_path == path
        for reporter in f.reporters
        if reporter.startswith(f"{analyzer}:")
    )


def problems(analysis: RepoAnalysis) -> list[tuple[str | None, ProblemKind, str | None]]:
    return [(p.path, p.kind, p.analyzer) for p in analysis.problems]


def slow_python(lines: int = 3000) -> str:
    """Real code that keeps bandit and detect-secrets busy for seconds (~100 KB per 1000)."""
    out = ["import subprocess", ""]
    for i in range(lines):
        out += [
            f"def f{i}(a, b):",
            f"    if a > {i} and b < {i} or a == b:",
            "        subprocess.call('ls ' + str(a), shell=True)",
            f"    return a + b * {i}",
        ]
    return "\n".join(out) + "\n"


def test_suite_runs_every_analyzer_and_fills_the_finding_contract(suite: AnalyzerSuite) -> None:
    result = suite.analyze(DATA, repo=REPO, org=ORG, commit_sha=SHA)
    assert problems(result) == []
    alone = {  # each analyzer's findings alone, now with repo-relative paths
        "ruff": [("ruff/" + r[0], r[1], r[2]) for r in RUFF_EXPECTED],
        "bandit": [("bandit/" + r[0], r[1], r[2]) for r in BANDIT_EXPECTED],
        "secrets": [("secrets/" + r[0], r[1], r[2]) for r in SECRETS_EXPECTED],
    }
    # nothing is lost: each finding an analyzer reports alone is reported by exactly one
    # finding of the suite (merged or not)
    for analyzer, expected in alone.items():
        for path, rule, line in expected:
            if path.startswith(analyzer):
                holders = [
                    f
                    for f in result.findings
                    if (f.file_path, f.start_line) == (path, line)
                    and f"{analyzer}:{rule}" in f.reporters
                ]
                assert len(holders) == 1, (analyzer, path, rule, line)
    assert result.not_reported == {}
    # One problem, one finding: bandit's and ruff's twins merge, and so do codeprism's semgrep
    # rules and detect-secrets where they see the same problem; the merged finding keeps the
    # highest severity and confidence. Reminders (imports whose calls are checked, pattern
    # matches the context-aware rules did not confirm) are kept at info.
    # Suppressed findings are kept, with the marker that accepted them (suppressions.py).
    assert [
        (f.location, f.rule_id, f.severity.value, f.reporters)
        + ((f.suppression,) if f.suppression else ())
        for f in result.findings
        if f.analyzer != "complexity"
    ] == [
        ("bandit/example.py:3", "B404", "info", ("bandit:B404",)),
        ("bandit/example.py:9", "B602", "high", ("bandit:B602", "ruff:S602", SHELL)),
        ("bandit/example.py:13", "B506", "medium", ("bandit:B506", "ruff:S506", YAML)),
        ("bandit/example.py:17", "B307", "medium", ("bandit:B307", "ruff:S307", EVAL)),
        ("bandit/example.py:20", "py-hardcoded-secret-argument", "medium", (
            "bandit:B107", "ruff:S107", "secrets:secret-keyword",
            "semgrep:py-hardcoded-secret-argument",
        )),
        ("bandit/example.py:25", "B101", "low", ("bandit:B101", "ruff:S101")),
        # `# nosec` accepts the findings bandit reports there (merged with ruff's twins)
        ("bandit/example.py:30", "B607", "info", ("bandit:B607", "ruff:S607"), "nosec"),
        ("bandit/example.py:30", "S602", "info", ("bandit:B602", "ruff:S602"), "nosec"),
        ("bandit/example.py:36", "B110", "low", ("bandit:B110", "ruff:S110")),
        ("ruff/example.py:4", "F401", "low", ("ruff:F401",)),
        ("ruff/example.py:5", "B403", "info", ("bandit:B403",)),
        ("ruff/example.py:6", "B404", "info", ("bandit:B404",)),
        ("ruff/example.py:8", "py-hardcoded-secret-assignment", "medium", PASSWORD),
        ("ruff/example.py:12", "B301", "medium", ("bandit:B301", "ruff:S301", PICKLE)),
        # md5 outside any security use: the weak-hash rule did not confirm it
        ("ruff/example.py:16", "B324", "info", ("bandit:B324", "ruff:S324")),
        ("ruff/example.py:20", "B602", "high", ("bandit:B602", "ruff:S602", SHELL)),
        ("ruff/example.py:24", "py-sql-injection-formatted-query", "medium", (
            "bandit:B608", "ruff:S608", "semgrep:py-sql-injection-formatted-query",
        )),
        ("ruff/example.py:27", "B006", "medium", ("ruff:B006",)),
        ("ruff/example.py:33", "F821", "medium", ("ruff:F821",)),
        # `# noqa: S301` accepts what ruff reports there (bandit's twin is the same finding)
        ("ruff/example.py:37", "B301", "info", ("bandit:B301", "ruff:S301"), "noqa[S301]"),
        ("ruff/example.py:43", "B110", "low", ("bandit:B110", "ruff:S110")),
        ("secrets/deploy.yaml:3", "basic-auth-credentials", "high", (
            "secrets:basic-auth-credentials",
        )),
        ("secrets/key.pem:1", "private-key", "high", ("secrets:private-key",)),
        ("secrets/settings.py:3", "aws-access-key", "high", (
            "secrets:aws-access-key", "semgrep:py-hardcoded-aws-access-key",
        )),
        ("secrets/settings.py:4", "py-hardcoded-secret-assignment", "medium", PASSWORD),
    ]  # fmt: skip
    places = [(f.file_path, f.start_line, f.problem) for f in result.findings]
    assert len(places) == len(set(places))
    # default complexity limits: the examples are simple enough
    assert of(result, "complexity") == []
    for finding in result.findings:
        assert (finding.repo, finding.org, finding.commit_sha) == (REPO, ORG, SHA)
        assert re.fullmatch(r"[0-9a-f]{64}", finding.fingerprint)
        assert finding.snippet
    assert len({f.fingerprint for f in result.findings}) == len(result.findings)
    assert result.inventory.manifests == [
        "inventory/pyproject.toml",
        "inventory/requirements-dev.txt",
        "inventory/requirements/test.txt",
        "inventory/web/package.json",
    ]


def test_bad_inputs_are_problems_and_the_sweep_goes_on(
    suite: AnalyzerSuite, tmp_path: Path
) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / ".git").mkdir(parents=True)
    outside.mkdir()
    (outside / "creds.py").write_text('import pickle\naws = "AKIAIOSFODNN7EXAMPLE"\n')
    (repo / ".git" / "config").write_text('password = "in-vcs-metadata-1"\n')
    (repo / "good.py").write_text("import pickle\n\npickle.loads(b'')\n")
    (repo / "bad.py").write_text("def broken(:\n    pass\n")
    (repo / "latin1.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    (repo / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (repo / "deep.py").write_text("x = " + "+".join(["1"] * 3000) + "\n")  # bandit recurses
    with (repo / "huge.py").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (repo / "passwd").symlink_to("/etc/passwd")
    (repo / "elsewhere").symlink_to(outside)
    (repo / "alias.py").symlink_to("good.py")

    tracemalloc.start()
    try:
        result = suite.analyze(repo, repo="acme/bad")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert problems(result) == [
        ("bad.py", ProblemKind.PARSE, "bandit"),
        ("deep.py", ProblemKind.ANALYZER_FAILED, "bandit"),
        ("elsewhere", ProblemKind.SYMLINK_OUTSIDE, None),
        ("huge.py", ProblemKind.TOO_LARGE, None),
        ("image.png", ProblemKind.BINARY, None),
        ("latin1.txt", ProblemKind.DECODE, None),
        ("passwd", ProblemKind.SYMLINK_OUTSIDE, None),
    ]
    assert all(p.stage is Stage.ANALYZE for p in result.problems)
    # Only good.py has findings: once (not again through alias.py), none from outside or .git;
    # the pickle call once for bandit and ruff, the import as a reminder.
    assert sorted((f.file_path, f.reporters, f.severity.value) for f in result.findings) == [
        ("good.py", ("bandit:B301", "ruff:S301"), "info"),  # constant data: a reminder
        ("good.py", ("bandit:B403",), "info"),
    ]
    # huge.py counts by size but was never read (the parent's allocations stay small).
    assert peak < 10_000_000
    inventory = result.inventory
    assert inventory.files == 6
    assert inventory.bytes > 50 * 1024 * 1024
    assert inventory.languages == {"Python": 6}


def test_a_file_past_the_deadline_is_a_timeout_and_the_rest_is_kept(tmp_path: Path) -> None:
    # Copies of the examples sort before and after the slow file, so both a fresh worker
    # and the one started after the kill must do their part.
    shutil.copy(DATA / "bandit" / "example.py", tmp_path / "a_bandit.py")
    shutil.copy(DATA / "secrets" / "settings.py", tmp_path / "z_settings.py")
    (tmp_path / "m_slow.py").write_text(slow_python())
    config = AnalysisConfig(analyzers=("bandit", "secrets"), file_timeout_s=0.5)
    with AnalyzerSuite(config) as suite:
        result = suite.analyze(tmp_path, repo="acme/slow")
    assert problems(result) == [
        ("m_slow.py", ProblemKind.TIMEOUT, "bandit"),
        ("m_slow.py", ProblemKind.TIMEOUT, "secrets"),
    ]
    assert "0.5 s" in result.problems[0].reason
    assert reported(result, "bandit", "a_bandit.py") == sorted(
        (r[1], r[2]) for r in BANDIT_EXPECTED
    )
    assert reported(result, "secrets", "z_settings.py") == sorted(
        (r[1], r[2]) for r in SECRETS_EXPECTED if r[0] == "settings.py"
    )
    assert {f.file_path for f in result.findings} == {"a_bandit.py", "z_settings.py"}


def test_fingerprints_survive_line_shifts_and_reformatting(
    suite: AnalyzerSuite, tmp_path: Path
) -> None:
    for name in ("ruff", "bandit", "secrets"):
        shutil.copytree(DATA / name, tmp_path / name)
    before = suite.analyze(tmp_path, repo=REPO)

    for path in tmp_path.rglob("*.py"):
        text = path.read_text()
        # Lines inserted above everything, and whitespace changed inside flagged lines.
        text = text.replace(" = ", "=").replace("(blob)", "( blob )")
        path.write_text("# a new header comment\n\n\n" + text)
    after = suite.analyze(tmp_path, repo=REPO)

    def identities(result: RepoAnalysis) -> dict[tuple[str, str, str], int]:
        return {(f.file_path, f.rule_id, f.fingerprint): f.start_line for f in result.findings}

    old, new = identities(before), identities(after)
    assert set(old) == set(new) and len(old) == len(before.findings) > 15
    python_keys = [key for key in old if key[0].endswith(".py")]
    assert all(new[key] == old[key] + 3 for key in python_keys)

    # A change to the flagged code itself is a new finding.
    target = tmp_path / "ruff" / "example.py"
    target.write_text(target.read_text().replace("loads( blob )", "loads(data)"))
    changed = suite.analyze(tmp_path, repo=REPO)
    s301 = [f.fingerprint for f in changed.findings if "loads(data)" in f.snippet]
    assert s301 and not set(s301) & {key[2] for key in old}


def test_repository_code_and_config_are_never_executed_or_read(
    suite: AnalyzerSuite, tmp_path: Path
) -> None:
    marker = tmp_path / "executed"
    repo = tmp_path / "repo"
    repo.mkdir()
    payload = f"open({str(marker)!r}, 'w').close()\n"
    for name in ("setup.py", "conftest.py", "sitecustomize.py", "__init__.py", "bandit.py"):
        (repo / name).write_text(payload)
    (repo / "pyproject.toml").write_text(
        '[tool.ruff]\nexclude = ["*"]\n[tool.ruff.lint]\nignore = ["S"]\n'
        '[tool.bandit]\nskips = ["B602"]\n'
    )
    (repo / ".bandit").write_text("[bandit]\nskips = B602\n")
    (repo / ".secrets.baseline").write_text('{"plugins_used": []}')
    (repo / "app.py").write_text("import subprocess\nsubprocess.call(cmd, shell=True)\n")
    result = suite.analyze(repo, repo="acme/evil")
    assert not marker.exists()
    reporters = {r for f in result.findings if f.file_path == "app.py" for r in f.reporters}
    assert reporters >= {"ruff:S602", "bandit:B602"}


def test_versions_name_every_analyzer(suite: AnalyzerSuite) -> None:
    versions = suite.versions
    assert set(versions) == {"ruff", "bandit", "semgrep", "secrets", "complexity", "inventory"}
    assert all("+" in v for v in versions.values())
    versions["ruff"] = "tampered"
    assert suite.versions["ruff"] != "tampered"


def test_a_dead_worker_is_replaced(suite: AnalyzerSuite, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import pickle\npickle.loads(b'')\n")
    worker = suite._worker
    assert worker is not None and worker._proc is not None
    worker._proc.kill()
    worker._proc.wait()
    result = suite.analyze(tmp_path, repo="acme/a")
    assert problems(result) == []
    assert {r for f in result.findings for r in f.reporters} == {
        "bandit:B301",
        "bandit:B403",
        "ruff:S301",
    }


def test_close_stops_the_worker_and_ruff_only_needs_none(tmp_path: Path) -> None:
    suite = AnalyzerSuite(AnalysisConfig(analyzers=("secrets",)))
    assert suite._worker is not None and suite._worker._proc is not None
    proc = suite._worker._proc
    suite.close()
    assert proc.poll() is not None
    suite.close()  # idempotent

    (tmp_path / "a.py").write_text("import os\n")
    with AnalyzerSuite(AnalysisConfig(analyzers=("ruff", "inventory"))) as ruff_only:
        assert ruff_only._worker is None
        result = ruff_only.analyze(tmp_path, repo="acme/a")
    assert [f.rule_id for f in result.findings] == ["F401"]
    assert set(ruff_only.versions) == {"ruff", "inventory"}


def test_config_is_validated() -> None:
    with pytest.raises(ConfigError, match="unknown analyzer"):
        AnalysisConfig(analyzers=("ruff", "eslint"))
    with pytest.raises(ConfigError):
        AnalysisConfig(file_timeout_s=0)
    with pytest.raises(ConfigError):
        AnalysisConfig(max_file_bytes=0)


def test_missing_root_is_an_error(suite: AnalyzerSuite, tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        suite.analyze(tmp_path / "missing", repo="acme/none")
    assert os.path.isdir(tmp_path)
