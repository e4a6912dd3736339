"""The online review app on a real local Ray Serve: webhooks in, reviews out on a fake GitHub
(and GitLab) REST server on loopback, the tiny model behind the real `ray.serve.llm` app.

One app for the module; its webhook secret is GitHub's published example secret, so the
published example signature is checked by the real ingress. Its organisation config file
ignores pull requests by dependabot and, for the reviews of installation 77, turns the LLM
agents off: those reviews post static findings only, so the tests of per-review settings
(the repository's .codeprism.toml at the base, served over git by the fake) assert them
exactly.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ray
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families
from ray import serve

from codeprism.review.diff import parse_diff
from codeprism.warehouse import Warehouse
from codeprism.webhooks.signature import bitbucket_signature, github_signature
from serve_apps.review import ReviewAppArgs, build_review_app
from tests.fakes.azure_server import FakeAzure
from tests.fakes.bitbucket_dc_server import FakeBitbucketDC
from tests.fakes.bitbucket_server import FakeBitbucket
from tests.fakes.git_repos import Upstream
from tests.fakes.github_server import FakeGitHub, RecordedRequest, Reply
from tests.fakes.gitlab_server import FakeGitLab
from tests.fakes.net import wait_for_http
from tests.test_hosts_github import key_pair
from tests.test_pull_request_head import PullRequest
from tests.test_webhook_azure import pull_request_event as azure_event
from tests.test_webhook_bitbucket import pull_request_event
from tests.test_webhook_events import FIXTURES, GITHUB_EXPECTED, GITLAB_EXPECTED

SECRET = "It's a Secret to Everybody"  # GitHub's documentation example
GITLAB_TOKEN = "gitlab-webhook-token"
BITBUCKET_SECRET = "bitbucket-webhook-secret"
BITBUCKET_REPO = "team_name/repo_name"  # as in the payloads of tests/test_webhook_bitbucket.py
BITBUCKET_DC_SECRET = "bitbucket-dc-webhook-secret"
BITBUCKET_DC_REPO = "PROJ/repository"  # as in tests/test_webhook_bitbucket_dc.py
AZURE_USER, AZURE_PASSWORD = "codeprism-hook", "azure-hook-password"
AZURE_REPO = "Fabrikam/Fabrikam"  # as in the payloads of tests/test_webhook_azure.py
API_TOKEN = "api-token-for-tests"
APP_ID = 4242
FIXTURE_HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
STATUS = {"ping": 200, "review": 202, "ignore": 202, "invalid": 400}
STATIC_ONLY = 77  # the installation whose reviews run no LLM agent (see ORG_CONFIG)
ORG_CONFIG = f"""\
[pull_requests]
ignore_authors = ["dependabot[bot]"]

[installations."{STATIC_ONLY}"]
review = {{ agents = [] }}
"""

ADDED = """\
import subprocess


def archive(name):
    subprocess.call("tar czf /tmp/" + name + ".tgz data", shell=True)


def run(expression):
    return eval(expression)
"""


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True).stdout


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real `git diff` that adds a module with problems the static analyzers find."""
    repo = tmp_path_factory.mktemp("pr-repo")
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "dev@example.com")
    _git(repo, "config", "user.name", "Dev")
    (repo / "README.md").write_text("demo\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    (repo / "app").mkdir()
    (repo / "app" / "tasks.py").write_text(ADDED)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "head")
    return _git(repo, "diff", "HEAD~1", "HEAD")


