"""Cluster definitions, checked the way Ray itself checks them.

`ray up` first runs `prepare_config` (merge the provider's defaults, expand the local
provider's host list) and then `validate_config` (Ray's `ray-schema.json` plus its own
cross-field rules) before it talks to any cloud; these tests run those same two functions
from the installed Ray, then assert the shape codeprism relies on.
"""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from ray._private.runtime_env.packaging import _dir_travel, _get_excludes, create_package
from ray.autoscaler._private.util import prepare_config, validate_config
from ray.dashboard.modules.dashboard_sdk import parse_runtime_env_args
from ray.runtime_env import RuntimeEnv

from serve_apps.ingress_mode import HIGH_THROUGHPUT_INGRESS

ROOT = Path(__file__).resolve().parents[1]
AWS = ROOT / "cluster.yaml"
LOCAL = ROOT / "cluster" / "local.yaml"
RUNTIME_ENV = ROOT / "cluster" / "runtime_env.yaml"


def _load(path: Path) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return config


def _ray_up_checks(config: dict[str, Any]) -> dict[str, Any]:
    """What `ray up` does to a config before it touches a provider."""
    prepared: dict[str, Any] = prepare_config(copy.deepcopy(config))
    validate_config(prepared)
    return prepared


@pytest.mark.parametrize("path", [AWS, LOCAL], ids=["aws", "local"])
def test_ray_accepts_the_cluster_config(path: Path) -> None:
    _ray_up_checks(_load(path))


def test_aws_cluster_shape() -> None:
    config = _load(AWS)
    assert config["provider"] == {
        "type": "aws",
        "region": "us-west-2",
        "availability_zone": "us-west-2a,us-west-2b,us-west-2c",
    }
    types = config["available_node_types"]
    assert set(types) == {"head", "cpu_worker", "gpu_worker"}
    assert config["head_node_type"] == "head"
    assert types["head"]["resources"] == {"CPU": 0}  # no analysis on the head

    cpu = types["cpu_worker"]
    assert cpu["node_config"]["InstanceType"] == "m6i.2xlarge"
    assert cpu["resources"] == {"CPU": 8}
    assert cpu["min_workers"] == 0 < cpu["max_workers"] == 20  # it autoscales

    gpu = types["gpu_worker"]
    assert gpu["min_workers"] == 0  # GPUs only while they are asked for
    assert gpu["max_workers"] >= 1
    assert gpu["resources"] == {"CPU": 4, "GPU": 1}
    assert gpu["node_config"]["InstanceType"].startswith("g6.")

    assert config["max_workers"] >= cpu["max_workers"] + gpu["max_workers"]
    assert config["idle_timeout_minutes"] > 0
    assert config["file_mounts"] == {"~/codeprism": "."}


def test_aws_nodes_install_the_project() -> None:
    prepared = _ray_up_checks(_load(AWS))
    install = 'pip install --no-cache-dir -e "$HOME/codeprism"'
    # prepare_config merges setup_commands into the head's and the workers' lists.
    assert install in prepared["head_setup_commands"]
    assert install in prepared["worker_setup_commands"]
    # A node type's own list replaces the merged one: the GPU list must install on its own.
    gpu_setup = prepared["available_node_types"]["gpu_worker"]["worker_setup_commands"]
    assert gpu_setup == ['pip install --no-cache-dir -e "$HOME/codeprism[gpu]"']
    assert "worker_setup_commands" not in prepared["available_node_types"]["cpu_worker"]
    assert any("ray start --head" in c for c in prepared["head_start_ray_commands"])
    assert any("--address=$RAY_HEAD_IP:6379" in c for c in prepared["worker_start_ray_commands"])
    for excluded in (".venv", "warehouse", ".cache"):
        assert excluded in prepared["rsync_exclude"]


def test_local_cluster_shape() -> None:
    config = _load(LOCAL)
    assert config["provider"]["type"] == "local"
    assert config["provider"]["head_ip"]
    assert len(config["provider"]["worker_ips"]) >= 1
    prepared = _ray_up_checks(config)
    # Ray turns the host list into one node type that keeps every listed worker.
    (node_type,) = prepared["available_node_types"].values()
    assert node_type["min_workers"] == node_type["max_workers"] == 3
    commands = " ".join(prepared["worker_setup_commands"])
    assert 'pip install -e "$HOME/codeprism"' in commands
    assert 'pip install -e "$HOME/codeprism[gpu]"' in commands


