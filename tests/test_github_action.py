"""The GitHub Action: action.yml's shape, and its script run locally as the action runs it.

scripts/github_action.sh is run with the variables a GitHub runner sets (GITHUB_EVENT_NAME,
GITHUB_EVENT_PATH, GITHUB_WORKSPACE, GITHUB_OUTPUT, ...) and a GitHub event payload (the
documented examples in tests/fixtures/webhooks/github, with this test's commit shas), on a
workspace cloned from the fake GitHub's git server with a token, as actions/checkout clones.
The script makes no GitHub API call (the SARIF upload is the codeql action's step): the fake
records only git's requests, and those only when a shallow checkout lacks the pull request's
head commit.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakes.git_repos import Upstream
from tests.fakes.git_repos import git as git_in
from tests.fakes.github_server import FakeGitHub

ROOT = Path(__file__).parents[1]
ACTION = ROOT / "action.yml"
SCRIPT = ROOT / "scripts" / "github_action.sh"
EVENTS = ROOT / "tests" / "fixtures" / "webhooks" / "github"
BIN = Path(sys.executable).parent  # this venv's bin: codeprism, and semgrep beside it
TOKEN = "ghs_action-test-token"
INPUTS = {
    "fail-on": "high",
    "mode": "auto",
    "config": "",
    "baseline": "",
    "sarif-file": "codeprism.sarif",
    "upload-sarif": "true",
    "python-version": "3.11",
    "all-roles": "false",
}

# legacy.py: a shell=True call that main fixes after the branch point. The pull request's
# branch still has it, so only a diff from the merge base (GitHub's view) leaves it out.
LEGACY = "import subprocess\n\n\ndef legacy(cmd):\n    return subprocess.call(cmd, shell={})\n"
UTIL = '"""Helpers."""\n\n\ndef greet(name):\n    return f"hello {name}"\n'
VULNERABLE = UTIL + (
    "\n\ndef run(command):\n"
    "    import subprocess\n\n"
    "    return subprocess.call(command, shell=True)\n"
)
VULNERABLE_LINE = 11


@dataclass(frozen=True)
class Change:
    """A pull request on the fake GitHub: its repository, base and head commits."""

    github: FakeGitHub
    clone_url: str
    base: str  # main's tip, after the fix of legacy.py
    head: str  # refs/pull/1/head


@dataclass(frozen=True)
class Outcome:
    code: int
    stderr: str
    outputs: dict[str, str]
    summary: str
    sarif: dict[str, Any] | None
    github_requests: list[str]  # paths the script's commands asked the fake GitHub for


def checkout(change: Change, dest: Path, *, depth: int | None = None) -> Path:
    """What actions/checkout leaves: a clone whose token stays in http.extraheader."""
    header = "AUTHORIZATION: Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    shallow = ["--depth", str(depth)] if depth else []
    git_in("-c", f"http.extraheader={header}", "clone", "-q", *shallow, change.clone_url, str(dest))
    git_in("config", "--local", "http.extraheader", header, cwd=dest)
    return dest


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Change]:
    remotes = tmp_path_factory.mktemp("remotes")
    with FakeGitHub(token=TOKEN, git_root=remotes) as github:
        upstream = Upstream(remotes, "app")
        upstream.commit({"legacy.py": LEGACY.format("True"), "util.py": UTIL}, "start")
        git_in("checkout", "-q", "-b", "feature", cwd=upstream.work)
        upstream.work.joinpath("util.py").write_text(VULNERABLE)
        git_in("commit", "-q", "-am", "add run()", cwd=upstream.work)
        head = git_in("rev-parse", "HEAD", cwd=upstream.work)
        git_in("push", "-q", "origin", "feature:refs/pull/1/head", cwd=upstream.work)
        git_in("checkout", "-q", "main", cwd=upstream.work)
        base = upstream.commit({"legacy.py": LEGACY.format("False")}, "fix legacy")
        yield Change(github, github.git_url("app.git"), base, head)


@pytest.fixture(scope="module")
def pr_workspace(change: Change, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """actions/checkout with fetch-depth: 0 on a pull_request event: the whole history and
    the pull request's ref, both commits present."""
    workspace = checkout(change, tmp_path_factory.mktemp("runner") / "app")
    git_in("fetch", "-q", "origin", "refs/pull/1/head", cwd=workspace)
    git_in("checkout", "-q", "--detach", change.head, cwd=workspace)
    return workspace


def event_file(directory: Path, fixture: str, edit: Callable[[dict[str, Any]], None]) -> Path:
    event = json.loads((EVENTS / fixture).read_text())
    edit(event)
    path = directory / f"event-{fixture}"
    path.write_text(json.dumps(event))
    return path


def pull_request_event(directory: Path, change: Change) -> Path:
    def edit(event: dict[str, Any]) -> None:
        event["number"] = 1
        event["pull_request"]["number"] = 1
        event["pull_request"]["base"].update(ref="main", sha=change.base)
        event["pull_request"]["head"].update(ref="feature", sha=change.head)

    return event_file(directory, "pull_request.opened.json", edit)