@pytest.fixture(scope="module")
def git_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fake GitHub's repositories, served over git's smart HTTP at /git/OWNER/NAME.git."""
    return tmp_path_factory.mktemp("github-git")


@pytest.fixture(scope="module")
def github(change: bytes, git_root: Path) -> Iterator[FakeGitHub]:
    private, public = key_pair()
    with FakeGitHub(git_root=git_root) as server:
        server.add_app(APP_ID, public)
        server.app_private_key = private  # type: ignore[attr-defined]
        for number in (2, 3):
            server.add_pull("Codertocat", "Hello-World", number, FIXTURE_HEAD, "0" * 40, change)
        yield server


@pytest.fixture(scope="module")
def gitlab(change: bytes) -> Iterator[FakeGitLab]:
    with FakeGitLab() as server:
        body = change.split(b"@@", 1)[1]
        server.add_merge_request(
            1,
            1,
            head_sha="da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
            base_sha="b" * 40,
            start_sha="b" * 40,
            path="gitlabhq/gitlab-test",
            diffs=[
                {
                    "old_path": "app/tasks.py",
                    "new_path": "app/tasks.py",
                    "a_mode": "0",
                    "b_mode": "100644",
                    "new_file": True,
                    "renamed_file": False,
                    "deleted_file": False,
                    "diff": "@@" + body.decode(),
                }
            ],
        )
        yield server


@pytest.fixture(scope="module")
def bitbucket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeBitbucket]:
    """Pull request 12 of team_name/repo_name: a real repository, served over git by the fake,
    whose head adds the module with problems (ADDED)."""
    root = tmp_path_factory.mktemp("bitbucket-git")
    upstream = Upstream(root / "team_name", "repo_name")
    base = upstream.commit({"README.md": "demo\n"}, "base")
    head = upstream.commit({"app/tasks.py": ADDED}, "head")
    diff = _git(upstream.work, "diff", base, head)
    with FakeBitbucket(git_root=root) as server:
        server.add_pull_request(BITBUCKET_REPO, 12, head_sha=head, base_sha=base, diff=diff)
        yield server


@pytest.fixture(scope="module")
def bitbucket_dc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeBitbucketDC]:
    """Pull request 1 of PROJ/repository on a Bitbucket Data Center fake, served over git
    by it, whose head adds the module with problems (ADDED)."""
    root = tmp_path_factory.mktemp("bitbucket-dc-git")
    upstream = Upstream(root / "PROJ", "repository")
    base = upstream.commit({"README.md": "demo\n"}, "base")
    head = upstream.commit({"app/tasks.py": ADDED}, "head")
    diff = _git(upstream.work, "diff", base, head)
    with FakeBitbucketDC(git_root=root) as server:
        server.add_pull_request(BITBUCKET_DC_REPO, 1, head_sha=head, base_sha=base, diff=diff)
        yield server


@pytest.fixture(scope="module")
def azure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeAzure]:
    """Pull request 1 of Fabrikam/Fabrikam on an Azure DevOps fake, served over git by it,
    whose head adds the module with problems (ADDED)."""
    root = tmp_path_factory.mktemp("azure-git")
    upstream = Upstream(root / "Fabrikam", "Fabrikam")
    base = upstream.commit({"README.md": "demo\n"}, "base")
    head = upstream.commit({"app/tasks.py": ADDED}, "head")
    diff = _git(upstream.work, "diff", base, head)
    with FakeAzure(git_root=root) as server:
        server.add_pull_request(AZURE_REPO, 1, head_sha=head, base_sha=base, diff=diff)
        yield server


@pytest.fixture(scope="module")
def app(
    serve_port: int,
    llm_url: str,
    tiny_model: Path,
    github: FakeGitHub,
    gitlab: FakeGitLab,
    bitbucket: FakeBitbucket,
    bitbucket_dc: FakeBitbucketDC,
    azure: FakeAzure,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("review-app")
    secrets = root / "secrets.yaml"
    secrets.write_text(
        yaml.safe_dump(
            {
                "github_webhook_secret": SECRET,
                "gitlab_webhook_token": GITLAB_TOKEN,
                "api_token": API_TOKEN,
                "github_app_id": APP_ID,
                "github_private_key": github.app_private_key,  # type: ignore[attr-defined]
                "github_api_url": github.api_url,
                "github_git_url": f"{github.url}/git",
                "gitlab_token": gitlab.token,
                "gitlab_api_url": gitlab.api_url,
                "azure_webhook_username": AZURE_USER,
                "azure_webhook_password": AZURE_PASSWORD,
                "azure_token": azure.token,
                "azure_api_url": azure.api_url,
                "bitbucket_webhook_secret": BITBUCKET_SECRET,
                "bitbucket_token": bitbucket.token,
                "bitbucket_api_url": bitbucket.api_url,
                "bitbucket_git_url": bitbucket.git_url,
                "bitbucket_dc_webhook_secret": BITBUCKET_DC_SECRET,
                "bitbucket_dc_token": bitbucket_dc.token,
                "bitbucket_dc_api_url": bitbucket_dc.url,
                "bitbucket_dc_git_url": bitbucket_dc.git_url,
            }
        )
    )
    config = root / "codeprism.toml"
    config.write_text(ORG_CONFIG)
    args = ReviewAppArgs(
        state_dir=str(root / "state"),
        warehouse=str(root / "warehouse"),
        secrets_file=str(secrets),
        config=str(config),
        model=str(tiny_model),
        llm_url=llm_url,
        agents=["security"],
        lease_s=6.0,
        poll_s=0.5,
        static_replicas=1,
    )
    serve.run(build_review_app(args), name="codeprism", route_prefix="/")
    base = f"http://127.0.0.1:{serve_port}"
    wait_for_http(f"{base}/healthz", lambda r: r.ok)
    yield {"base": base, "warehouse": Warehouse(args.warehouse or ""), "state": root / "state"}
    serve.delete("codeprism")


def post_github(
    base: str, event: str, body: bytes, *, delivery: str | None = None, secret: str = SECRET
) -> requests.Response:
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": github_signature(secret.encode(), body),
        "Content-Type": "application/json",
    }
    return requests.post(f"{base}/webhooks/github", data=body, headers=headers, timeout=30)


def pull_event(
    number: int,
    head: str,
    action: str = "synchronize",
    repo: str = "Hello-World",
    *,
    base: str | None = None,
    installation: int = 1,
    author: str | None = None,
) -> bytes:
    payload = json.loads((FIXTURES / "github" / "pull_request.synchronize.json").read_text())
    payload["action"] = action
    payload["number"] = number
    payload["pull_request"]["number"] = number
    payload["pull_request"]["head"]["sha"] = head
    if base is not None:
        payload["pull_request"]["base"]["sha"] = base
    if author is not None:
        payload["pull_request"]["user"]["login"] = author
    payload["repository"]["name"] = repo
    payload["repository"]["full_name"] = f"Codertocat/{repo}"
    payload["installation"] = {"id": installation}
    return json.dumps(payload).encode()


def review_status(base: str, review_id: str) -> dict[str, Any]:
    response = requests.get(
        f"{base}/v1/reviews/{review_id}",
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def wait_status(
    base: str, review_id: str, states: set[str], timeout_s: float = 600
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        record = review_status(base, review_id)
        if record["status"] in states:
            return record
        assert time.monotonic() < deadline, f"review {review_id} stuck at {record['status']}"
        time.sleep(0.5)


def slow_first_diff(
    server: FakeGitHub, repo: str, number: int, diff: bytes, pause_s: float
) -> None:
    """The first diff request of this pull request hangs for `pause_s`: a review in flight."""
    first = threading.Event()

    def handler(request: Any, match: Any) -> Reply:
        if not first.is_set():
            first.set()
            time.sleep(pause_s)
        return Reply(200, diff, {"Content-Type": "application/vnd.github.diff"})

    server.route("GET", rf"/repos/Codertocat/{repo}/pulls/{number}", handler)


# -- authentication and request checks ---------------------------------------------------------


def test_githubs_published_signature_example_passes_and_forgeries_get_401(
    app: dict[str, Any],
) -> None:
    base = app["base"]
    body = b"Hello, World!"
    published = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    headers = {"X-GitHub-Event": "ping", "X-GitHub-Delivery": "example"}

    def send(data: bytes, extra: dict[str, str]) -> int:
        response = requests.post(
            f"{base}/webhooks/github", data=data, headers={**headers, **extra}, timeout=30
        )
        return response.status_code

    # verified, then refused only because "Hello, World!" is not JSON
    assert send(body, {"X-Hub-Signature-256": published}) == 400
    assert send(b"Hello, World?", {"X-Hub-Signature-256": published}) == 401
    wrong = github_signature(b"another secret", body)
    assert send(body, {"X-Hub-Signature-256": wrong}) == 401
    assert send(body, {"X-Hub-Signature": "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"}) == 401
    assert send(body, {}) == 401


def test_oversized_and_non_json_bodies(app: dict[str, Any]) -> None:
    base = app["base"]
    big = b"{" + b" " * (25 * 1024 * 1024) + b"}"
    assert post_github(base, "push", big).status_code == 413
    assert post_github(base, "push", b"not json").status_code == 400
    gitlab = requests.post(
        f"{base}/webhooks/gitlab",
        data=b"{}",
        headers={"X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Token": "wrong"},
        timeout=30,
    )
    assert gitlab.status_code == 401
    assert requests.post(f"{base}/v1/reviews", json={"diff": ""}, timeout=30).status_code == 401
    assert requests.get(f"{base}/healthz", timeout=30).json()["status"] == "ok"


def test_every_fixture_gets_its_status(app: dict[str, Any], gitlab: FakeGitLab) -> None:
    base = app["base"]
    for name, (kind, _) in sorted(GITHUB_EXPECTED.items()):
        event = name.split(".", 1)[0]
        response = post_github(base, event, (FIXTURES / "github" / name).read_bytes())
        assert response.status_code == STATUS[kind], (name, response.text)
    for name, (kind, _) in sorted(GITLAB_EXPECTED.items()):
        response = requests.post(
            f"{base}/webhooks/gitlab",
            data=(FIXTURES / "gitlab" / name).read_bytes(),
            headers={
                "X-Gitlab-Event": "Merge Request Hook",
                "X-Gitlab-Token": GITLAB_TOKEN,
                "X-Gitlab-Event-UUID": str(uuid.uuid4()),
            },
            timeout=30,
        )
        assert response.status_code == STATUS[kind], (name, response.text)
        if kind == "review":
            record = wait_status(base, response.json()["review_id"], {"done", "failed"})
            assert record["status"] == "done", record
            (merge_request,) = gitlab.merge_requests.values()
            assert merge_request["notes"], "the summary note was not posted"


def test_a_pull_request_gets_one_review_on_changed_lines(
    app: dict[str, Any], github: FakeGitHub, change: bytes
) -> None:
    """The fixture events for PR 2 (opened, reopened, ... same head) make one review."""
    base = app["base"]
    reviews = github.reviews("Codertocat", "Hello-World", 2)
    deadline = time.monotonic() + 600
    while not reviews and time.monotonic() < deadline:
        time.sleep(1)
        reviews = github.reviews("Codertocat", "Hello-World", 2)
    time.sleep(2)  # a second review, if any, would land now
    (posted,) = github.reviews("Codertocat", "Hello-World", 2)
    changed = {f.path: f.changed_lines for f in parse_diff(change)}
    assert posted["commit_id"] == FIXTURE_HEAD
    assert posted["comments"], "static findings on added lines must be posted inline"
    for comment in posted["comments"]:
        assert comment["line"] in changed[comment["path"]]
    creating = [
        r for r in github.find("POST") if r.api_path.startswith("/repos/Codertocat/Hello-World")
    ]
    assert [r.api_path for r in creating].count(
        "/repos/Codertocat/Hello-World/pulls/2/reviews"
    ) == 1
    assert len(github.check_runs) >= 1

    warehouse: Warehouse = app["warehouse"]
    rows = warehouse.read("reviews", "pr_number = 2 AND status = 'done'").to_pylist()
    assert len(rows) == 1 and rows[0]["posted"] == len(posted["comments"])
    findings = warehouse.count_rows("findings", rows[0]["review_id"])
    assert findings == rows[0]["findings"] >= len(posted["comments"])
    assert base


def test_a_review_makes_at_most_five_github_calls(
    app: dict[str, Any], github: FakeGitHub, git_root: Path
) -> None:
    """A pull request that modifies files: the static analyzers read them at the head, which
    the StaticAnalysis replica fetches over git with the installation token (git requests,
    not REST calls)."""
    base = app["base"]
    pull = PullRequest(git_root / "Codertocat", "Calls")
    github.add_pull("Codertocat", "Calls", 9, pull.head, pull.base, pull.diff)
    before = len(github.requests)
    response = post_github(base, "pull_request", pull_event(9, pull.head, "opened", "Calls"))
    record = wait_status(base, response.json()["review_id"], {"done", "failed"})
    assert record["status"] == "done", record
    calls = github.requests[before:]
    fetches = [r for r in calls if r.path.startswith("/git/")]
    rest = [r for r in calls if r not in fetches]
    assert len(rest) <= 5, [f"{r.method} {r.api_path}" for r in rest]
    content = [r for r in rest if r.method == "POST" and r.api_path.endswith("/reviews")]
    assert len(content) == 1
    assert fetches and all(r.status == 200 for r in fetches)  # the App's token was accepted
    # static findings in modified files: only visible at the head (the diff holds a few lines)
    found = record["result"]["findings"]
    static = {(f["file_path"], f["start_line"]) for f in found if f["source"] == "static"}
    assert {("app/service.py", 5), ("app/odd[1].py", 2), ("app/new.py", 2)} <= static
    (posted,) = github.reviews("Codertocat", "Calls", 9)
    assert static <= {(c["path"], c["line"]) for c in posted["comments"]}


def test_the_same_delivery_100_times_makes_one_review(
    app: dict[str, Any], github: FakeGitHub
) -> None:
    base = app["base"]
    body = pull_event(3, FIXTURE_HEAD, "opened")
    ids = {
        post_github(base, "pull_request", body, delivery="same-delivery").json().get("review_id")
        for _ in range(100)
    }
    assert len(ids) == 1
    (review_id,) = ids
    assert wait_status(base, review_id, {"done", "failed"})["status"] == "done"
    time.sleep(2)
    assert len(github.reviews("Codertocat", "Hello-World", 3)) == 1


def test_a_newer_push_supersedes_the_review_in_flight(
    app: dict[str, Any], github: FakeGitHub, change: bytes
) -> None:
    base = app["base"]
    old, new = "a" * 40, "b" * 40
    github.add_pull("Codertocat", "Pushes", 5, new, "0" * 40, change)
    slow_first_diff(github, "Pushes", 5, change, pause_s=8)
    first = post_github(base, "pull_request", pull_event(5, old, repo="Pushes")).json()
    wait_status(base, first["review_id"], {"running"})
    second = post_github(base, "pull_request", pull_event(5, new, repo="Pushes")).json()
    assert second["outcome"] == "queued"
    assert wait_status(base, second["review_id"], {"done", "failed"})["status"] == "done"
    assert wait_status(base, first["review_id"], {"superseded"})["status"] == "superseded"
    time.sleep(8)  # the first review's diff request returns; it must not publish
    (posted,) = github.reviews("Codertocat", "Pushes", 5)
    assert posted["commit_id"] == new


def test_killing_the_orchestrator_mid_review_loses_nothing(
    app: dict[str, Any], github: FakeGitHub, change: bytes
) -> None:
    base = app["base"]
    head = "d" * 40
    github.add_pull("Codertocat", "Crash", 4, head, "0" * 40, change)
    slow_first_diff(github, "Crash", 4, change, pause_s=15)
    review_id = post_github(base, "pull_request", pull_event(4, head, "opened", "Crash")).json()[
        "review_id"
    ]
    wait_status(base, review_id, {"running"})
    (name,) = [
        a["name"]
        for a in ray.util.list_named_actors(all_namespaces=True)
        if "codeprism#ReviewOrchestrator" in a["name"]
    ]
    ray.kill(ray.get_actor(name, namespace="serve"), no_restart=True)

    record = wait_status(base, review_id, {"done", "failed"})
    assert record["status"] == "done", record
    assert record["attempts"] == 2
    time.sleep(2)
    assert len(github.reviews("Codertocat", "Crash", 4)) == 1


def test_the_review_api_and_metrics(app: dict[str, Any], change: bytes) -> None:
    base = app["base"]
    auth = {"Authorization": f"Bearer {API_TOKEN}", "Idempotency-Key": "api-1"}
    response = requests.post(
        f"{base}/v1/reviews",
        json={"diff": change.decode(), "repo": "demo"},
        headers=auth,
        timeout=30,
    )
    assert response.status_code == 202, response.text
    again = requests.post(
        f"{base}/v1/reviews",
        json={"diff": change.decode(), "repo": "demo"},
        headers=auth,
        timeout=30,
    )
    assert again.json()["review_id"] == response.json()["review_id"]
    record = wait_status(base, response.json()["review_id"], {"done", "failed"})
    assert record["status"] == "done", record
    rules = {(f["rule_id"], f["start_line"]) for f in record["result"]["findings"]}
    assert ("B602", 5) in rules and ("B307", 9) in rules, record["result"]["notes"][:3]
    bad = requests.post(
        f"{base}/v1/reviews",
        json={"repo": 3},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=30,
    )
    assert bad.status_code == 400

    ignored = (FIXTURES / "github" / "push.json").read_bytes()
    for _ in range(2):
        assert post_github(base, "push", ignored, delivery="metrics-push").status_code == 202
    assert post_github(base, "push", ignored, secret="wrong").status_code == 401

    text = requests.get(f"{base}/metrics", timeout=30).text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    webhooks = {
        (s.labels["provider"], s.labels["event"], s.labels["outcome"]): s.value
        for s in families["codeprism_webhooks"].samples
        if s.name.endswith("_total")
    }
    assert webhooks[("github", "push", "ignored")] >= 1
    assert webhooks[("github", "push", "duplicate")] >= 1
    assert webhooks[("github", "push", "unauthorized")] >= 1
    assert webhooks[("api", "review", "duplicate")] >= 1
    latency = families["codeprism_review_latency_seconds"]
    assert sum(s.value for s in latency.samples if s.name.endswith("_count")) >= 1
    queued = families["codeprism_reviews_queued"].samples[0].value
    assert queued >= 0


# -- per-review settings: the organisation file, the repository's file at the base ----------

Found = list[tuple[str, int, str]]
_RULE = re.compile(r" · `([^`]+)`")  # render_comment: "**[high]** title · `B602`"
ALL_THREE: Found = [("app.py", 1, "B404"), ("app.py", 5, "B602"), ("app.py", 9, "B307")]


def settings_pull(
    github: FakeGitHub,
    git_root: Path,
    name: str,
    number: int,
    base_files: dict[str, str],
    head_files: dict[str, str],
) -> tuple[str, str]:
    """A repository Codertocat/`name` served over git by the fake, with a base commit and a
    head on top of it, and pull request `number` between them: (base sha, head sha)."""
    upstream = Upstream(git_root / "Codertocat", name)
    base = upstream.commit({"README.md": "demo\n", **base_files}, "base")
    head = upstream.commit(dict(head_files), "head")
    github.add_pull("Codertocat", name, number, head, base, _git(upstream.work, "diff", base, head))
    return base, head


def review_settings_pull(
    base_url: str, name: str, number: int, base: str, head: str, author: str | None = None
) -> dict[str, Any]:
    """Send the pull request's "opened" event (installation 77: static findings only) and
    wait for its review to end."""
    event = pull_event(
        number, head, "opened", name, base=base, installation=STATIC_ONLY, author=author
    )
    response = post_github(base_url, "pull_request", event)
    assert response.status_code == 202, response.text
    return wait_status(base_url, response.json()["review_id"], {"done", "failed"})


def posted(github: FakeGitHub, name: str, number: int) -> Found:
    """The inline comments of the pull request's one review: (path, line, rule)."""
    (review,) = github.reviews("Codertocat", name, number)
    found = []
    for comment in review["comments"]:
        rule = _RULE.search(comment["body"])
        assert rule is not None, comment["body"]
        found.append((comment["path"], comment["line"], rule.group(1)))
    return sorted(found)


