"""The settings of an online review, without Ray: the operator's layers and the org file's
installation and group tables, the repository's file read at the pull request's base over
git, the pull request filters, and what the posted summary says about them.

The end-to-end checks (real Serve, concurrent reviews, hostile files) are in
test_serve_review.py; these pin the rules each part follows.
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from codeprism.errors import ConfigError
from codeprism.hosts.comments import render_summary
from codeprism.hosts.github import GitHubAuth, GitHubHost
from codeprism.online.filters import ignored_by
from codeprism.online.pipeline import Hosts, ReviewPipeline, StaticEvidence, run_static
from codeprism.online.review_settings import OperatorSettings, review_settings, scopes
from codeprism.settings.model import PullRequestFilters, Settings
from codeprism.sources.git import HeadCommit
from codeprism.webhooks.events import ReviewTarget
from codeprism.webhooks.inbox import ClaimedReview
from serve_apps.review import ReviewAppArgs
from tests.fakes.git_repos import GitDaemon, Upstream
from tests.fakes.github_server import FakeGitHub, RecordedRequest, Reply

TOKEN = "ghp_OnlineSettingsT0ken"
ADDED = """\
import subprocess


def archive(name):
    subprocess.call("tar czf /tmp/" + name + ".tgz data", shell=True)


def run(expression):
    return eval(expression)
"""
ORG = """\
[review]
max_findings = 15

[pull_requests]
ignore_authors = ["renovate[bot]"]

[installations."7"]
review = { max_findings = 5, agents = ["security"] }

[groups."acme"]
rules = { disabled = ["B101"] }
review = { max_findings = 8 }

