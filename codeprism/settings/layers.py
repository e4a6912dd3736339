"""Settings in layers, later wins, each value remembering the layer it came from.

    packaged defaults (the model's) → organisation config file (`--config`, `CODEPRISM_CONFIG`)
    → environment (`CODEPRISM_<KEY>`, `.` written `__`) → command line
    → the reviewed repository's `.codeprism.toml` / `[tool.codeprism]` (see `repo_file.py`)

Layers are merged key by key on the dotted names (`paths.exclude`, `rules.severity.B311`),
so an organisation file that sets one key leaves every other default in place. The first
four layers are the operator's: a bad value there is a `ConfigError` (exit 2) that names the
layer. The repository's layer is untrusted data: what it may not set, or sets badly, is
ignored key by key with a note, and the review goes on with the layers below.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codeprism.errors import ConfigError
from codeprism.settings.model import Settings

DEFAULT_LAYER = "default"
CONFIG_VARIABLE = "CODEPRISM_CONFIG"
ENV_PREFIX = "CODEPRISM_"
# Tables of an organisation file applied only to the online reviews of one GitHub App
# installation or one GitLab group (applied by `online/review_settings.OperatorSettings`).
SCOPED_TABLES = ("installations", "groups")
MAX_DEPTH = 8  # the deepest setting is 3 levels (`rules.severity.B311`)


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"paths": {"exclude": [..]}} -> {"paths.exclude": [..]}; empty tables stay leaves.

    Tables deeper than `MAX_DEPTH` (no setting is) stay leaves too: a hostile file's
    `a.a.a.…` of thousands of levels is one unknown key, not a RecursionError."""
    flat: dict[str, Any] = {}
    # depth first, in the file's order, without recursion
    stack: list[tuple[str, Iterator[tuple[str, Any]]]] = [(prefix, iter(data.items()))]
    while stack:
        table_prefix, items = stack[-1]
        item = next(items, None)
        if item is None:
            stack.pop()
            continue
        key, value = item
        name = f"{table_prefix}{key}"
        if isinstance(value, Mapping) and value and len(stack) < MAX_DEPTH:
            stack.append((f"{name}.", iter(value.items())))
        else:
            flat[name] = value
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for name, value in flat.items():
        *parents, last = name.split(".")
        table = nested
        for part in parents:
            child = table.get(part)
            if not isinstance(child, dict):
                child = table[part] = {}
            table = child
        if not (isinstance(value, dict) and not value and isinstance(table.get(last), dict)):
            table[last] = value
    return nested


def _defaults() -> dict[str, Any]:
    return flatten(Settings().model_dump(mode="json"))


def _set(flat: dict[str, Any], name: str, value: Any) -> None:
    """Set one leaf, dropping leaves it replaces (a table set whole, or an empty table)."""
    for existing in [k for k in flat if k.startswith(f"{name}.") or name.startswith(f"{k}.")]:
        del flat[existing]
    flat[name] = value


@dataclass(frozen=True)
class Effective:
    """Settings and, for each dotted key, the layer its value came from."""

    settings: Settings
    origins: Mapping[str, str]
    notes: tuple[str, ...] = ()  # what a repository's file asked for and did not get
    values: Mapping[str, Any] = field(default_factory=dict, repr=False)  # flat, JSON-shaped

    def with_layer(self, layer: str, values: Mapping[str, Any]) -> Effective:
        """These values on top (an operator's layer: a bad value raises ConfigError)."""
        flat, origins = dict(self.values), dict(self.origins)
        for name, value in flatten(values).items():
            _set(flat, name, value)
            origins = {k: v for k, v in origins.items() if k in flat}
            origins[name] = layer
        settings = _validate(flat, origins)
        return Effective(settings, origins, self.notes, flat)

    def with_notes(self, notes: Iterable[str]) -> Effective:
        return Effective(self.settings, self.origins, (*self.notes, *notes), self.values)

    def as_dict(self) -> dict[str, Any]:
        return {
            "settings": {k: {"value": v, "from": self.origins[k]} for k, v in self.values.items()},
            "notes": list(self.notes),
        }

    def render(self) -> str:
        """`key = value   # layer`, one line per key, then the notes."""
        rows = [(f"{k} = {json.dumps(v)}", self.origins[k]) for k, v in sorted(self.values.items())]
        width = min(60, max(len(text) for text, _ in rows))
        lines = [f"{text:<{width}}  # {origin}" for text, origin in rows]
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