def reported(record: dict[str, Any]) -> Found:
    """The findings the review API shows for a review: (path, line, rule)."""
    findings = record["result"]["findings"]
    return sorted((f["file_path"], f["start_line"], f["rule_id"]) for f in findings)


def test_the_repository_s_settings_at_the_base_shape_its_review(
    app: dict[str, Any], github: FakeGitHub, git_root: Path
) -> None:
    """Excluded paths are not analysed, test paths are not posted, muted rules not found."""
    config = (
        '[paths]\nextend_exclude = ["generated/"]\ntests = ["qa/"]\n\n'
        '[rules]\ndisabled = ["B307"]\n'
    )
    added = {"app.py": ADDED, "qa/x.py": ADDED, "generated/y.py": ADDED}
    base, head = settings_pull(github, git_root, "Shaped", 21, {".codeprism.toml": config}, added)
    record = review_settings_pull(app["base"], "Shaped", 21, base, head)
    assert record["status"] == "done", record
    expected = [("app.py", 1, "B404"), ("app.py", 5, "B602")]
    assert posted(github, "Shaped", 21) == expected
    assert reported(record) == expected
    summary = record["result"]["summary"]
    assert summary["not_shown_by_role"] == {"test": 2}  # qa/x.py: B404 and B602
    assert "warnings" not in summary and summary["llm_requests"] == 0