[groups."acme/platform"]
review = { max_findings = 3 }
"""


def target(**fields: Any) -> ReviewTarget:
    values: dict[str, Any] = {
        "provider": "github",
        "repo": "octo/app",
        "pr_number": 7,
        "head_sha": "a" * 40,
        "base_sha": "b" * 40,
        "installation_id": 1,
        "title": "Add the archive task",
        "author": "octocat",
        "labels": ("enhancement",),
        "source_branch": "feature/archive",
        "target_branch": "main",
    }
    return ReviewTarget(**{**values, **fields})


# -- pull request filters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "fields", "why"),
    [
        ({}, {}, None),
        (
            {"ignore_authors": ["Dependabot[bot]"]},
            {"author": "dependabot[bot]"},
            "ignored by pull_requests.ignore_authors (Dependabot[bot])",
        ),
        ({"ignore_authors": ["dependabot"]}, {"author": "dependabot[bot]"}, None),  # whole name
        ({"ignore_authors": ["octocat"]}, {"author": None}, None),  # unknown author
        (
            {"ignore_labels": ["WIP", "do-not-review"]},
            {"labels": ("bug", "wip")},
            "ignored by pull_requests.ignore_labels (WIP)",
        ),
        ({"ignore_labels": ["wip"]}, {"labels": ("wip-later",)}, None),
        (
            {"ignore_title": ["^\\[?WIP\\]?"]},
            {"title": "[WIP] half done"},
            "ignored by pull_requests.ignore_title (^\\[?WIP\\]?)",
        ),
        ({"ignore_title": ["^WIP"]}, {"title": "Not WIP"}, None),
        (
            {"ignore_title": ["WIP"]},
            {"title": "Not WIP"},
            "ignored by pull_requests.ignore_title (WIP)",
        ),
        ({"ignore_title": ["^$"]}, {"title": ""}, None),  # an unknown title matches nothing
        (
            {"ignore_source_branches": ["^release/"]},
            {"source_branch": "release/1.2"},
            "ignored by pull_requests.ignore_source_branches (^release/)",
        ),
        ({"ignore_source_branches": ["^release/"]}, {"source_branch": "fix/release/1"}, None),
        (
            {"ignore_target_branches": ["^gh-pages$"]},
            {"target_branch": "gh-pages"},
            "ignored by pull_requests.ignore_target_branches (^gh-pages$)",
        ),
        ({"ignore_target_branches": [".*"]}, {"target_branch": None}, None),
        # asked for by a command or the API: reviewed whatever the filters say
        ({"ignore_authors": ["octocat"]}, {"trigger": "command"}, None),
        ({"ignore_title": ["."]}, {"trigger": "api"}, None),
    ],
)
def test_pull_request_filters(
    filters: dict[str, Any], fields: dict[str, Any], why: str | None
) -> None:
    assert ignored_by(target(**fields), PullRequestFilters(**filters)) == why


def test_old_stored_targets_read_back_without_the_filter_fields() -> None:
    stored = (
        '{"provider": "github", "repo": "octo/app", "pr_number": 7, "head_sha": null,'
        ' "base_sha": null, "installation_id": 1, "project_id": null, "title": "t",'
        ' "draft": false}'
    )
    old = ReviewTarget.model_validate_json(stored)
    assert (old.trigger, old.author, old.labels, old.source_branch, old.target_branch) == (
        "event",
        None,
        (),
        None,
        None,
    )
    assert ignored_by(old, PullRequestFilters(ignore_source_branches=(".*",))) is None


# -- the operator's layers and scoped tables ----------------------------------------------------


@pytest.fixture
def org_file(tmp_path: Path) -> Path:
    path = tmp_path / "codeprism.toml"
    path.write_text(ORG)
    return path


def test_scopes() -> None:
    assert scopes(target(installation_id=7)) == [("installations", "7")]
    assert scopes(target(installation_id=None)) == []
    gitlab = target(provider="gitlab", repo="acme/platform/api", project_id=3)
    assert scopes(gitlab) == [("groups", "acme"), ("groups", "acme/platform")]
    assert scopes(target(provider="api", repo="label", pr_number=None)) == []


def test_installation_and_group_tables_apply_on_top(org_file: Path) -> None:
    operator = OperatorSettings.load(
        environ={"CODEPRISM_REVIEW__MAX_FINDINGS": "12"},
        config_file=org_file,
        command_line={"all_roles": True},
    )
    base = operator.effective.settings
    assert (base.review.max_findings, base.all_roles) == (12, True)  # environment over file
    assert base.pull_requests.ignore_authors == ("renovate[bot]",)

    seven = operator.for_target(target(installation_id=7))
    assert seven.settings.review.max_findings == 5  # the installation's table wins
    assert seven.settings.review.agents == ("security",)
    assert seven.settings.all_roles is True  # what it does not set stays
    assert seven.origins["review.max_findings"] == f'config {org_file} [installations."7"]'
    assert operator.for_target(target(installation_id=8)).settings == base

    # a subgroup's table over its parent group's, over the operator's
    nested = operator.for_target(target(provider="gitlab", repo="acme/platform/api"))
    assert nested.settings.review.max_findings == 3
    assert nested.settings.rules.disabled == ("B101",)
    group = operator.for_target(target(provider="gitlab", repo="acme/web"))
    assert group.settings.review.max_findings == 8
    other = operator.for_target(target(provider="gitlab", repo="other/acme"))
    assert other.settings == base


def test_a_bad_scoped_table_fails_when_the_replica_starts(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[installations."9"]\nreview = { max_findings = 0 }\n')
    with pytest.raises(ConfigError, match=r'installations\."9"'):
        OperatorSettings.load(environ={}, config_file=path)
    path.write_text('[installations."9"]\nbaseline = "missing-baseline.json"\n')
    with pytest.raises(ConfigError, match="missing-baseline.json"):
        OperatorSettings.load(environ={}, config_file=path)


def test_the_app_args_are_the_command_line_only_when_given(org_file: Path) -> None:
    assert ReviewAppArgs().command_line() == {}
    assert ReviewAppArgs(agents=[]).command_line() == {}  # an empty list: the default
    given = ReviewAppArgs(agents=["security"], max_findings=30, all_roles=False)
    assert given.command_line() == {
        "review.agents": ["security"],
        "review.max_findings": 30,
        "all_roles": False,
    }
    operator = ReviewAppArgs(config=str(org_file)).operator_settings()
    assert operator.effective.settings.review.max_findings == 15  # the file, not the arg default
    with pytest.raises(ConfigError):
        ReviewAppArgs(agents=["nobody"]).operator_settings()


# -- the repository's file at the base ----------------------------------------------------------


@pytest.fixture
def upstream(remotes_dir: Path) -> Upstream:
    return Upstream(remotes_dir, "service")


@pytest.fixture
def at(git_daemon: GitDaemon) -> Any:
    """The commit `sha` of the `service` repository, over git://."""
    return lambda sha: HeadCommit(url=f"{git_daemon.url}/service.git", sha=sha)


