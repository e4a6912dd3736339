"""Each analyzer against its example inputs in tests/data/analyzers/<name>/: exact findings.

File analyzers run in-process here (no worker), the way the worker calls them; the suite
end to end is covered in test_analysis.py.
"""

from __future__ import annotations

import re
import stat
import sys
from pathlib import Path

import pytest

from codeprism.analysis import AnalysisConfig
from codeprism.analyzers import ANALYZERS, analyzer_class
from codeprism.analyzers.bandit import BanditAnalyzer
from codeprism.analyzers.base import REDACTED, FileAnalyzer, SourceText, redact_literals, snippet
from codeprism.analyzers.complexity import ComplexityAnalyzer
from codeprism.analyzers.inventory import InventoryCounter, count_lines, is_manifest, language_of
from codeprism.analyzers.ruff import RuffAnalyzer
from codeprism.analyzers.secrets import SecretsAnalyzer, redact_line, rule_id
from codeprism.errors import ConfigError, Problem, ProblemKind
from codeprism.files import RepoFile, read_text, resolve_root, walk_repo
from codeprism.findings import Finding

DATA = Path(__file__).parent / "data" / "analyzers"
CONFIG = AnalysisConfig()
SMALL_LIMITS = AnalysisConfig(complexity_max_ccn=5, complexity_max_length=12)

Row = tuple[str, str, int, int, str, float, str | None]

# (file, rule_id, start, end, severity, confidence, cwe)
RUFF_EXPECTED: list[Row] = [
    ("example.py", "F401", 4, 4, "low", 0.9, None),
    ("example.py", "S105", 8, 8, "low", 0.6, "CWE-259"),
    ("example.py", "S301", 12, 12, "medium", 0.6, "CWE-502"),
    ("example.py", "S324", 16, 16, "high", 0.6, "CWE-327"),
    ("example.py", "S602", 20, 20, "high", 0.6, "CWE-78"),
    ("example.py", "S608", 24, 24, "medium", 0.6, "CWE-89"),
    ("example.py", "B006", 27, 27, "medium", 0.8, None),
    ("example.py", "F821", 33, 33, "medium", 0.9, None),
    # reported under its noqa marker: codeprism keeps it, accepted (suppressions.py)
    ("example.py", "S301", 37, 37, "medium", 0.6, "CWE-502"),
    ("example.py", "S110", 43, 44, "low", 0.6, "CWE-703"),
]
BANDIT_EXPECTED: list[Row] = [
    ("example.py", "B404", 3, 3, "low", 0.9, "CWE-78"),
    ("example.py", "B602", 9, 9, "high", 0.9, "CWE-78"),
    ("example.py", "B506", 13, 13, "medium", 0.9, "CWE-20"),
    ("example.py", "B307", 17, 17, "medium", 0.9, "CWE-78"),
    ("example.py", "B107", 20, 21, "low", 0.6, "CWE-259"),
    ("example.py", "B101", 25, 25, "low", 0.9, "CWE-703"),
    # bandit runs with ignore_nosec: codeprism applies `# nosec` and keeps the findings
    ("example.py", "B602", 30, 30, "low", 0.9, "CWE-78"),
    ("example.py", "B607", 30, 30, "low", 0.9, "CWE-78"),
    ("example.py", "B110", 36, 37, "low", 0.9, "CWE-703"),
]
SECRETS_EXPECTED: list[Row] = [
    ("deploy.yaml", "basic-auth-credentials", 3, 3, "high", 0.9, "CWE-798"),
    ("key.pem", "private-key", 1, 1, "high", 0.9, "CWE-798"),
    ("settings.py", "aws-access-key", 3, 3, "high", 0.9, "CWE-798"),
    ("settings.py", "secret-keyword", 4, 4, "medium", 0.5, "CWE-798"),
]
# With SMALL_LIMITS (CCN 5, 12 NLOC).
COMPLEXITY_EXPECTED: list[Row] = [
    ("branches.py", "cyclomatic-complexity", 8, 21, "low", 1.0, "CWE-1121"),
    ("branches.py", "function-length", 8, 21, "low", 1.0, None),
    ("handler.js", "cyclomatic-complexity", 3, 13, "medium", 1.0, "CWE-1121"),
    ("handler.js", "function-length", 15, 30, "low", 1.0, None),
]
# The secret values in tests/data/analyzers/secrets and the passwords in the examples.
SECRET_VALUES = [
    "AKIAIOSFODNN7EXAMPLE",
    "Tr0ub4dor&3-not-real",
    "n0t-a-real-pw",
    "BEGIN RSA PRIVATE KEY",
    "hunter2-hunter2",
    "correct-horse-battery",
]