@pytest.mark.parametrize("path", [AWS, LOCAL], ids=["aws", "local"])
def test_every_node_starts_ray_with_the_high_throughput_ingress(path: Path) -> None:
    """Serve reads these variables when it starts on a node: every `ray start` (head and
    workers) must export exactly what `codeprism serve` sets for a local Ray."""
    prepared = _ray_up_checks(_load(path))
    wanted = " ".join(f"{name}={value}" for name, value in HIGH_THROUGHPUT_INGRESS.items())
    for key in ("head_start_ray_commands", "worker_start_ray_commands"):
        starts = [c for c in prepared[key] if "ray start" in c]
        assert starts, key
        for command in starts:
            before_start = command[: command.index("ray start")]
            assert f"export {wanted};" in before_start, (key, command)


def _broken(mutate: str) -> dict[str, Any]:
    config = _load(AWS)
    types = config["available_node_types"]
    if mutate == "gpu count as text":
        types["gpu_worker"]["resources"]["GPU"] = "one"
    elif mutate == "unknown node type field":
        types["cpu_worker"]["min_worker"] = 1  # a typo Ray must not ignore
    elif mutate == "unknown top-level field":
        config["setup_command"] = ["pip install codeprism"]
    elif mutate == "no provider":
        del config["provider"]
    return config


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        ("gpu count as text", "'one' is not of type 'integer'"),
        ("unknown node type field", "'min_worker' was unexpected"),
        ("unknown top-level field", "'setup_command' was unexpected"),
        ("no provider", "'provider' is a required property"),
    ],
)
def test_ray_schema_rejects_a_broken_config(mutate: str, message: str) -> None:
    config = _broken(mutate)
    # Ray's schema alone (validate_config wants the fields prepare_config adds):
    with pytest.raises(jsonschema.ValidationError, match=message):
        validate_config({**config, "cluster_synced_files": []})
    if "provider" in config:  # and the whole `ray up` path
        with pytest.raises(jsonschema.ValidationError, match=message):
            _ray_up_checks(config)


def test_ray_rejects_more_min_workers_than_max_workers() -> None:
    config = _load(AWS)
    config["available_node_types"]["gpu_worker"]["min_workers"] = 30
    with pytest.raises(ValueError, match="max_workers"):
        _ray_up_checks(config)


# ------------------------------------------------------------------------- runtime env


def test_runtime_env_is_accepted_by_ray() -> None:
    env = parse_runtime_env_args(runtime_env=str(RUNTIME_ENV))  # as `ray job submit` reads it
    RuntimeEnv(**env)  # raises on unknown or malformed fields
    assert env["working_dir"] == "."
    for pattern in ("/.venv", "/warehouse", "/.cache", ".git"):
        assert pattern in env["excludes"]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    for name in (
        "codeprism/__init__.py",
        "codeprism/warehouse.py",  # a module, not the local warehouse directory
        "jobs/audit.py",
        "pyproject.toml",
        ".venv/lib/python3.11/site-packages/ray/__init__.py",
        "warehouse/findings/part-0.parquet",
        ".cache/corpus/x.tar.gz",
        ".git/HEAD",
        "codeprism/__pycache__/findings.cpython-311.pyc",
        "codeprism.egg-info/PKG-INFO",
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    return root


def test_runtime_env_uploads_code_and_never_walks_local_state(
    checkout: Path, tmp_path: Path
) -> None:
    excludes = parse_runtime_env_args(runtime_env=str(RUNTIME_ENV))["excludes"]
    # The package `ray job submit` would upload (without .gitignore, to test our list alone).
    package = tmp_path / "pkg.zip"
    create_package(str(checkout), package, include_gitignore=False, excludes=excludes)
    with zipfile.ZipFile(package) as archive:
        uploaded = sorted(n for n in archive.namelist() if not n.endswith("/"))
    assert uploaded == [
        "codeprism/__init__.py",
        "codeprism/warehouse.py",
        "jobs/audit.py",
        "pyproject.toml",
    ]
    # An excluded directory matches as a whole, so Ray does not even list what is inside.
    visited: list[str] = []
    _dir_travel(
        checkout,
        [_get_excludes(checkout, excludes)],
        lambda p: visited.append(p.relative_to(checkout).as_posix()),
        include_gitignore=False,
    )
    for local_state in (".venv", "warehouse", ".cache", ".git"):
        assert not [v for v in visited if v == local_state or v.startswith(local_state + "/")]