def test_the_repository_file_is_read_at_the_base(upstream: Upstream, at: Any) -> None:
    base = upstream.commit(
        {".codeprism.toml": '[rules]\ndisabled = ["B307"]\n\n[limits]\nmax_file_bytes = 9\n'}
    )
    head = upstream.commit({".codeprism.toml": '[rules]\ndisabled = ["B602"]\n'})
    operator = OperatorSettings()
    read = review_settings(operator, target(), lambda: at(base))
    assert read.settings.rules.disabled == ("B307",)
    assert read.settings.limits == Settings().limits  # not the repository's to set
    assert read.notes == (
        ".codeprism.toml: limits.max_file_bytes: only the operator's configuration may set "
        "this; ignored",
    )
    assert review_settings(operator, target(), lambda: at(head)).settings.rules.disabled == (
        "B602",
    )
    assert review_settings(operator, target(), lambda: None) == operator.effective


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ('[rules\ndisabled = ["B307"]\n', ".codeprism.toml is not valid TOML"),
        ("# padding\n" * 1_100_000, ".codeprism.toml is over the 65536-byte limit"),
    ],
)
def test_a_hostile_file_is_a_note(upstream: Upstream, at: Any, text: str, note: str) -> None:
    base = upstream.commit({".codeprism.toml": text})
    read = review_settings(OperatorSettings(), target(), lambda: at(base))
    assert read.settings == Settings()
    (said,) = read.notes
    assert said.startswith(note), said


def test_a_base_that_cannot_be_fetched_is_a_note(upstream: Upstream, at: Any) -> None:
    upstream.commit({"README.md": "demo\n"})
    missing = "f" * 40
    read = review_settings(OperatorSettings(), target(), lambda: at(missing))
    (said,) = read.notes
    assert said.startswith(
        f"the repository's settings could not be read at the base commit {missing[:12]} ("
    )
    assert said.endswith("; the operator's settings apply")

    def broken() -> HeadCommit:
        raise ConfigError("no GitHub credentials are configured")

    (said,) = review_settings(OperatorSettings(), target(), broken).notes
    assert "no GitHub credentials are configured" in said


# -- the static step gets the review's settings ---------------------------------------------------


def _diff(upstream: Upstream, files: dict[str, str]) -> tuple[str, str, bytes]:
    base = upstream.commit({"README.md": "demo\n"})
    head = upstream.commit(dict(files))
    diff = subprocess.run(
        ["git", "diff", base, head], cwd=upstream.work, capture_output=True, check=True
    ).stdout
    return base, head, diff


def test_run_static_follows_the_settings_it_is_given(upstream: Upstream) -> None:
    _, _, diff = _diff(upstream, {"app.py": ADDED, "gen/x.py": ADDED})
    settings = Settings.model_validate(
        {"paths": {"exclude": ["gen/"]}, "rules": {"disabled": ["S602"]}}
    )
    evidence = run_static(diff, "service", settings=settings)
    found = sorted((f.file_path, f.start_line, f.rule_id) for f in evidence.findings)
    assert found == [("app.py", 1, "B404"), ("app.py", 9, "B307")]


# -- the pipeline: per-review settings, concurrent reviews, filters --------------------------------


