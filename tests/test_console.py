"""What users see on the terminal: the report alone on stdout, however its writers reach it;
one line for an error; and a model config that fits the model before any engine starts."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codeprism.errors import ConfigError, root_cause_line
from codeprism.llm.config import ModelConfig, fit_to_model, load_model_config

# Each of the ways a library reaches stdout: print, a raw write to descriptor 1 (torch's C++
# warnings), and a child process that inherits it (vLLM's engine, Ray's workers). vLLM's own
# logger writes to stdout, so an engine start-up is held on both descriptors.
NOISY_COMMAND = textwrap.dedent(
    """
    import os, subprocess, sys
    from codeprism.console import held_output, report_stdout

    with report_stdout(restore={restore}) as report:
        print("printed noise")
        os.write(1, b"raw noise\\n")
        subprocess.run([sys.executable, "-c", "print('child noise')"], check=True)
        with held_output() as held:
            print("held engine log")
            os.write(2, b"held engine chatter\\n")
        report.write('{{"findings": []}}\\n')
    print("after the report")
    sys.stderr.write("held: " + held.getvalue())
    """
)


@pytest.mark.parametrize("restore", [True, False])
def test_the_report_is_alone_on_stdout_while_the_command_runs(restore: bool) -> None:
    done = subprocess.run(
        [sys.executable, "-c", NOISY_COMMAND.format(restore=restore)],
        capture_output=True,
        text=True,
        check=True,
    )
    after = "after the report\n"
    assert done.stdout == '{"findings": []}\n' + (after if restore else "")
    assert done.stderr == (
        "printed noise\nraw noise\nchild noise\n"
        + ("" if restore else after)
        + "held: held engine log\nheld engine chatter\n"
    )


def test_without_a_descriptor_the_report_goes_to_sys_stdout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from codeprism.console import report_stdout

    with report_stdout() as report:  # pytest's capture replaces sys.stdout: nothing to move
        report.write("report\n")
    assert capsys.readouterr().out == "report\n"


def test_root_cause_line_skips_the_wrappers_that_point_elsewhere() -> None:
    engine_log = """
        INFO 12-05 loading model
        (EngineCore pid=12) ERROR Traceback (most recent call last):
        pydantic_core._pydantic_core.ValidationError: 1 validation error for ModelConfig
          Value error, User-specified max_model_len (16384) is greater than the derived max_model_len (max_position_embeddings=8192 in model's config.json).
        RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}
    """  # noqa: E501
    assert root_cause_line(engine_log) == (
        "User-specified max_model_len (16384) is greater than the derived max_model_len "
        "(max_position_embeddings=8192 in model's config.json)."
    )
    assert root_cause_line("one\n\ntwo\n") == "two"
    assert root_cause_line("ValueError: no tokenizer in one of:\n  (1) a tokenizer.json\n") == (
        "ValueError: no tokenizer in one of: (1) a tokenizer.json"
    )
    assert root_cause_line("") == "no message"
    assert root_cause_line("OSError: " + "x" * 500, limit=20) == "OSError: xxxxxxxxxx…"


def model_dir(tmp_path: Path, config: object, name: str = "m") -> Path:
    path = tmp_path / name
    path.mkdir()
    (path / "config.json").write_text(json.dumps(config) if not isinstance(config, str) else config)
    return path


def test_the_context_shrinks_to_what_the_model_allows(tmp_path: Path) -> None:
    short = model_dir(tmp_path, {"model_type": "llama", "max_position_embeddings": 2048})
    config = load_model_config(str(short))
    assert (config.max_model_len, config.model_max_len, config.sampling.max_tokens) == (
        2048,
        2048,
        256,
    )
    assert config.describe() == (
        f"model {short}: context 2048 tokens; the model allows 2048, answers up to 256 tokens"
    )
    # a quarter of the context for the answer once the instructions fit easily
    medium = model_dir(tmp_path, {"max_position_embeddings": 4096}, name="medium")
    assert load_model_config(str(medium)).sampling.max_tokens == 1024
    # the smallest of the lengths vLLM reads wins; a nested text_config counts too
    nested = model_dir(
        tmp_path,
        {"n_positions": 4096, "text_config": {"max_position_embeddings": 1024}},
        name="nested",
    )
    assert load_model_config(str(nested)).max_model_len == 1024
    # a longer model keeps the configured context and answer budget
    long = model_dir(tmp_path, {"max_position_embeddings": 131072}, name="long")
    configured = load_model_config(str(long))
    assert (configured.max_model_len, configured.sampling.max_tokens) == (
        ModelConfig().max_model_len,
        ModelConfig().sampling.max_tokens,
    )
    # a hub id is left to the serving machine
    hub = fit_to_model(ModelConfig(model="Qwen/Qwen2.5-Coder-7B-Instruct"))
    assert hub.model_max_len is None and hub.max_model_len == ModelConfig().max_model_len


@pytest.mark.parametrize(
    ("config_text", "message"),
    [
        ("{not json", "config.json is unreadable: Expecting property name"),
        ("[1, 2]", "config.json is not a JSON object"),
    ],
)
def test_a_broken_model_directory_is_one_config_error(
    tmp_path: Path, config_text: str, message: str
) -> None:
    broken = model_dir(tmp_path, config_text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_model_config(str(broken))
    assert "\n" not in str(caught.value)


def test_a_missing_or_incomplete_model_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^model directory .*/absent does not exist$"):
        load_model_config(str(tmp_path / "absent"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"^model directory .*/empty has no config.json$"):
        load_model_config(str(tmp_path / "empty"))
    (tmp_path / "weights.bin").write_bytes(b"\0")
    with pytest.raises(ConfigError, match="is a file, not a model directory"):
        load_model_config(str(tmp_path / "weights.bin"))
    with pytest.raises(ConfigError, match="^invalid model config: max_model_len: Input should"):
        load_model_config(str(model_dir(tmp_path, {}, "ok")), max_model_len=12)