def test_a_pull_request_cannot_relax_its_own_review(
    app: dict[str, Any], github: FakeGitHub, git_root: Path
) -> None:
    """The .codeprism.toml the pull request adds is not read: the base has none."""
    muting = '[rules]\ndisabled = ["B307", "B602", "B404"]\n'
    base, head = settings_pull(
        github, git_root, "Relaxing", 22, {}, {".codeprism.toml": muting, "app.py": ADDED}
    )
    record = review_settings_pull(app["base"], "Relaxing", 22, base, head)
    assert record["status"] == "done", record
    assert posted(github, "Relaxing", 22) == ALL_THREE
    assert reported(record) == ALL_THREE


def test_concurrent_reviews_keep_their_own_settings(
    app: dict[str, Any], github: FakeGitHub, git_root: Path
) -> None:
    """Two repositories mute different rules; their reviews are in flight together (each
    waits for the other when it fetches its diff, after its settings were built), and each
    posts what its own settings leave: a leak would mute both rules, or neither."""
    mutes = {"MutesEval": (31, "B307"), "MutesShell": (32, "B602")}
    pulls = {
        name: settings_pull(
            github,
            git_root,
            name,
            number,
            {".codeprism.toml": f'[rules]\ndisabled = ["{rule}"]\n'},
            {"app.py": ADDED},
        )
        for name, (number, rule) in mutes.items()
    }
    both = threading.Barrier(2)
    met: dict[str, bool] = {}

    def diff_after_the_other(request: RecordedRequest, match: re.Match[str]) -> Reply:
        name = match.group(1)
        if name not in met:
            try:
                both.wait(timeout=120)
                met[name] = True
            except threading.BrokenBarrierError:
                met[name] = False
        pull = github.pulls[(f"Codertocat/{name}", int(match.group(2)))]
        return Reply(200, pull["diff"], {"Content-Type": "application/vnd.github.diff"})

    github.route(
        "GET", r"/repos/Codertocat/(MutesEval|MutesShell)/pulls/(\d+)", diff_after_the_other
    )
    ids = {}
    for name, (number, _) in mutes.items():
        base, head = pulls[name]
        event = pull_event(number, head, "opened", name, base=base, installation=STATIC_ONLY)
        ids[name] = post_github(app["base"], "pull_request", event).json()["review_id"]
    records = {name: wait_status(app["base"], ids[name], {"done", "failed"}) for name in ids}
    assert met == {"MutesEval": True, "MutesShell": True}, "the reviews did not overlap"
    assert all(r["status"] == "done" for r in records.values()), records
    assert posted(github, "MutesEval", 31) == [("app.py", 1, "B404"), ("app.py", 5, "B602")]
    assert posted(github, "MutesShell", 32) == [("app.py", 1, "B404"), ("app.py", 9, "B307")]
    assert reported(records["MutesEval"]) == posted(github, "MutesEval", 31)
    assert reported(records["MutesShell"]) == posted(github, "MutesShell", 32)


