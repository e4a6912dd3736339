"""The README's commands as a user types them: the installed `codeprism` executable in a
subprocess, default flags, the machine's real CPUs, no test-only settings.

The internals' tests start Ray with generous logical CPUs and call functions; these catch what
only the real command meets: a 2-core Ray, stdout shared with vLLM and torch, a model
directory as users have it, hostile webhooks over real HTTP, and a whole process group
signalled at once.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests

from codeprism.warehouse import Warehouse
from tests.fakes.git_repos import git as git_in
from tests.fakes.github_server import FakeGitHub
from tests.fakes.net import free_port
from tests.fakes.webhook_fuzz import FIXTURES, FuzzedWebhook, fuzzed_webhooks, sign_github

CODEPRISM = str(Path(sys.executable).with_name("codeprism"))
SECRET = "user-test-webhook-secret"
FUZZ_COUNT = 1000
FUZZ_SEED = 13

# A new file with a pickle load: the same two static findings on every run.
CHANGE = """\
diff --git a/loader.py b/loader.py
new file mode 100644
index 0000000..3b18e51
--- /dev/null
+++ b/loader.py
@@ -0,0 +1,5 @@
+import pickle
+
+
+def load(data):
+    return pickle.loads(data)
"""


def user_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no Ray address of the test session's Ray."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    return {**env, **extra}


def codeprism(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CODEPRISM, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=user_env(),
    )


@pytest.fixture(scope="module")
def change_diff(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("change") / "change.diff"
    path.write_text(CHANGE)
    return path


# -- codeprism review ---------------------------------------------------------------------


def test_review_json_on_stdout_parses(change_diff: Path, tiny_model: Path) -> None:
    done = codeprism(
        "review", "--diff", str(change_diff), "--model", str(tiny_model), "--format", "json"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)  # the whole of stdout: not one stray line
    static = {
        (f["rule_id"], f["start_line"], tuple(f["reported_by"]))
        for f in report["findings"]
        if f["source"] == "static"
    }
    # one finding per problem: the pickle load is bandit's, ruff's and semgrep's
    assert static == {
        ("B403", 1, ("bandit:B403",)),
        ("B301", 5, ("bandit:B301", "ruff:S301", "semgrep:py-pickle-deserialization")),
    }
    assert f"model {tiny_model}: context 8192 tokens" in done.stderr


def test_review_sarif_on_stdout_validates_with_a_model_allowing_2048_positions(
    change_diff: Path,
    tiny_model: Path,
    tmp_path: Path,
    validate_sarif: Callable[[dict[str, Any]], None],
) -> None:
    short = tmp_path / "short-model"
    shutil.copytree(tiny_model, short)
    config = json.loads((short / "config.json").read_text())
    (short / "config.json").write_text(json.dumps({**config, "max_position_embeddings": 2048}))
    done = codeprism(
        "review", "--diff", str(change_diff), "--model", str(short), "--format", "sarif"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    sarif = json.loads(done.stdout)
    validate_sarif(sarif)
    rules = {r["ruleId"] for run in sarif["runs"] for r in run["results"]}
    assert {"B403", "B301"} <= rules
    reporters = {
        who
        for run in sarif["runs"]
        for r in run["results"]
        for who in r["properties"]["reportedBy"]
    }
    assert {"bandit:B301", "ruff:S301"} <= reporters
    assert (
        f"model {short}: context 2048 tokens; the model allows 2048, answers up to 256 tokens"
        in done.stderr
    )


@pytest.mark.parametrize(
    ("config_text", "message"),
    [
        ("{broken", "config.json is unreadable"),
        (None, "has no config.json"),
    ],
)
def test_a_broken_model_directory_is_one_line_and_exit_2(
    change_diff: Path, tmp_path: Path, config_text: str | None, message: str
) -> None:
    broken = tmp_path / "broken-model"
    broken.mkdir()
    if config_text is not None:
        (broken / "config.json").write_text(config_text)
    done = codeprism(
        "review",
        "--diff",
        str(change_diff),
        "--model",
        str(broken),
        "--format",
        "json",
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("codeprism review: error: ") and message in done.stderr


def test_an_engine_that_cannot_start_is_one_line_and_exit_2(
    change_diff: Path, tiny_model: Path, tmp_path: Path
) -> None:
    """The config is sound, so only the engine finds out: no tokenizer to load."""
    weightless = tmp_path / "no-tokenizer"
    weightless.mkdir()
    shutil.copy(tiny_model / "config.json", weightless / "config.json")
    done = codeprism(
        "review",
        "--diff",
        str(change_diff),
        "--model",
        str(weightless),
        "--format",
        "json",
        timeout=300,
    )
    assert done.returncode == 2, done.stderr[-3000:]
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr[-3000:]
    assert done.stderr.startswith("codeprism review: error: ")
    assert "Traceback" not in done.stderr


# -- codeprism audit --model --------------------------------------------------------------


def test_audit_with_a_model_runs_on_the_machines_cpus(
    corpus: list[Path], tiny_model: Path, tmp_path: Path
) -> None:
    """On 2 CPUs, Ray Data's text stages and row maps once held every CPU and the engine
    waited forever: the LLM pass must fit beside them."""
    warehouse = tmp_path / "wh"
    done = subprocess.run(
        [
            CODEPRISM,
            "audit",
            str(corpus[0]),
            "--warehouse",
            str(warehouse),
            "--model",
            str(tiny_model),
            "--llm-files",
            "1",
            "--llm-agents",
            "security",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=user_env(),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "llm: repos 1/1" in done.stderr, done.stderr[-3000:]
    passes = Warehouse(str(warehouse)).read("llm_passes").to_pylist()
    assert [(p["repo"], p["model"]) for p in passes] == [(corpus[0].name, str(tiny_model))]
    assert passes[0]["requests"] >= 1


# -- codeprism serve ----------------------------------------------------------------------


@dataclass
class RunningServe:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _wait_healthy(serve: RunningServe, timeout_s: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        assert serve.process.poll() is None, serve.output()[-5000:]
        if "listening on" in serve.output():
            response = requests.get(f"{serve.url}/healthz", timeout=5)
            assert response.status_code == 200, response.text
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"not healthy within {timeout_s}s:\n{serve.output()[-5000:]}")


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServe]:
    """`codeprism serve --port P` as typed, in its own session like a terminal's job; the
    reviews it accepts go to a fake GitHub on loopback (nothing leaves the machine)."""
    home = tmp_path_factory.mktemp("serve")
    log = home / "serve.log"
    port = free_port()
    with FakeGitHub() as github, log.open("wb") as sink:
        env = user_env(
            CODEPRISM_GITHUB_WEBHOOK_SECRET=SECRET,
            CODEPRISM_GITHUB_API_URL=github.api_url,
            CODEPRISM_GITHUB_TOKEN="user-test-token",
            CODEPRISM_GITLAB_WEBHOOK_TOKEN=SECRET,
            HOME=str(home),  # the default state directory lands here
        )
        process = subprocess.Popen(
            [CODEPRISM, "serve", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        running = RunningServe(process, port, log)
        try:
            yield running
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(30)


def test_serve_with_defaults_is_healthy_on_the_machines_cpus(serve: RunningServe) -> None:
    took = _wait_healthy(serve, timeout_s=120)
    print(f"healthy after {took:.1f}s")
    output = serve.output()
    cpus = psutil.cpu_count()
    assert f"Ray has {cpus} CPUs free:" in output
    assert "Traceback" not in output


def test_a_signed_webhook_is_accepted(serve: RunningServe) -> None:
    _wait_healthy(serve, timeout_s=120)
    body = (FIXTURES / "github" / "pull_request.opened.json").read_bytes()
    response = requests.post(
        f"{serve.url}/webhooks/github",
        data=body,
        headers={
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": sign_github(SECRET.encode(), body),
            "Content-Type": "application/json",
        },
        timeout=30,
    )
    assert response.status_code == 202, response.text
    unsigned = requests.post(
        f"{serve.url}/webhooks/github",
        data=body,
        timeout=30,
        headers={"X-GitHub-Event": "pull_request"},
    )
    assert unsigned.status_code == 401


def test_a_thousand_fuzzed_signed_webhooks_never_get_a_5xx(serve: RunningServe) -> None:
    _wait_healthy(serve, timeout_s=120)
    hooks = fuzzed_webhooks(FUZZ_COUNT, FUZZ_SEED)

    def post(hook: FuzzedWebhook) -> tuple[FuzzedWebhook, int]:
        path = "/webhooks/github" if hook.provider == "github" else "/webhooks/gitlab"
        response = requests.post(
            serve.url + path,
            data=hook.body,
            headers=hook.headers(SECRET, delivery=str(uuid.uuid4())),
            timeout=60,
        )
        return hook, response.status_code

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, hooks))
    statuses = Counter(status for _, status in answers)
    print(f"{FUZZ_COUNT} fuzzed webhooks: {dict(sorted(statuses.items()))}")
    server_errors = [(hook.mutation, status) for hook, status in answers if status >= 500]
    assert server_errors == []
    unexpected = [(h.mutation, s) for h, s in answers if s not in h.statuses()]
    assert unexpected == []
    assert set(statuses) >= {202, 400}  # both the accepted and the refused kinds were seen
    assert requests.get(f"{serve.url}/healthz", timeout=10).status_code == 200


def _still_running(
    processes: list[psutil.Process],
) -> list[tuple[psutil.Process, str, list[str]]]:
    """Name and command line of each process that still runs (zombies are gone in all but
    name). Short-lived children, such as a `git` fetch that an accepted fuzzed webhook
    started, can exit between being listed and being read: that is not an error."""
    running = []
    for proc in processes:
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                running.append((proc, proc.name(), proc.cmdline()))
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return running


def test_sigterm_to_the_process_group_leaves_nothing_behind(serve: RunningServe) -> None:
    """Last in this module: it ends the server. `kill -- -PGID`, as a service manager or a
    terminal's job control sends it, reaches Ray's services as well as the command."""
    _wait_healthy(serve, timeout_s=120)
    command = psutil.Process(serve.process.pid)
    running = _still_running([command, *command.children(recursive=True)])
    ours = [proc for proc, _, _ in running]
    names = {name for _, name, _ in running}
    assert {"raylet", "gcs_server", "haproxy"} <= names, names
    # HAProxy reloads while Serve winds down start new HAProxy processes, in their own
    # process group: look for any of this node's by its config directory
    config_dirs = {
        arg.rsplit("/", 1)[0]
        for _, name, cmdline in running
        if name == "haproxy"
        for arg in cmdline
        if arg.endswith("/haproxy.cfg")
    }
    assert config_dirs
    os.killpg(serve.process.pid, signal.SIGTERM)
    code = serve.process.wait(120)
    assert code == 0, serve.output()[-3000:]  # a clean stop on request
    gone, alive = psutil.wait_procs(ours, timeout=10)
    left = [f"{proc.pid} {name}" for proc, name, _ in _still_running(alive)]
    assert left == [], serve.output()[-3000:]
    orphans = [
        proc.pid
        for proc in psutil.process_iter(["name", "cmdline"])
        if proc.info["name"] == "haproxy"
        and any(d in " ".join(proc.info["cmdline"] or ()) for d in config_dirs)
    ]
    assert orphans == [], serve.output()[-3000:]
    assert _port_is_free(serve.port)
    assert "codeprism serve: stopped in" in serve.output()


def test_review_of_a_commit_gives_one_finding_per_problem_listing_every_analyzer(
    tmp_path: Path,
) -> None:
    """Issue 14's acceptance: bandit, ruff (and codeprism's semgrep rules) all see
    `subprocess.call(x, shell=True)` and `eval(x)`; the review says each once."""
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> str:
        return git_in(*args, cwd=repo)

    git("init", "-q", "-b", "main")
    (repo / "tasks.py").write_text('"""Tasks."""\n')
    git("add", ".")
    git("commit", "-qm", "base")
    base = git("rev-parse", "HEAD")
    (repo / "tasks.py").write_text(
        '"""Tasks."""\nimport subprocess\n\n\ndef run(x):\n'
        "    subprocess.call(x, shell=True)\n    return eval(x)\n"
    )
    git("commit", "-qam", "run commands")
    head = git("rev-parse", "HEAD")
    done = codeprism("review", "--repo", str(repo), "--base", base, "--head", head,
                     "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    findings = json.loads(done.stdout)["findings"]
    by_line = Counter(f["start_line"] for f in findings if f["severity"] != "info")
    assert by_line == {6: 1, 7: 1}, findings
    for finding in findings:
        if finding["start_line"] in (6, 7):
            analyzers = {r.split(":")[0] for r in finding["reported_by"]}
            assert {"bandit", "ruff"} <= analyzers, finding
    rules = {f["start_line"]: sorted(r.split(":")[1] for r in f["reported_by"]) for f in findings}
    assert rules[6][:2] == ["B602", "S602"] and rules[7][:2] == ["B307", "S307"]