def rows(findings: list[Finding]) -> list[Row]:
    ordered = sorted(findings, key=lambda f: (f.file_path, f.start_line, f.rule_id))
    return [
        (f.file_path, f.rule_id, f.start_line, f.end_line, f.severity.value, f.confidence, f.cwe)
        for f in ordered
    ]


def repo_files(folder: Path) -> list[RepoFile]:
    return [f for f in walk_repo(resolve_root(folder)) if isinstance(f, RepoFile)]


def run_file_analyzer(analyzer: FileAnalyzer, folder: Path) -> list[Finding]:
    findings = []
    for file in repo_files(folder):
        if type(analyzer).accepts(file.rel):
            text = read_text(file, CONFIG.max_file_bytes)
            assert isinstance(text, str)
            findings += analyzer.analyze(SourceText(path=file.path, rel=file.rel, text=text))
    return findings


def assert_no_secret_values(findings: list[Finding]) -> None:
    for finding in findings:
        stored = " ".join([finding.title, finding.description, finding.snippet])
        for value in SECRET_VALUES:
            assert value not in stored, (finding.rule_id, value)


# --- registry --------------------------------------------------------------------------


def test_registry_names_and_versions() -> None:
    assert set(ANALYZERS) == {"ruff", "bandit", "semgrep", "secrets", "complexity"}
    for name, cls in ANALYZERS.items():
        assert cls.name == name
        assert re.fullmatch(r"\d+\.\d+\.\d+\+\d+(\..+)?", cls.version(CONFIG)), name
    assert ComplexityAnalyzer.version(SMALL_LIMITS).endswith("+1.ccn5.nloc12")
    assert BanditAnalyzer.version(CONFIG).endswith(f".py3{sys.version_info.minor}")
    with pytest.raises(ConfigError, match="unknown analyzer 'pylint'"):
        analyzer_class("pylint")


# --- ruff ------------------------------------------------------------------------------


def test_ruff_example_exact_findings() -> None:
    result = RuffAnalyzer(CONFIG).analyze_batch(
        resolve_root(DATA / "ruff"), repo_files(DATA / "ruff")
    )
    assert result.problems == []
    assert rows(result.findings) == RUFF_EXPECTED
    by_rule = {f.rule_id: f for f in result.findings}
    assert by_rule["S110"].snippet == (
        "    except Exception:  # S110 spans the except clause: two lines\n        pass"
    )
    assert by_rule["S105"].snippet == f'DB_PASSWORD = "{REDACTED}"  # S105 (CWE-259)'
    assert by_rule["F401"].suggested_fix == "Remove unused import: `json`"
    assert_no_secret_values(result.findings)


def test_ruff_noqa_where_ruff_places_it_marks_the_finding_accepted(tmp_path: Path) -> None:
    """ruff reports everything, and marks what its own markers accept as ruff decides it:
    the first line of a multi-line import, a file-level exemption, the line itself."""
    (tmp_path / "imports.py").write_text(
        "from os import (  # noqa: F401\n    path,\n    sep,\n)\nimport sys\n"
    )
    (tmp_path / "whole.py").write_text("# ruff: noqa: F401\nimport json\nimport re  # noqa\n")
    (tmp_path / "other.py").write_text("import glob  # noqa: E501\n")
    result = RuffAnalyzer(CONFIG).analyze_batch(resolve_root(tmp_path), repo_files(tmp_path))
    assert sorted((f.location, f.rule_id, f.suppression) for f in result.findings) == [
        ("imports.py:2", "F401", "noqa[F401]"),
        ("imports.py:3", "F401", "noqa[F401]"),
        ("imports.py:5", "F401", None),
        ("other.py:1", "F401", None),  # a marker for another code accepts nothing here
        ("whole.py:2", "F401", "noqa[F401]"),
        ("whole.py:3", "F401", "noqa[F401]"),
    ]