def test_a_hostile_settings_file_leaves_the_operator_s_settings(
    app: dict[str, Any], github: FakeGitHub, git_root: Path
) -> None:
    """Invalid TOML, or 10 MB of it: the review is posted with the operator's settings, and
    says why the repository's were not used."""
    hostile = {
        "BadToml": (41, '[rules\ndisabled = ["B307"]\n', ".codeprism.toml is not valid TOML"),
        "HugeToml": (
            42,
            "# padding\n" * 1_100_000,
            ".codeprism.toml is over the 65536-byte limit",
        ),
    }
    for name, (number, text, note) in hostile.items():
        base, head = settings_pull(
            github, git_root, name, number, {".codeprism.toml": text}, {"app.py": ADDED}
        )
        record = review_settings_pull(app["base"], name, number, base, head)
        assert record["status"] == "done", record
        assert posted(github, name, number) == ALL_THREE
        (warning,) = record["result"]["summary"]["warnings"]
        assert warning.startswith(note), warning
        (review,) = github.reviews("Codertocat", name, number)
        assert "### Settings warnings (1)" in review["body"]
        assert note in review["body"]


def test_a_pull_request_by_an_ignored_author_is_not_reviewed(
    app: dict[str, Any], github: FakeGitHub, change: bytes
) -> None:
    github.add_pull("Codertocat", "Bots", 51, "e" * 40, "0" * 40, change)
    record = review_settings_pull(
        app["base"], "Bots", 51, "0" * 40, "e" * 40, author="dependabot[bot]"
    )
    assert record["status"] == "done", record
    assert record["detail"] == "ignored by pull_requests.ignore_authors (dependabot[bot])"
    assert (record["findings"], record["posted"]) == (0, 0)
    assert github.reviews("Codertocat", "Bots", 51) == []
    assert not github.find("GET", "/repos/Codertocat/Bots/pulls/51")  # not even the diff
    assert record["target"]["author"] == "dependabot[bot]"