def run_action(
    change: Change,
    workspace: Path,
    event_name: str,
    event_path: Path,
    runner_temp: Path,
    **inputs: str,
) -> Outcome:
    """The action's "Run codeprism" step: its env block (action.yml) and GitHub's variables."""
    runner_temp.mkdir(parents=True, exist_ok=True)
    output = runner_temp / "github_output"
    summary = runner_temp / "step_summary"
    output.write_text("")
    summary.write_text("")
    values = INPUTS | {name.replace("_", "-"): value for name, value in inputs.items()}
    ours = ("RAY_", "GITHUB_", "INPUT_", "CODEPRISM_", "RUNNER_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env |= {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_SERVER_URL": change.github.url,
        "GITHUB_API_URL": change.github.api_url,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_ACTION_PATH": str(ROOT),
        "RUNNER_TEMP": str(runner_temp),
        "INPUT_FAIL_ON": values["fail-on"],
        "INPUT_MODE": values["mode"],
        "INPUT_CONFIG": values["config"],
        "INPUT_BASELINE": values["baseline"],
        "INPUT_SARIF_FILE": values["sarif-file"],
        "INPUT_ALL_ROLES": values["all-roles"],
    }
    seen = len(change.github.requests)
    done = subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    sarif_path = outputs.get("sarif-file")
    sarif = json.loads(Path(sarif_path).read_text()) if sarif_path else None
    return Outcome(
        code=done.returncode,
        stderr=done.stderr,
        outputs=outputs,
        summary=summary.read_text(),
        sarif=sarif,
        github_requests=[r.path for r in change.github.requests[seen:]],
    )


def results(sarif: dict[str, Any]) -> list[tuple[str, str, int]]:
    return sorted(
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for run in sarif["runs"]
        for r in run["results"]
    )


# ------------------------------------------------------------------------ the action's file


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text())
    return loaded


def test_action_is_composite_with_its_inputs() -> None:
    spec = action()
    assert spec["runs"]["using"] == "composite"
    assert set(INPUTS) <= set(spec["inputs"])
    defaults = {name: str(spec["inputs"][name].get("default", "")) for name in INPUTS}
    assert defaults == INPUTS
    assert {"findings", "sarif-file", "exit-code"} <= set(spec["outputs"])


def test_every_run_step_names_its_shell_and_upload_comes_before_failing() -> None:
    steps = action()["runs"]["steps"]
    for step in steps:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", step["name"]
    uses = [step.get("uses", "") for step in steps]
    assert uses[0].startswith("actions/setup-python@")
    upload = uses.index("github/codeql-action/upload-sarif@v3")
    assert steps[upload]["if"].startswith("always()")
    assert "inputs.upload-sarif == 'true'" in steps[upload]["if"]
    run_step = next(i for i, step in enumerate(steps) if step.get("id") == "codeprism")
    assert "scripts/github_action.sh" in steps[run_step]["run"]
    # the script's exit code is recorded, not raised; the last step fails the job with it
    assert run_step < upload < len(steps) - 1
    assert steps[-1]["if"].startswith("always()")
    assert "exit 1" in steps[-1]["run"]
    # every input the script reads is passed to it
    script_inputs = set(re.findall(r"INPUT_[A-Z_]+", SCRIPT.read_text()))
    assert script_inputs == set(steps[run_step]["env"])


def test_action_installs_the_semgrep_that_scripts_venv_installs() -> None:
    pinned = re.search(r"^SEMGREP_VERSION=(\S+)$", (ROOT / "scripts/_venv.sh").read_text(), re.M)
    assert pinned is not None
    install = next(s for s in action()["runs"]["steps"] if s.get("name") == "Install codeprism")
    assert install["env"]["SEMGREP_VERSION"] == pinned.group(1)
    assert '"$GITHUB_ACTION_PATH"' in install["run"]