def test_ruff_ignores_the_repository_config_and_reports_syntax_errors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.ruff]\nexclude = ["*.py"]\n')
    (tmp_path / "ruff.toml").write_text('[lint]\nignore = ["S"]\n')
    (tmp_path / "a.py").write_text("import pickle\npickle.loads(b'')\n")
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n")
    files = [f for f in repo_files(tmp_path) if RuffAnalyzer.accepts(f.rel)]
    result = RuffAnalyzer(CONFIG).analyze_batch(resolve_root(tmp_path), files)
    assert [(f.file_path, f.rule_id, f.start_line) for f in result.findings] == [
        ("a.py", "S301", 2)
    ]
    assert [(p.path, p.kind, p.analyzer) for p in result.problems] == [
        ("broken.py", ProblemKind.PARSE, "ruff")
    ]
    assert result.problems[0].reason.startswith("syntax error at line 1")


FAKE_RUFF = """\
#!{python}
# A stand-in for the ruff binary: hangs on any file named slow*, fails on crash*, and
# otherwise reports one F401 per file.
import json, os, sys, time
files = sys.argv[sys.argv.index("--") + 1:]
if any(os.path.basename(f).startswith("slow") for f in files):
    time.sleep(30)
if any(os.path.basename(f).startswith("crash") for f in files):
    sys.exit(2)
print(json.dumps([
    {{"code": "F401", "name": "unused-import", "message": "unused", "url": None, "fix": None,
      "filename": os.path.join(os.getcwd(), f),
      "location": {{"row": 1, "column": 1}}, "end_location": {{"row": 1, "column": 5}}}}
    for f in files
]))
"""


def test_ruff_batch_over_the_deadline_is_bisected_to_the_slow_file(tmp_path: Path) -> None:
    fake = tmp_path / "fake-ruff"
    fake.write_text(FAKE_RUFF.format(python=sys.executable))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    repo = tmp_path / "repo"
    repo.mkdir()
    names = ["a.py", "crash.py", "slow.py", "z.py"]
    for name in names:
        (repo / name).write_text("import os\n")
    config = AnalysisConfig(file_timeout_s=0.5)
    result = RuffAnalyzer(config, binary=str(fake)).analyze_batch(
        resolve_root(repo), repo_files(repo)
    )
    assert [(p.path, p.kind, p.analyzer) for p in result.problems] == [
        ("crash.py", ProblemKind.ANALYZER_FAILED, "ruff"),
        ("slow.py", ProblemKind.TIMEOUT, "ruff"),
    ]
    assert sorted(f.file_path for f in result.findings) == ["a.py", "z.py"]


# --- bandit ----------------------------------------------------------------------------


def test_bandit_example_exact_findings() -> None:
    findings = run_file_analyzer(BanditAnalyzer(CONFIG), DATA / "bandit")
    assert rows(findings) == BANDIT_EXPECTED
    b107 = next(f for f in findings if f.rule_id == "B107")
    assert b107.title == f"Possible hardcoded password: '{REDACTED}'"
    assert b107.snippet.startswith(f'def connect(host, password="{REDACTED}"):')
    assert "b602" in next(f for f in findings if f.rule_id == "B602").description
    assert_no_secret_values(findings)


def test_bandit_reports_a_syntax_error_as_parse_failure() -> None:
    from codeprism.analyzers.base import ParseFailure

    source = SourceText(path="/nonexistent/x.py", rel="x.py", text="x = 1\ndef f(:\n")
    with pytest.raises(ParseFailure, match="syntax error at line 2"):
        BanditAnalyzer(CONFIG).analyze(source)


# --- secrets ---------------------------------------------------------------------------