# -- Bitbucket Cloud ---------------------------------------------------------------------------


def post_bitbucket(
    base: str, event: str, body: bytes, delivery: str, signature: str | None
) -> requests.Response:
    headers = {"X-Event-Key": event, "X-Request-UUID": delivery, "Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature"] = signature
    return requests.post(f"{base}/webhooks/bitbucket", data=body, headers=headers, timeout=30)


def test_a_bitbucket_pull_request_gets_one_review_and_forgeries_get_401(
    app: dict[str, Any], bitbucket: FakeBitbucket
) -> None:
    base = app["base"]
    body = json.dumps(pull_request_event()).encode()  # the head named by 12 digits
    signed = bitbucket_signature(BITBUCKET_SECRET.encode(), body)
    delivery = "{" + str(uuid.uuid4()) + "}"
    event = "pullrequest:created"
    forged = bitbucket_signature(b"not-the-secret", body)
    assert post_bitbucket(base, event, body, str(uuid.uuid4()), forged).status_code == 401
    assert post_bitbucket(base, event, body, str(uuid.uuid4()), None).status_code == 401
    template = json.dumps(pull_request_event(state="OPEN|MERGED|DECLINED")).encode()
    refused = post_bitbucket(
        base, event, template, str(uuid.uuid4()), bitbucket_signature(b"x", template)
    )
    assert refused.status_code == 401  # the signature is checked before the body is read
    refused = post_bitbucket(
        base,
        event,
        template,
        str(uuid.uuid4()),
        bitbucket_signature(BITBUCKET_SECRET.encode(), template),
    )
    assert refused.status_code == 400, refused.text

    accepted = post_bitbucket(base, event, body, delivery, signed)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["outcome"] == "queued"

    def summaries() -> list[dict[str, Any]]:
        return [c for c in bitbucket.comments(BITBUCKET_REPO, 12) if not c.get("inline")]

    deadline = time.monotonic() + 600
    while not summaries() and time.monotonic() < deadline:
        time.sleep(1)
    again = post_bitbucket(base, event, body, delivery, signed)  # Bitbucket's redelivery
    assert again.status_code == 202 and again.json()["outcome"] == "duplicate"
    time.sleep(3)  # a second review, if any, would land now
    comments = bitbucket.comments(BITBUCKET_REPO, 12)
    [summary] = [c for c in comments if not c.get("inline")]
    assert summary["content"]["raw"].startswith("## codeprism review")
    inline = [c["inline"] for c in comments if c.get("inline")]
    assert inline, "static findings on added lines must be posted inline"
    changed = {f.path: f.changed_lines for f in parse_diff(bitbucket_diff(bitbucket))}
    for position in inline:
        assert position["to"] in changed[position["path"]]
    posts = [r for r in bitbucket.find("POST") if r.path.endswith("/pullrequests/12/comments")]
    assert len(posts) == len(comments)
    # the head was read in full from the REST API and fetched over git by the analyzers
    assert bitbucket.find("GET", f"/repositories/{BITBUCKET_REPO}/pullrequests/12")
    assert any(r.path.startswith("/git/team_name/repo_name.git") for r in bitbucket.requests)


