"""Static analysis of a pull request at its head: the changed files are fetched over git
(`git daemon`, and smart HTTP behind the fake GitHub with a token), nothing else is
downloaded, and a head that cannot be fetched still leaves the added files analysed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from pydantic import SecretStr

from codeprism.analysis import AnalysisConfig
from codeprism.hosts.github import GitHubAuth
from codeprism.hosts.gitlab import GitLabAuth, GitLabHost
from codeprism.online.pipeline import StaticEvidence, run_static
from codeprism.sources.git import HeadCommit, fetch_commit
from tests.fakes.git_repos import GitDaemon, Upstream, git
from tests.fakes.github_server import FakeGitHub

TOKEN = "ghp_PullRequestHeadT0ken"
ANALYSIS = AnalysisConfig(analyzers=("ruff", "bandit"))

SERVICE = "import subprocess\n\n\ndef archive(name):\n    return subprocess.call({})\n"
SERVICE_BASE = SERVICE.format('["tar", name]')
SERVICE_HEAD = SERVICE.format('"tar " + name, shell=True')  # line 5: a shell command
ODD_BASE = "def parse(text):\n    return int(text)\n"
ODD_HEAD = "def parse(text):\n    return eval(text)\n"


class PullRequest:
    """A repository whose head commit modifies two files (one named like a glob pattern),
    adds one, adds a symlink, and leaves two alone; a later commit makes the head a commit
    that no branch points at, as a pull request's head is in its base repository."""

    def __init__(self, remotes: Path, name: str = "service") -> None:
        self.upstream = Upstream(remotes, name)
        self.base = self.upstream.commit(
            {
                "app/service.py": SERVICE_BASE,
                "app/odd[1].py": ODD_BASE,
                "app/odd1.py": "VALUE = 1\n",  # what the glob "odd[1].py" would match
                "app/untouched.py": "VALUE = 2\n",
            },
            "base",
        )
        work = self.upstream.work
        (work / "app" / "service.py").write_text(SERVICE_HEAD)
        (work / "app" / "odd[1].py").write_text(ODD_HEAD)
        (work / "app" / "new.py").write_text("def run(expression):\n    return eval(expression)\n")
        os.symlink("service.py", work / "app" / "link.py")
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", "head", cwd=work)
        self.head = git("rev-parse", "HEAD", cwd=work)
        self.diff = subprocess.run(
            ["git", "diff", self.base, self.head], cwd=work, capture_output=True, check=True
        ).stdout
        self.upstream.commit({"app/later.py": "VALUE = 3\n"}, "later")


@pytest.fixture
def pull(remotes_dir: Path) -> PullRequest:
    return PullRequest(remotes_dir)


def found(evidence: StaticEvidence) -> list[tuple[str, int, str]]:
    return sorted((f.file_path, f.start_line, f.rule_id) for f in evidence.findings)


# bandit's and ruff's reports of each problem are one finding (see the reporters check below)
ADDED_FILE_FINDINGS = [("app/new.py", 2, "B307")]
HEAD_FINDINGS = sorted(
    [
        *ADDED_FILE_FINDINGS,
        ("app/odd[1].py", 2, "B307"),
        ("app/service.py", 5, "B602"),
    ]
)


def test_a_pull_request_is_analysed_at_its_head_over_git_daemon(
    pull: PullRequest, git_daemon: GitDaemon
) -> None:
    head = HeadCommit(url=f"{git_daemon.url}/service.git", sha=pull.head)
    evidence = run_static(pull.diff, "service", ANALYSIS, head)
    assert found(evidence) == HEAD_FINDINGS
    for finding in evidence.findings:
        analyzers = {r.split(":")[0] for r in finding.reporters}
        assert {"bandit", "ruff"} <= analyzers, finding.reporters
    # the symlink is neither followed into its target nor read as a file, and says so
    assert evidence.notes == ["static: app/link.py: a symlink; not analysed"]