@pytest.fixture
def github(remotes_dir: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(git_root=remotes_dir, token=TOKEN) as server:
        yield server


def _job(number: int, repo: str, base: str, head: str, **fields: Any) -> ClaimedReview:
    review = target(
        repo=f"Codertocat/{repo}", pr_number=number, head_sha=head, base_sha=base, **fields
    )
    return ClaimedReview(f"review-{number}", review, None, 1, datetime.now(UTC), None)


def _pipeline(github: FakeGitHub, operator: OperatorSettings) -> ReviewPipeline:
    auth = GitHubAuth(api_url=github.api_url, git_url=f"{github.url}/git", token=SecretStr(TOKEN))

    def static(
        diff: bytes, repo: str, head: HeadCommit | None, settings: Settings
    ) -> StaticEvidence:
        return run_static(diff, repo, None, head, settings=settings)

    return ReviewPipeline(hosts=Hosts(github=GitHubHost(auth)), operator=operator, static=static)


def test_concurrent_pipeline_runs_keep_their_own_settings(
    github: FakeGitHub, remotes_dir: Path
) -> None:
    """One pipeline, two reviews in two threads at once (each waits for the other when it
    fetches its diff, after its settings were built and before they are used): each
    reports what its own repository's settings leave."""
    owner = remotes_dir / "Codertocat"
    jobs = {}
    for number, (name, rule) in enumerate((("Eval", "B307"), ("Shell", "B602")), start=1):
        upstream = Upstream(owner, name)
        base = upstream.commit({".codeprism.toml": f'[rules]\ndisabled = ["{rule}"]\n'})
        head = upstream.commit({"app.py": ADDED})
        diff = subprocess.run(
            ["git", "diff", base, head], cwd=upstream.work, capture_output=True, check=True
        ).stdout
        github.add_pull("Codertocat", name, number, head, base, diff)
        jobs[name] = _job(number, name, base, head)
    both = threading.Barrier(2, timeout=60)

    def diff_after_the_other(request: RecordedRequest, match: re.Match[str]) -> Reply:
        both.wait()
        diff = github.pulls[(f"Codertocat/{match.group(1)}", int(match.group(2)))]["diff"]
        return Reply(200, diff, {"Content-Type": "application/vnd.github.diff"})

    github.route("GET", r"/repos/Codertocat/(Eval|Shell)/pulls/(\d+)", diff_after_the_other)
    pipeline = _pipeline(github, OperatorSettings())
    outcomes: dict[str, Any] = {}

    def run(name: str) -> None:
        outcomes[name] = pipeline.run(jobs[name], lambda: True)

    threads = [threading.Thread(target=run, args=(name,)) for name in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    def found(name: str) -> list[tuple[str, int, str]]:
        return sorted(
            (f.file_path, f.start_line, f.rule_id) for f in outcomes[name].result.findings
        )

    assert not both.broken, "the reviews did not overlap"
    assert found("Eval") == [("app.py", 1, "B404"), ("app.py", 5, "B602")]
    assert found("Shell") == [("app.py", 1, "B404"), ("app.py", 9, "B307")]
    assert [outcomes[name].posted for name in jobs] == [2, 2]
    assert all(outcomes[name].result.warnings == [] for name in jobs)


def test_a_filter_set_by_the_repository_skips_the_review(
    github: FakeGitHub, remotes_dir: Path
) -> None:
    upstream = Upstream(remotes_dir / "Codertocat", "Labelled")
    base = upstream.commit({".codeprism.toml": '[pull_requests]\nignore_labels = ["wip"]\n'})
    head = upstream.commit({"app.py": ADDED})
    github.add_pull("Codertocat", "Labelled", 3, head, base, b"")
    pipeline = _pipeline(github, OperatorSettings())
    outcome = pipeline.run(_job(3, "Labelled", base, head, labels=("WIP",)), lambda: True)
    assert (outcome.status, outcome.detail) == (
        "done",
        "ignored by pull_requests.ignore_labels (wip)",
    )
    assert outcome.posted == 0 and github.reviews("Codertocat", "Labelled", 3) == []
    assert not github.find("GET", "/repos/Codertocat/Labelled/pulls/3")  # the diff neither
    # asked for with a command: reviewed (the diff is empty: nothing to say)
    command = pipeline.run(
        _job(3, "Labelled", base, head, labels=("WIP",), trigger="command"), lambda: True
    )
    assert command.status == "done" and command.detail == ""
    assert len(github.reviews("Codertocat", "Labelled", 3)) == 1


# -- what the posted summary says ---------------------------------------------------------------


def test_the_summary_shows_settings_warnings_and_accepted_findings() -> None:
    summary = {
        "suppressed": {"baseline": 2, "B307": 1},
        "warnings": [
            ".codeprism.toml is not valid TOML (Invalid statement); not read",
            '.codeprism.toml: "x\n# @admin <b>": unknown key; ignored',
        ],
    }
    body = render_summary([], [], summary)
    assert (
        "3 findings accepted (suppressed in code or baseline) not posted: `B307` 1, `baseline` 2."
        in body
    )
    assert "### Settings warnings (2)" in body
    assert "- .codeprism.toml is not valid TOML (Invalid statement); not read" in body
    # one line each, no mention, no HTML
    assert '- .codeprism.toml: "x # @\u200badmin &lt;b>": unknown key; ignored' in body
    one = render_summary([], [], {"suppressed": {"B602": 1}})
    assert "1 finding accepted (suppressed in code or baseline) not posted: `B602` 1." in one
    plain = render_summary([], [], {})
    assert "accepted" not in plain and "warnings" not in plain.lower()