def bitbucket_diff(bitbucket: FakeBitbucket) -> bytes:
    diff: bytes = bitbucket.pull_requests[(BITBUCKET_REPO, 12)]["diff"]
    return diff


# -- Bitbucket Data Center ---------------------------------------------------------------------


def post_bitbucket_dc(
    base: str, event: str, body: bytes, delivery: str, signature: str | None
) -> requests.Response:
    headers = {"X-Event-Key": event, "X-Request-Id": delivery, "Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature"] = signature
    return requests.post(f"{base}/webhooks/bitbucket-dc", data=body, headers=headers, timeout=30)


def test_a_bitbucket_dc_pull_request_gets_one_review_and_forgeries_get_401(
    app: dict[str, Any], bitbucket_dc: FakeBitbucketDC
) -> None:
    from tests.test_webhook_bitbucket_dc import pull_request_event as dc_event

    base, stored = app["base"], bitbucket_dc.pull_requests[(BITBUCKET_DC_REPO, 1)]
    payload = dc_event()
    payload["pullRequest"]["fromRef"]["latestCommit"] = stored["head_sha"]
    payload["pullRequest"]["toRef"]["latestCommit"] = stored["base_sha"]
    body = json.dumps(payload).encode()
    secret = BITBUCKET_DC_SECRET.encode()
    event, delivery = "pr:opened", str(uuid.uuid4())
    forged = bitbucket_signature(b"not-the-secret", body)
    assert post_bitbucket_dc(base, event, body, str(uuid.uuid4()), forged).status_code == 401
    assert post_bitbucket_dc(base, event, body, str(uuid.uuid4()), None).status_code == 401
    template = json.dumps(dc_event(state="OPEN|MERGED|DECLINED")).encode()
    signed_template = bitbucket_signature(secret, template)
    refused = post_bitbucket_dc(base, event, template, str(uuid.uuid4()), signed_template)
    assert refused.status_code == 400, refused.text
    not_json = b"{not json"
    refused = post_bitbucket_dc(
        base, event, not_json, str(uuid.uuid4()), bitbucket_signature(secret, not_json)
    )
    assert refused.status_code == 400, refused.text

    signed = bitbucket_signature(secret, body)
    accepted = post_bitbucket_dc(base, event, body, delivery, signed)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["outcome"] == "queued"

    def summaries() -> list[dict[str, Any]]:
        return [c for c in bitbucket_dc.comments(BITBUCKET_DC_REPO, 1) if not c.get("anchor")]

    deadline = time.monotonic() + 600
    while not summaries() and time.monotonic() < deadline:
        time.sleep(1)
    again = post_bitbucket_dc(base, event, body, delivery, signed)  # a redelivery
    assert again.status_code == 202 and again.json()["outcome"] == "duplicate"
    time.sleep(3)  # a second review, if any, would land now
    comments = bitbucket_dc.comments(BITBUCKET_DC_REPO, 1)
    [summary] = [c for c in comments if not c.get("anchor")]
    assert summary["text"].startswith("## codeprism review")
    anchors = [c["anchor"] for c in comments if c.get("anchor")]
    assert anchors, "static findings on added lines must be posted inline"
    changed = {f.path: f.changed_lines for f in parse_diff(stored["diff"])}
    for anchor in anchors:
        assert anchor["line"] in changed[anchor["path"]] and anchor["lineType"] == "ADDED"
    posts = [r for r in bitbucket_dc.find("POST") if r.path.endswith("/pull-requests/1/comments")]
    assert len(posts) == len(comments)
    # the pull request was read from the REST API and its head fetched over git
    assert bitbucket_dc.find("GET", "/projects/PROJ/repos/repository/pull-requests/1")
    assert any(r.path.startswith("/scm/PROJ/repository.git") for r in bitbucket_dc.requests)