def test_only_the_changed_files_are_downloaded(
    pull: PullRequest, git_daemon: GitDaemon, tmp_path: Path
) -> None:
    git_dir = tmp_path / "head.git"
    head = HeadCommit(url=f"{git_daemon.url}/service.git", sha=pull.head)
    changed = ["app/service.py", "app/odd[1].py", "app/new.py", "app/link.py", "app/gone.py"]
    fetch_commit(head, changed, git_dir, timeout_s=60)
    listed = git("ls-tree", "-r", pull.head, cwd=git_dir).splitlines()
    blob_of = {line.split("\t")[1]: line.split()[2] for line in listed}
    missing = git("rev-list", "--objects", "--missing=print", pull.head, cwd=git_dir)
    absent = {line[1:] for line in missing.splitlines() if line.startswith("?")}
    # symlinks are not fetched, and "odd[1].py" is a name, not a pattern matching odd1.py
    assert absent == {blob_of[p] for p in ("app/odd1.py", "app/untouched.py", "app/link.py")}


def test_the_head_behind_githubs_smart_http_is_fetched_with_the_token(
    pull: PullRequest, remotes_dir: Path
) -> None:
    with FakeGitHub(token=TOKEN, git_root=remotes_dir) as server:
        auth = GitHubAuth(api_url=server.api_url, git_url=f"{server.url}/git", token=TOKEN)
        url = auth.clone_url("service")
        evidence = run_static(pull.diff, "service", ANALYSIS, HeadCommit(url=url, sha=pull.head))
        assert found(evidence) == ADDED_FILE_FINDINGS  # no token: refused, added files only
        (note, *_) = evidence.notes
        assert note.startswith(f"static: the head {pull.head[:12]} could not be fetched")
        assert note.endswith("only added files were analysed")

        server.requests.clear()
        head = HeadCommit(url=url, sha=pull.head, token=SecretStr(TOKEN))
        assert found(run_static(pull.diff, "service", ANALYSIS, head)) == HEAD_FINDINGS
        assert server.requests and all(r.status == 200 for r in server.requests)

        wrong = HeadCommit(url=url, sha=pull.head, token=SecretStr("ghp_wrong"))
        evidence = run_static(pull.diff, "service", ANALYSIS, wrong)
        assert found(evidence) == ADDED_FILE_FINDINGS
        assert not [n for n in evidence.notes if "ghp_wrong" in n or TOKEN in n]


def test_a_head_the_remote_does_not_have_leaves_the_added_files(
    pull: PullRequest, git_daemon: GitDaemon
) -> None:
    head = HeadCommit(url=f"{git_daemon.url}/service.git", sha="0123456789" * 4)
    evidence = run_static(pull.diff, "service", ANALYSIS, head)
    assert found(evidence) == ADDED_FILE_FINDINGS
    assert evidence.notes[0] == (
        "static: the head 012345678901 could not be fetched "
        f"({git_daemon.url}/service.git has no commit {'0123456789' * 4}); "
        "only added files were analysed"
    )


def test_clone_urls_follow_the_host() -> None:
    assert GitHubAuth(token=TOKEN).clone_url("o/r") == "https://github.com/o/r.git"
    enterprise = GitHubAuth(api_url="https://ghe.example.com/api/v3/", token=TOKEN)
    assert enterprise.clone_url("o/r") == "https://ghe.example.com/o/r.git"
    mirror = GitHubAuth(token=TOKEN, git_url="https://git.example.com/mirror/")
    assert mirror.clone_url("o/r") == "https://git.example.com/mirror/o/r.git"
    gitlab = GitLabAuth(api_url="https://gitlab.example.com/api/v4", token=SecretStr(TOKEN))
    with GitLabHost(gitlab) as host:
        head = host.head_commit("group/project", "a" * 40)
    assert head.url == "https://gitlab.example.com/group/project.git"
    assert head.user == "oauth2" and TOKEN not in repr(head)