def test_secrets_example_exact_findings_and_redaction() -> None:
    findings = run_file_analyzer(SecretsAnalyzer(CONFIG), DATA / "secrets")
    assert rows(findings) == SECRETS_EXPECTED
    snippets = {f.rule_id: f.snippet for f in findings}
    assert snippets["aws-access-key"] == f'AWS_ACCESS_KEY_ID = "{REDACTED}"  # aws-access-key'
    assert snippets["basic-auth-credentials"] == (
        f'  url: "postgres://admin:{REDACTED}@db.example.com:5432/app"'
    )
    assert {f.title for f in findings} >= {"Possible secret: AWS Access Key"}
    assert_no_secret_values(findings)


def test_secret_redaction_helpers() -> None:
    assert rule_id("AWS Access Key") == "aws-access-key"
    assert rule_id("Public IP (ipv4)") == "public-ip-ipv4"
    # two secrets on one line: both go, the longer one first
    assert redact_line('a="s3cr3t" b="s3cr3t-longer"', {"s3cr3t", "s3cr3t-longer"}) == (
        f'a="{REDACTED}" b="{REDACTED}"'
    )
    # a value not found verbatim: the whole line is withheld
    assert redact_line("key: >-\n", {"folded-value"}) == REDACTED
    assert redact_literals("""pw = 'a' + "b\\"c" + `d`""") == (
        f"pw = '{REDACTED}' + \"{REDACTED}\" + `{REDACTED}`"
    )


# --- complexity ------------------------------------------------------------------------


def test_complexity_example_exact_findings() -> None:
    findings = run_file_analyzer(ComplexityAnalyzer(SMALL_LIMITS), DATA / "complexity")
    assert rows(findings) == COMPLEXITY_EXPECTED
    assert {f.snippet for f in findings} == {"classify( n )", "route ( request )", "setup ( app )"}


def test_complexity_default_limits_find_nothing_in_the_examples() -> None:
    assert run_file_analyzer(ComplexityAnalyzer(CONFIG), DATA / "complexity") == []


def test_complexity_picks_files_by_lizard_language_detection() -> None:
    accepted = [p for p in ["a.py", "b.go", "c.rs", "d.java", "e.txt", "f.md"] if
                ComplexityAnalyzer.accepts(p)]  # fmt: skip
    assert accepted == ["a.py", "b.go", "c.rs", "d.java"]


# --- inventory -------------------------------------------------------------------------


def test_inventory_example() -> None:
    counter = InventoryCounter()
    for file in repo_files(DATA / "inventory"):
        counter.add_file(file.rel, file.size)
        text = read_text(file, CONFIG.max_file_bytes)
        assert not isinstance(text, Problem)
        counter.add_text(file.rel, text)
    inventory = counter.result()
    assert inventory.languages == {
        "Dockerfile": 1,
        "Go": 3,
        "JSON": 1,
        "JavaScript": 1,
        "Markdown": 3,
        "Python": 2,
        "TOML": 3,
    }
    assert (inventory.files, inventory.lines, inventory.bytes) == (9, 16, 221)
    assert inventory.manifests == [
        "pyproject.toml",
        "requirements-dev.txt",
        "requirements/test.txt",
        "web/package.json",
    ]


@pytest.mark.parametrize(
    "path",
    ["go.mod", "a/pom.xml", "build.gradle.kts", "Cargo.toml", "x/Gemfile", "composer.json",
     "setup.cfg", "setup.py", "Pipfile", "requirements.txt", "app.csproj"],
)  # fmt: skip
def test_manifests(path: str) -> None:
    assert is_manifest(path)


def test_not_manifests_and_languages() -> None:
    assert not is_manifest("docs/requirements.md") and not is_manifest("src/setup_utils.py")
    assert (
        language_of("lib/x.tsx") == "TypeScript" and language_of("Dockerfile.dev") == "Dockerfile"
    )
    assert language_of("LICENSE") is None
    assert [count_lines(t) for t in ["", "a", "a\n", "a\nb"]] == [0, 1, 1, 2]


def test_snippet_is_clipped_to_five_lines() -> None:
    lines = [f"line {i}" for i in range(1, 11)]
    assert snippet(lines, 2, 9) == "\n".join(lines[1:6])
    assert snippet(lines, 10, 12) == "line 10"