def settled(settings: Settings, layer: str) -> Effective:
    """Settings resolved elsewhere (another process), every key credited to `layer`."""
    flat = flatten(settings.model_dump(mode="json"))
    return Effective(settings, dict.fromkeys(flat, layer), (), flat)


def defaults() -> Effective:
    flat = _defaults()
    return Effective(Settings(), dict.fromkeys(flat, DEFAULT_LAYER), (), flat)


class SettingsError(ConfigError):
    """Settings that do not validate; `problems` holds (key, layer, message) per error."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        text = "; ".join(f"{name} (from {origin}): {message}" for name, origin, message in problems)
        super().__init__(f"invalid settings: {text}")


def _validate(flat: Mapping[str, Any], origins: Mapping[str, str]) -> Settings:
    try:
        return Settings.model_validate(unflatten(flat))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"] if not isinstance(p, int))
            message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(
                (name, _origin_of(name, origins), message.removeprefix("Value error, "))
            )
        raise SettingsError(problems) from None


def _origin_of(name: str, origins: Mapping[str, str]) -> str:
    while name:
        if name in origins:
            return origins[name]
        found = [v for k, v in origins.items() if k.startswith(f"{name}.")]
        if found:
            return found[-1]
        name = name.rpartition(".")[0]
    return DEFAULT_LAYER


# -- the operator's layers -------------------------------------------------------------------


@dataclass(frozen=True)
class OrgConfig:
    """An organisation config file: settings, plus tables for one installation or group."""

    path: str
    values: Mapping[str, Any]
    installations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    groups: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def read_org_config(path: str | Path) -> OrgConfig:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"the config file {path} is not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"the config file {path} is not valid TOML: nested too deeply") from None
    scoped = {}
    for table in SCOPED_TABLES:
        value = data.pop(table, {})
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise ConfigError(f"{path}: [{table}] must hold one table per name")
        scoped[table] = {str(k): v for k, v in value.items()}
    return OrgConfig(str(path), data, scoped["installations"], scoped["groups"])


def environment_values(environ: Mapping[str, str]) -> dict[str, tuple[str, Any]]:
    """Dotted key -> (variable, value) for every `CODEPRISM_<KEY>` that names a setting.

    Lists are comma-separated (`CODEPRISM_ANALYZERS=ruff,secrets`); the severity table is
    `RULE=LEVEL` pairs (`CODEPRISM_RULES__SEVERITY=B311=low,B608=high`).
    """
    found: dict[str, tuple[str, Any]] = {}
    for name, default in _defaults().items():
        variable = ENV_PREFIX + name.upper().replace(".", "__")
        raw = environ.get(variable)
        if raw is None or raw == "":
            continue
        value: Any = raw
        if isinstance(default, list):
            value = [item.strip() for item in raw.split(",") if item.strip()]
        elif isinstance(default, dict):
            pairs = [item.partition("=") for item in raw.split(",") if item.strip()]
            value = {k.strip(): v.strip() for k, _, v in pairs}
        found[name] = (variable, value)
    return found


def resolve(
    *,
    environ: Mapping[str, str],
    config_file: str | Path | None = None,
    command_line: Mapping[str, Any] | None = None,
) -> tuple[Effective, OrgConfig | None]:
    """The operator's layers: defaults, the org file, the environment, the command line.

    `command_line`: dotted key -> flag value; None stands for a flag not given. Returns the settings
    and the org file (its installation and group tables are for the online reviews).
    """
    effective = defaults()
    org = None
    path = config_file or environ.get(CONFIG_VARIABLE)
    if path:
        org = read_org_config(path)
        effective = effective.with_layer(f"config {org.path}", org.values)
    for name, (variable, value) in environment_values(environ).items():
        effective = effective.with_layer(f"environment {variable}", {name: value})
    given = {name: value for name, value in (command_line or {}).items() if value is not None}
    if given:
        effective = effective.with_layer("command line", given)
    return effective, org