# -- Azure DevOps ------------------------------------------------------------------------------


def post_azure(base: str, body: bytes, auth: tuple[str, str] | None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    return requests.post(
        f"{base}/webhooks/azure", data=body, headers=headers, auth=auth, timeout=30
    )


def test_an_azure_pull_request_gets_one_review_and_bad_credentials_get_401(
    app: dict[str, Any], azure: FakeAzure
) -> None:
    base = app["base"]
    head = azure.pull_requests[(AZURE_REPO, 1)]["head_sha"]
    event = azure_event(lastMergeSourceCommit={"commitId": head})
    event["id"] = str(uuid.uuid4())
    body = json.dumps(event).encode()
    good = (AZURE_USER, AZURE_PASSWORD)
    assert post_azure(base, body, None).status_code == 401
    assert post_azure(base, body, (AZURE_USER, "wrong")).status_code == 401
    assert post_azure(base, body, ("someone", AZURE_PASSWORD)).status_code == 401
    assert azure.requests == []  # nothing reached the host
    bad = post_azure(base, json.dumps(azure_event(status="weird")).encode(), good)
    assert bad.status_code == 400, bad.text
    assert post_azure(base, b"{not json", good).status_code == 400
    assert post_azure(base, b"[]", good).status_code == 400

    accepted = post_azure(base, body, good)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["outcome"] == "queued"

    def summaries() -> list[dict[str, Any]]:
        return [t for t in azure.threads(AZURE_REPO, 1) if not t.get("threadContext")]

    deadline = time.monotonic() + 600
    while not summaries() and time.monotonic() < deadline:
        time.sleep(1)
    again = post_azure(base, body, good)  # a resend keeps the notification id
    assert again.status_code == 202 and again.json()["outcome"] == "duplicate"
    time.sleep(3)  # a second review, if any, would land now
    threads = azure.threads(AZURE_REPO, 1)
    [summary] = [t for t in threads if not t.get("threadContext")]
    assert summary["comments"][0]["content"].startswith("## codeprism review")
    contexts = [t["threadContext"] for t in threads if t.get("threadContext")]
    assert contexts, "static findings on added lines must be posted inline"
    stored_diff: bytes = azure.pull_requests[(AZURE_REPO, 1)]["diff"]
    changed = {f.path: f.changed_lines for f in parse_diff(stored_diff)}
    for context in contexts:
        path = context["filePath"].removeprefix("/")
        assert context["rightFileStart"]["line"] in changed[path]
    posts = [r for r in azure.find("POST") if r.path.endswith("/pullRequests/1/threads")]
    assert len(posts) == len(threads)
    # the diff came from git: both commits were fetched over git from the fake
    assert any("/_git/Fabrikam" in r.path for r in azure.requests)