def test_shellcheck_is_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    done = subprocess.run([shellcheck, str(SCRIPT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


# ------------------------------------------------------------------ the script, as on a runner


def test_pull_request_review_writes_valid_sarif_and_fails_on_high(
    change: Change,
    pr_workspace: Path,
    tmp_path: Path,
    validate_sarif: Callable[[dict[str, Any]], None],
) -> None:
    event = pull_request_event(tmp_path, change)
    outcome = run_action(change, pr_workspace, "pull_request", event, tmp_path / "temp")

    assert outcome.code == 1, outcome.stderr
    assert outcome.sarif is not None
    validate_sarif(outcome.sarif)
    # the vulnerable line of the change; legacy.py's call, fixed on main, is not in the change
    found = results(outcome.sarif)
    assert ("B602", "util.py", VULNERABLE_LINE) in found, found
    assert not [r for r in found if r[1] == "legacy.py"], found
    assert outcome.outputs == {
        "sarif-file": str(pr_workspace / "codeprism.sarif"),
        "mode": "review",
        "findings": str(len(found)),
        "exit-code": "1",
    }
    assert "### codeprism review" in outcome.summary
    merge_base = git_in("merge-base", change.base, change.head, cwd=pr_workspace)
    assert f"--base {merge_base} --head {change.head}" in outcome.stderr
    assert outcome.github_requests == []  # no API call, nothing to fetch


def test_pull_request_review_passes_with_fail_on_critical(
    change: Change, pr_workspace: Path, tmp_path: Path
) -> None:
    event = pull_request_event(tmp_path, change)
    outcome = run_action(
        change, pr_workspace, "pull_request", event, tmp_path / "temp",
        fail_on="critical", sarif_file="reports/pr.sarif",
    )  # fmt: skip

    assert outcome.code == 0, outcome.stderr
    assert outcome.outputs["exit-code"] == "0"
    assert outcome.outputs["sarif-file"] == str(pr_workspace / "reports" / "pr.sarif")
    assert outcome.sarif is not None
    assert ("B602", "util.py", VULNERABLE_LINE) in results(outcome.sarif)


def test_shallow_checkout_fetches_the_head_from_github(change: Change, tmp_path: Path) -> None:
    """actions/checkout's default depth 1: the script fetches what is missing, over git only."""
    workspace = checkout(change, tmp_path / "app", depth=1)
    event = pull_request_event(tmp_path, change)
    outcome = run_action(change, workspace, "pull_request", event, tmp_path / "temp")

    assert outcome.code == 1, outcome.stderr
    assert outcome.sarif is not None
    assert ("B602", "util.py", VULNERABLE_LINE) in results(outcome.sarif)
    assert outcome.github_requests, "the missing head commit was fetched from the fake GitHub"
    assert all(path.startswith("/git/app.git/") for path in outcome.github_requests)


def test_missing_commits_are_an_error(change: Change, tmp_path: Path) -> None:
    workspace = tmp_path / "app"
    git_in("init", "-q", str(workspace))
    event = pull_request_event(tmp_path, change)
    outcome = run_action(change, workspace, "pull_request", event, tmp_path / "temp")

    assert outcome.code == 2
    assert "fetch-depth: 0" in outcome.stderr
    assert outcome.outputs == {"mode": "skipped", "findings": "", "exit-code": "2"}


def test_push_audits_the_workspace(
    change: Change, tmp_path: Path, validate_sarif: Callable[[dict[str, Any]], None]
) -> None:
    workspace = checkout(change, tmp_path / "app")
    git_in("fetch", "-q", "origin", "refs/pull/1/head", cwd=workspace)
    git_in("checkout", "-q", "--detach", change.head, cwd=workspace)

    def edit(event: dict[str, Any]) -> None:
        event.update(ref="refs/heads/feature", after=change.head)

    event = event_file(tmp_path, "push.with-new-branch.json", edit)
    outcome = run_action(change, workspace, "push", event, tmp_path / "temp")

    assert outcome.code == 1, outcome.stderr
    assert outcome.sarif is not None
    validate_sarif(outcome.sarif)
    found = results(outcome.sarif)
    # the whole repository: legacy.py's call too (this branch never got main's fix)
    assert ("B602", "util.py", VULNERABLE_LINE) in found, found
    assert ("B602", "legacy.py", 5) in found, found
    assert outcome.outputs["mode"] == "audit"
    assert outcome.outputs["exit-code"] == "1"
    # the throw-away warehouse is gone
    assert not list((tmp_path / "temp").glob("codeprism-warehouse.*"))
    assert outcome.github_requests == []


def test_deleted_ref_push_scans_nothing(change: Change, tmp_path: Path) -> None:
    workspace = tmp_path / "app"
    workspace.mkdir()
    outcome = run_action(change, workspace, "push", EVENTS / "push.json", tmp_path / "temp")

    assert outcome.code == 0, outcome.stderr
    assert outcome.outputs == {"mode": "skipped", "findings": "", "exit-code": "0"}
    assert not (workspace / "codeprism.sarif").exists()


@pytest.mark.parametrize(
    ("event_name", "fixture", "inputs", "message"),
    [
        ("push", "push.with-new-branch.json", {"mode": "review"}, "no base to review against"),
        ("issue_comment", "issue_comment.created.json", {"mode": "review"}, "needs a pull_request"),
        ("pull_request", "pull_request.opened.json", {"fail_on": "severe"}, "fail-on must be"),
        ("pull_request", "pull_request.opened.json", {"mode": "scan"}, "mode must be"),
        ("pull_request", "pull_request.opened.json", {"all_roles": "yes"}, "all-roles must be"),
    ],
)
def test_bad_inputs_and_events_exit_2(
    change: Change,
    tmp_path: Path,
    event_name: str,
    fixture: str,
    inputs: dict[str, str],
    message: str,
) -> None:
    workspace = tmp_path / "app"
    workspace.mkdir()
    outcome = run_action(change, workspace, event_name, EVENTS / fixture, tmp_path / "t", **inputs)

    assert outcome.code == 2
    assert message in outcome.stderr
    assert outcome.outputs["exit-code"] == "2"
