"""The semgrep analyzer: real semgrep with codeprism's rule pack, one process per repository,
the repository's own configuration never read, per-file deadlines as problems."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from codeprism.analysis import AnalysisConfig
from codeprism.analyzers.base import BatchResult
from codeprism.analyzers.semgrep import SemgrepAnalyzer, semgrep_binary
from codeprism.errors import ConfigError, ProblemKind
from codeprism.files import resolve_root
from codeprism.findings import Severity
from tests.test_analyzers import repo_files

VIEW = """\
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/run")
def run():
    command = "ls " + request.args.get("dir", ".")
    return subprocess.check_output(command, shell=True)
"""


def analyze(repo: Path, config: AnalysisConfig, binary: str | None = None) -> BatchResult:
    analyzer = SemgrepAnalyzer(config, binary=binary)
    return analyzer.analyze_batch(resolve_root(repo), repo_files(repo))


def test_a_tainted_shell_command_is_one_mapped_finding_and_semgrepignore_is_not_read(
    tmp_path: Path,
) -> None:
    (tmp_path / "views.py").write_text(VIEW)
    (tmp_path / ".semgrepignore").write_text("views.py\n")  # the repository's wish: ignored
    (tmp_path / ".gitignore").write_text("views.py\n")
    result = analyze(tmp_path, AnalysisConfig())
    assert result.problems == []
    found = {(f.file_path, f.start_line, f.rule_id) for f in result.findings}
    assert ("views.py", 11, "py-command-injection-taint") in found
    taint = next(f for f in result.findings if f.rule_id == "py-command-injection-taint")
    assert (taint.analyzer, taint.severity, taint.confidence, taint.cwe) == (
        "semgrep",
        Severity.CRITICAL,  # the rule's metadata.severity overrides ERROR (high)
        0.9,
        "CWE-78",
    )
    assert taint.title and taint.suggested_fix and "subprocess" in taint.snippet


def test_a_file_past_the_per_file_deadline_is_a_timeout_and_the_rest_is_kept(
    tmp_path: Path,
) -> None:
    lines = ["import subprocess", "from flask import request", ""]
    for i in range(8000):
        lines += [
            f"def f{i}(a):",
            f'    x = request.args.get("q{i}") + str(a)',
            '    subprocess.call("ls " + x, shell=True)',
        ]
    (tmp_path / "huge_view.py").write_text("\n".join(lines) + "\n")
    (tmp_path / "views.py").write_text(VIEW)
    result = analyze(tmp_path, AnalysisConfig(file_timeout_s=1))
    kinds = {(p.path, p.kind, p.analyzer) for p in result.problems}
    assert ("huge_view.py", ProblemKind.TIMEOUT, "semgrep") in kinds
    assert all(p.path == "huge_view.py" for p in result.problems)
    assert ("views.py", 11) in {(f.file_path, f.start_line) for f in result.findings}


FAKE_SEMGREP = """\
#!{python}
import json, sys, time
files = [a for a in sys.argv[sys.argv.index("--") + 1:]]
if "crash.js" in files:
    sys.exit(7)
if "slow.js" in files:
    time.sleep(30)
print(json.dumps({{"results": [
    {{"check_id": "js-made-up", "path": f, "start": {{"line": 1}}, "end": {{"line": 1}},
     "extra": {{"message": "Bad. Fix it.", "severity": "WARNING",
               "metadata": {{"cwe": "CWE-1", "confidence": "LOW"}}}}}}
    for f in files
], "errors": []}}))
"""


def test_a_process_that_fails_or_hangs_is_bisected_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import codeprism.analyzers.semgrep as semgrep_module

    fake = tmp_path / "fake-semgrep"
    fake.write_text(FAKE_SEMGREP.format(python=sys.executable))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ["a.js", "crash.js", "slow.js", "z.js"]:
        (repo / name).write_text("x = 1\n")
    # the process deadline: start-up plus a share per file; small here so the test is quick
    monkeypatch.setattr(semgrep_module, "PROCESS_BASE_S", 2.0)
    monkeypatch.setattr(semgrep_module, "PROCESS_PER_FILE_S", 0.1)
    result = analyze(repo, AnalysisConfig(file_timeout_s=0.5), binary=str(fake))
    assert [(p.path, p.kind, p.analyzer) for p in result.problems] == [
        ("crash.js", ProblemKind.ANALYZER_FAILED, "semgrep"),
        ("slow.js", ProblemKind.TIMEOUT, "semgrep"),
    ]
    assert sorted(f.file_path for f in result.findings) == ["a.js", "z.js"]
    assert {(f.severity, f.confidence, f.title, f.suggested_fix) for f in result.findings} == {
        (Severity.MEDIUM, 0.3, "Bad.", "Fix it.")
    }


def test_without_semgrep_the_error_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="semgrep is not installed: run scripts/_venv.sh"):
        semgrep_binary()
