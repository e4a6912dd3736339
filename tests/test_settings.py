"""Settings: path globs, the operator's layers, a repository's own file, what settings do."""

from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from codeprism.errors import ConfigError
from codeprism.file_roles import FileRole
from codeprism.findings import Finding, Severity, Source
from codeprism.settings import repo_file
from codeprism.settings.apply import (
    apply_rule_settings,
    is_excluded,
    role_of,
    secrets_only,
)
from codeprism.settings.globs import check_glob, matches, matches_any
from codeprism.settings.layers import (
    Effective,
    OrgConfig,
    SettingsError,
    defaults,
    flatten,
    read_org_config,
    resolve,
    settled,
)
from codeprism.settings.model import DEFAULT_ANALYZERS, DEFAULT_EXCLUDE, Settings
from codeprism.settings.repo_file import (
    MAX_REPO_CONFIG_BYTES,
    REPO_FILE,
    SECRETS_PATHS_LAYER,
    RepoConfig,
    apply_repo_config,
    parse_repo_config,
    read_repo_config,
    read_repo_config_from,
)

KEEP = "; not read, the operator's settings apply"

# -- globs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        # a directory pattern matches everything under the directory, at any depth
        ("generated/a.py", "generated/", True),
        ("src/generated/deep/a.py", "generated/", True),
        ("generated.py", "generated/", False),
        ("generatedx/a.py", "generated/", False),
        ("qa/check.py", "qa", True),
        ("src/qa/check.py", "qa", True),
        ("qax/check.py", "qa", False),
        # `*` stays within one segment, but the directory it names matches whole
        ("a.min.js", "*.min.js", True),
        ("lib/vendor/a.min.js", "*.min.js", True),
        ("a.min.js.txt", "*.min.js", False),
        ("src/a.py", "src/*.py", True),
        ("src/sub/a.py", "src/*.py", False),
        ("lib/a.py", "src/*.py", False),
        ("ab", "a?", True),
        ("abc", "a?", False),
        # `**` spans any number of segments, none included
        ("docs/a.md", "docs/**/*.md", True),
        ("docs/x/y/a.md", "docs/**/*.md", True),
        ("docs/x/a.txt", "docs/**/*.md", False),
        ("a/b/c.py", "**/c.py", True),
        ("c.py", "**/c.py", True),
        ("src/x/y_test.go", "src/**", True),
        ("src", "src/**", False),
        # a pattern with a `/` is anchored at the top
        ("src/gen/x.py", "src/gen", True),
        ("lib/src/gen/x.py", "src/gen", False),
        ("setup.py", "./setup.py", True),
        ("pkg/setup.py", "./setup.py", False),
        ("build/x.o", "./build/", True),
        ("src/build/x.o", "./build/", False),
        # regular-expression characters are literal
        ("a+b.py", "a+b.py", True),
        ("aab.py", "a+b.py", False),
        ("x.py", "[x].py", False),
    ],
)
def test_glob_matching(path: str, pattern: str, expected: bool) -> None:
    assert check_glob(pattern) == pattern
    assert matches(path, pattern) is expected


def test_matches_any() -> None:
    assert matches_any("a/node_modules/x.js", DEFAULT_EXCLUDE)
    assert matches_any("api/service_pb2.py", DEFAULT_EXCLUDE)
    assert not matches_any("api/service.py", DEFAULT_EXCLUDE)
    assert not matches_any("api/service.py", [])


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("../outside", "path glob '../outside' leaves the repository ('..')"),
        ("src/../../etc", "path glob 'src/../../etc' leaves the repository ('..')"),
        ("..", "path glob '..' leaves the repository ('..')"),
        (
            "/etc/passwd",
            "path glob '/etc/passwd' is absolute; globs are relative to the repository",
        ),
        ("C:/Windows", "path glob 'C:/Windows' is absolute; globs are relative to the repository"),
        ("src\\x.py", "path glob 'src\\\\x.py' holds a NUL or a backslash"),
        ("a\x00b", "path glob 'a\\x00b' holds a NUL or a backslash"),
        ("", "a path glob must have 1 to 256 characters"),
        ("x" * 257, "a path glob must have 1 to 256 characters"),
    ],
)
def test_glob_refused(pattern: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_glob(pattern)
    assert str(caught.value) == message


def test_glob_limits_and_dots_that_stay_inside() -> None:
    assert check_glob("x" * 256) == "x" * 256
    assert check_glob("..hidden/a") == "..hidden/a"  # a name that starts with dots
    assert check_glob("a/b..c") == "a/b..c"


def test_model_refuses_bad_globs_and_unknown_keys() -> None:
    with pytest.raises(ValidationError, match="leaves the repository"):
        Settings.model_validate({"paths": {"tests": ["../x"]}})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Settings.model_validate({"paths": {"excludes": ["x"]}})


# -- the operator's layers --------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_come_from_the_model() -> None:
    effective = defaults()
    assert effective.settings == Settings()
    assert set(effective.origins.values()) == {"default"}
    assert effective.values["analyzers"] == list(DEFAULT_ANALYZERS)
    assert effective.values["review.max_findings"] == 20
    assert effective.values["rules.severity"] == {}
    assert effective.notes == ()


def test_precedence_org_file_environment_command_line(tmp_path: Path) -> None:
    org = write(
        tmp_path / "org.toml",
        """
analyzers = ["ruff", "bandit", "secrets"]
fail_on = "high"
[review]
max_findings = 10
instructions = "mind the SQL"
[paths]
extend_exclude = ["legacy/"]
""",
    )
    environ = {"CODEPRISM_REVIEW__MAX_FINDINGS": "12", "CODEPRISM_FAIL_ON": "medium"}
    effective, config = resolve(
        environ=environ, config_file=org, command_line={"review.max_findings": 15}
    )
    settings = effective.settings
    assert settings.review.max_findings == 15
    assert settings.fail_on is Severity.MEDIUM
    assert settings.analyzers == ("ruff", "bandit", "secrets")
    assert settings.review.instructions == "mind the SQL"
    assert settings.paths.extend_exclude == ("legacy/",)
    assert settings.paths.exclude == DEFAULT_EXCLUDE  # a key of a table, not the table
    origins = effective.origins
    assert origins["review.max_findings"] == "command line"
    assert origins["fail_on"] == "environment CODEPRISM_FAIL_ON"
    assert origins["analyzers"] == f"config {org}"
    assert origins["review.instructions"] == f"config {org}"
    assert origins["paths.extend_exclude"] == f"config {org}"
    assert origins["paths.exclude"] == "default"
    assert origins["review.agents"] == "default"
    assert config == OrgConfig(
        str(org),
        {
            "analyzers": ["ruff", "bandit", "secrets"],
            "fail_on": "high",
            "review": {"max_findings": 10, "instructions": "mind the SQL"},
            "paths": {"extend_exclude": ["legacy/"]},
        },
    )


def test_environment_beats_the_org_file(tmp_path: Path) -> None:
    org = write(tmp_path / "org.toml", "[review]\nmax_findings = 10\n")
    effective, _ = resolve(
        environ={"CODEPRISM_REVIEW__MAX_FINDINGS": "12"}, config_file=org, command_line={}
    )
    assert effective.settings.review.max_findings == 12
    assert effective.origins["review.max_findings"] == "environment CODEPRISM_REVIEW__MAX_FINDINGS"


def test_config_variable_and_flag(tmp_path: Path) -> None:
    by_variable = write(tmp_path / "a.toml", "all_roles = true\n")
    by_flag = write(tmp_path / "b.toml", "fail_on = 'low'\n")
    effective, config = resolve(environ={"CODEPRISM_CONFIG": str(by_variable)})
    assert effective.settings.all_roles is True
    assert effective.origins["all_roles"] == f"config {by_variable}"
    assert config is not None and config.path == str(by_variable)
    # the flag wins over the variable: only one org file is read
    effective, config = resolve(environ={"CODEPRISM_CONFIG": str(by_variable)}, config_file=by_flag)
    assert effective.settings.all_roles is False
    assert effective.settings.fail_on is Severity.LOW
    assert config is not None and config.path == str(by_flag)
    effective, config = resolve(environ={})
    assert config is None
    assert effective == defaults()


def test_environment_lists_and_tables() -> None:
    effective, _ = resolve(
        environ={
            "CODEPRISM_ANALYZERS": "ruff, secrets,",
            "CODEPRISM_RULES__SEVERITY": "B311=low, B608 = high",
            "CODEPRISM_PATHS__TESTS": "qa/,*_spec.py",
            "CODEPRISM_ALL_ROLES": "true",
            "CODEPRISM_REVIEW__INSTRUCTIONS": "",  # empty: not set
            "CODEPRISM_UNKNOWN": "x",  # names no setting: not read
        }
    )
    settings = effective.settings
    assert settings.analyzers == ("ruff", "secrets")
    assert settings.rules.severity == {"B311": Severity.LOW, "B608": Severity.HIGH}
    assert settings.paths.tests == ("qa/", "*_spec.py")
    assert settings.all_roles is True
    assert settings.review.instructions == ""
    assert effective.origins["analyzers"] == "environment CODEPRISM_ANALYZERS"
    assert effective.origins["rules.severity.B311"] == "environment CODEPRISM_RULES__SEVERITY"
    assert effective.origins["rules.severity.B608"] == "environment CODEPRISM_RULES__SEVERITY"
    assert "rules.severity" not in effective.origins  # the empty default table is replaced
    assert effective.origins["review.instructions"] == "default"


def test_layers_merge_table_keys(tmp_path: Path) -> None:
    org = write(tmp_path / "org.toml", '[rules.severity]\nB311 = "low"\n')
    effective, _ = resolve(
        environ={"CODEPRISM_RULES__SEVERITY": "B608=high"}, config_file=org, command_line={}
    )
    assert effective.settings.rules.severity == {"B311": Severity.LOW, "B608": Severity.HIGH}
    assert effective.origins["rules.severity.B311"] == f"config {org}"
    assert effective.origins["rules.severity.B608"] == "environment CODEPRISM_RULES__SEVERITY"
    # a table set whole replaces the keys under it
    effective, _ = resolve(environ={}, config_file=org, command_line={"rules.severity": {}})
    assert effective.settings.rules.severity == {}
    assert effective.origins["rules.severity"] == "command line"
    assert "rules.severity.B311" not in effective.origins


@pytest.mark.parametrize(
    ("environ", "command_line", "problem"),
    [
        (
            {"CODEPRISM_REVIEW__MAX_FINDINGS": "0"},
            None,
            (
                "review.max_findings",
                "environment CODEPRISM_REVIEW__MAX_FINDINGS",
                "Input should be greater than or equal to 1",
            ),
        ),
        (
            {"CODEPRISM_ANALYZERS": "ruff,pylint"},
            None,
            (
                "analyzers",
                "environment CODEPRISM_ANALYZERS",
                "unknown analyzer 'pylint'; known: bandit, complexity, ruff, secrets, semgrep",
            ),
        ),
        (
            {"CODEPRISM_RULES__SEVERITY": "B311=urgent"},
            None,
            (
                "rules.severity.B311",
                "environment CODEPRISM_RULES__SEVERITY",
                "Input should be 'critical', 'high', 'medium', 'low' or 'info'",
            ),
        ),
        (
            {},
            {"paths.exclude": ["/abs"]},
            (
                "paths.exclude",
                "command line",
                "path glob '/abs' is absolute; globs are relative to the repository",
            ),
        ),
        (
            {},
            {"review.agents": ["security", "poetry"]},
            (
                "review.agents",
                "command line",
                "unknown agent 'poetry'; known: security, logic, performance, style, architecture",
            ),
        ),
    ],
)
def test_bad_operator_values_name_their_layer(
    environ: dict[str, str],
    command_line: dict[str, Any] | None,
    problem: tuple[str, str, str],
) -> None:
    with pytest.raises(SettingsError) as caught:
        resolve(environ=environ, command_line=command_line)
    assert isinstance(caught.value, ConfigError)
    assert caught.value.problems == [problem]
    name, layer, message = problem
    assert str(caught.value) == f"invalid settings: {name} (from {layer}): {message}"


def test_bad_org_file_values_name_the_file(tmp_path: Path) -> None:
    org = write(tmp_path / "org.toml", 'colour = "red"\n[review]\nmax_findings = 501\n')
    with pytest.raises(SettingsError) as caught:
        resolve(environ={}, config_file=org)
    assert caught.value.problems == [
        ("review.max_findings", f"config {org}", "Input should be less than or equal to 500"),
        ("colour", f"config {org}", "unknown key"),
    ]


def test_org_file_unreadable_or_not_toml(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(ConfigError) as caught:
        read_org_config(missing)
    assert str(caught.value) == f"cannot read the config file {missing}: No such file or directory"
    broken = write(tmp_path / "broken.toml", "analyzers = [ruff\n")
    with pytest.raises(ConfigError) as caught:
        resolve(environ={"CODEPRISM_CONFIG": str(broken)})
    assert str(caught.value).startswith(f"the config file {broken} is not valid TOML: ")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"a = '\xff'\n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        read_org_config(binary)
    deep = write(tmp_path / "deep.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError) as caught:
        read_org_config(deep)
    assert str(caught.value) == f"the config file {deep} is not valid TOML: nested too deeply"


def test_org_file_deeply_dotted_key_is_one_unknown_key(tmp_path: Path) -> None:
    org = write(tmp_path / "org.toml", "a." * 5000 + "a = 1\n")
    with pytest.raises(SettingsError) as caught:
        resolve(environ={}, config_file=org)
    assert caught.value.problems == [("a", f"config {org}", "unknown key")]


def test_org_file_scoped_tables(tmp_path: Path) -> None:
    org = write(
        tmp_path / "org.toml",
        """
analyzers = ["ruff", "secrets"]
[installations."123"]
review.max_findings = 5
[installations."456".rules]
disabled = ["B101"]
[groups."a/b"]
all_roles = true
""",
    )
    config = read_org_config(org)
    assert config.path == str(org)
    assert config.values == {"analyzers": ["ruff", "secrets"]}
    assert config.installations == {
        "123": {"review": {"max_findings": 5}},
        "456": {"rules": {"disabled": ["B101"]}},
    }
    assert config.groups == {"a/b": {"all_roles": True}}
    # the scoped tables are not settings of every review
    effective, _ = resolve(environ={}, config_file=org)
    assert effective.settings.review.max_findings == 20
    assert effective.settings.all_roles is False


@pytest.mark.parametrize("text", ["installations = 3\n", '[installations]\nx = "y"\n'])
def test_org_file_scoped_tables_must_be_tables(tmp_path: Path, text: str) -> None:
    org = write(tmp_path / "org.toml", text)
    with pytest.raises(ConfigError) as caught:
        read_org_config(org)
    assert str(caught.value) == f"{org}: [installations] must hold one table per name"


def test_flatten() -> None:
    assert flatten({"paths": {"exclude": ["a"]}, "rules": {"severity": {}}, "x": 1}) == {
        "paths.exclude": ["a"],
        "rules.severity": {},
        "x": 1,
    }
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(5000):
        deep = {"a": deep}
    flat = flatten(deep)
    assert list(flat) == ["a.a.a.a.a.a.a.a"]  # eight levels, the rest stays one value


def test_render_and_as_dict() -> None:
    effective = defaults().with_layer("command line", {"review.max_findings": 7})
    effective = effective.with_notes(["one note"])
    lines = effective.render().splitlines()
    assert lines[-1] == "note: one note"
    line = next(x for x in lines if x.startswith("review.max_findings"))
    assert re.fullmatch(r"review\.max_findings = 7 +# command line", line)
    assert re.fullmatch(r"fail_on = null +# default", next(x for x in lines if "fail_on" in x))
    data = effective.as_dict()
    assert data["settings"]["review.max_findings"] == {"value": 7, "from": "command line"}
    assert data["settings"]["analyzers"] == {"value": list(DEFAULT_ANALYZERS), "from": "default"}
    assert data["notes"] == ["one note"]


# -- a repository's file ----------------------------------------------------------------------


@pytest.fixture
def operator(tmp_path: Path) -> Effective:
    """An operator who set a few things in the org file."""
    org = write(
        tmp_path / "org.toml",
        """
[review]
max_findings = 30
[rules.severity]
secret-keyword = "critical"
""",
    )
    effective, _ = resolve(environ={}, config_file=org)
    return effective


def from_file(base: Effective, text: str, name: str = REPO_FILE) -> Effective:
    return apply_repo_config(base, parse_repo_config({name: text.encode()}))


def test_good_repository_keys_apply_with_provenance(operator: Effective) -> None:
    effective = from_file(
        operator,
        """
analyzers = ["ruff", "bandit", "secrets"]
all_roles = true
[paths]
extend_exclude = ["legacy/"]
tests = ["qa/"]
[rules]
disabled = ["B101"]
severity = { B311 = "low" }
[review]
max_findings = 10
instructions = "We use an ORM; raw SQL is a finding."
""",
    )
    settings = effective.settings
    assert effective.notes == ()
    assert settings.analyzers == ("ruff", "bandit", "secrets")
    assert settings.all_roles is True
    assert settings.paths.extend_exclude == ("legacy/",)
    assert settings.paths.tests == ("qa/",)
    assert settings.rules.disabled == ("B101",)
    assert settings.rules.severity == {"secret-keyword": Severity.CRITICAL, "B311": Severity.LOW}
    assert settings.review.max_findings == 10
    assert settings.review.instructions == "We use an ORM; raw SQL is a finding."
    label = "repository .codeprism.toml"
    assert effective.origins["rules.severity.B311"] == label
    assert effective.origins["review.max_findings"] == label
    assert effective.origins["rules.severity.secret-keyword"].startswith("config ")
    assert effective.origins["review.agents"] == "default"


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ('analyzers = ["ruff"]', "analyzers: a repository cannot turn off the secrets analyzer"),
        ("analyzers = []", "analyzers: a repository cannot turn off the secrets analyzer"),
        (
            '[rules]\ndisabled = ["B101", "B105"]',
            "rules.disabled: a repository cannot mute secret detection (B105)",
        ),
        (
            '[rules]\ndisabled = ["secret-keyword"]',
            "rules.disabled: a repository cannot mute secret detection (secret-keyword)",
        ),
        (
            '[rules]\ndisabled = ["S106", "aws-access-key"]',
            "rules.disabled: a repository cannot mute secret detection (S106, aws-access-key)",
        ),
        (
            '[rules.severity]\nB105 = "info"',
            "rules.severity.B105: a repository cannot change the severity of secret detection",
        ),
        (
            '[rules.severity]\nsecret-keyword = "low"',
            "rules.severity.secret-keyword: a repository cannot change the severity of "
            "secret detection",
        ),
        (
            "[rules]\nseverity = {}",
            "rules.severity: a repository cannot change the severity of secret detection",
        ),
        ("rules = {}", "rules: a repository cannot change the severity of secret detection"),
        (
            '[paths]\nexclude = ["../elsewhere"]',
            "paths.exclude: path glob '../elsewhere' leaves the repository ('..')",
        ),
        (
            '[paths]\ntests = ["/abs/tests"]',
            "paths.tests: path glob '/abs/tests' is absolute; globs are relative to the repository",
        ),
        ('colour = "red"', "colour: unknown key"),
        ("[paths]\nignore = ['x']", "paths.ignore: unknown key"),
        (
            "[limits]\nmax_file_bytes = 1",
            "limits.max_file_bytes: only the operator's configuration may set this",
        ),
        (
            "[limits]\nfile_timeout_s = 9999.0",
            "limits.file_timeout_s: only the operator's configuration may set this",
        ),
        ("limits = {}", "limits: only the operator's configuration may set this"),
        ('baseline = "accepted.json"', "baseline: only the operator's configuration may set this"),
        (
            "[review]\nmax_findings = 31",
            "review.max_findings: a repository cannot raise the review cap above 30",
        ),
        (
            '[review]\nmax_findings = "500"',
            "review.max_findings: a repository cannot raise the review cap above 30",
        ),
        (
            "[review]\nmax_findings = 500.0",
            "review.max_findings: a repository cannot raise the review cap above 30",
        ),
        (
            "[review]\nmax_findings = 0",
            "review.max_findings: Input should be greater than or equal to 1",
        ),
        (
            '[review]\nagents = ["poetry"]',
            "review.agents: unknown agent 'poetry'; known: "
            "security, logic, performance, style, architecture",
        ),
        (
            'fail_on = "urgent"',
            "fail_on: Input should be 'critical', 'high', 'medium', 'low' or 'info'",
        ),
        ("review = 3", "review: Input should be a valid dictionary or instance of ReviewSettings"),
    ],
)
def test_refused_repository_keys(operator: Effective, text: str, note: str) -> None:
    effective = from_file(operator, text)
    assert effective.notes == (f".codeprism.toml: {note}; ignored",)
    assert effective.settings == operator.settings
    assert effective.origins == operator.origins


def test_review_table_emptied_cannot_raise_a_lower_cap(tmp_path: Path) -> None:
    base = defaults().with_layer("command line", {"review.max_findings": 5})
    effective = from_file(base, "review = {}")
    assert effective.notes == (
        ".codeprism.toml: review: a repository cannot raise the review cap above 5; ignored",
    )
    assert effective.settings.review.max_findings == 5
    assert from_file(base, "[review]\nmax_findings = 5").notes == ()


def test_a_repository_narrows_but_does_not_widen_analyzers() -> None:
    base = defaults().with_layer("command line", {"analyzers": ["ruff", "secrets"]})
    effective = from_file(base, 'analyzers = ["ruff", "secrets", "bandit", "semgrep"]')
    assert effective.notes == (
        ".codeprism.toml: analyzers: a repository cannot turn on analyzers the operator left off "
        "(bandit, semgrep); ignored",
    )
    assert effective.settings.analyzers == ("ruff", "secrets")
    assert from_file(base, 'analyzers = ["secrets"]').settings.analyzers == ("secrets",)
    # an operator who turned secrets off: the repository need not name it
    no_secrets = defaults().with_layer("command line", {"analyzers": ["ruff", "bandit"]})
    assert from_file(no_secrets, 'analyzers = ["ruff"]').settings.analyzers == ("ruff",)


def test_a_repository_may_keep_the_operators_secret_mutes() -> None:
    base = defaults().with_layer("config org.toml", {"rules.disabled": ["secret-keyword"]})
    effective = from_file(base, '[rules]\ndisabled = ["B101", "secret-keyword"]')
    assert effective.notes == ()
    assert effective.settings.rules.disabled == ("B101", "secret-keyword")
    # and may un-mute: that reports more, not less
    assert from_file(base, "[rules]\ndisabled = []").settings.rules.disabled == ()


def test_a_hostile_file_keeps_its_good_keys(operator: Effective) -> None:
    effective = from_file(
        operator,
        """
analyzers = ["ruff"]
baseline = "/etc/passwd"
all_roles = true
[limits]
max_file_bytes = 999999999999
[paths]
exclude = ["../x", "dist/"]
extend_exclude = ["build/"]
[rules]
disabled = ["secret-keyword"]
[rules.severity]
B105 = "info"
B311 = "low"
[review]
max_findings = 400
agents = ["security"]
[unknown]
x = 1
""",
    )
    assert effective.notes == (
        ".codeprism.toml: analyzers: a repository cannot turn off the secrets analyzer; ignored",
        ".codeprism.toml: baseline: only the operator's configuration may set this; ignored",
        ".codeprism.toml: limits.max_file_bytes: only the operator's configuration may set this;"
        " ignored",
        ".codeprism.toml: paths.exclude: path glob '../x' leaves the repository ('..'); ignored",
        ".codeprism.toml: rules.disabled: a repository cannot mute secret detection "
        "(secret-keyword); ignored",
        ".codeprism.toml: rules.severity.B105: a repository cannot change the severity of secret "
        "detection; ignored",
        ".codeprism.toml: review.max_findings: a repository cannot raise the review cap above 30;"
        " ignored",
        ".codeprism.toml: unknown.x: unknown key; ignored",
    )
    settings = effective.settings
    assert settings.all_roles is True
    assert settings.paths.extend_exclude == ("build/",)
    assert settings.rules.severity == {"secret-keyword": Severity.CRITICAL, "B311": Severity.LOW}
    assert settings.review.agents == ("security",)
    # the refused keys keep the operator's values
    assert settings.analyzers == DEFAULT_ANALYZERS
    assert settings.baseline is None
    assert settings.limits == operator.settings.limits
    assert settings.paths.exclude == DEFAULT_EXCLUDE
    assert settings.rules.disabled == ()
    assert settings.review.max_findings == 30
    assert effective.origins["review.max_findings"] == operator.origins["review.max_findings"]
    assert effective.origins["paths.exclude"] == "default"


def test_notes_are_bounded() -> None:
    text = "".join(f"unknown{i} = 1\n" for i in range(30))
    effective = from_file(defaults(), text)
    assert len(effective.notes) == 21
    assert effective.notes[0] == ".codeprism.toml: unknown0: unknown key; ignored"
    assert effective.notes[19] == ".codeprism.toml: unknown19: unknown key; ignored"
    assert effective.notes[20] == ".codeprism.toml: 10 more keys ignored"
    long_key = from_file(defaults(), f"{'k' * 5000} = 1\n").notes
    assert long_key == (f".codeprism.toml: {'k' * 79}…: unknown key; ignored",)
    long_value = from_file(defaults(), f'analyzers = ["{"z" * 5000}", "secrets"]\n').notes
    assert len(long_value) == 1
    assert len(long_value[0]) == 300
    assert long_value[0].startswith(".codeprism.toml: analyzers: unknown analyzer 'zzz")
    assert long_value[0].endswith("…")


def test_too_big_and_broken_files() -> None:
    big = parse_repo_config({REPO_FILE: b"x" * (MAX_REPO_CONFIG_BYTES + 1)})
    assert big == RepoConfig(
        REPO_FILE, {}, (f".codeprism.toml is over the 65536-byte limit{KEEP}",)
    )
    exactly = parse_repo_config({REPO_FILE: b"#" * MAX_REPO_CONFIG_BYTES})
    assert exactly == RepoConfig(REPO_FILE, {}, ())
    broken = parse_repo_config({REPO_FILE: b'analyzers = ["ruff"\n'})
    assert broken is not None and broken.values == {}
    (note,) = broken.notes
    assert note.startswith(".codeprism.toml is not valid TOML (")
    assert note.endswith(f"){KEEP}")
    binary = parse_repo_config({REPO_FILE: b"\xff\xfe"})
    assert binary is not None and binary.notes[0].startswith(".codeprism.toml is not valid TOML (")
    deep = parse_repo_config({REPO_FILE: b"x = " + b"[" * 5000 + b"]" * 5000})
    assert deep == RepoConfig(
        REPO_FILE, {}, (f".codeprism.toml is not valid TOML (nested too deeply){KEEP}",)
    )
    dotted = from_file(defaults(), "a." * 20000 + "a = 1\n")
    assert dotted.notes == (".codeprism.toml: a.a.a.a.a.a.a.a: unknown key; ignored",)
    assert dotted.settings == Settings()


def test_broken_repository_file_leaves_the_operators_settings(operator: Effective) -> None:
    effective = apply_repo_config(operator, parse_repo_config({REPO_FILE: b"[[["}))
    assert effective.settings == operator.settings
    assert effective.origins == operator.origins
    assert len(effective.notes) == 1


def test_no_file_no_change(operator: Effective) -> None:
    assert parse_repo_config({REPO_FILE: None, "pyproject.toml": None}) is None
    assert parse_repo_config({}) is None
    assert apply_repo_config(operator, None) is operator
    empty = parse_repo_config({REPO_FILE: b""})
    assert empty == RepoConfig(REPO_FILE, {}, ())
    assert apply_repo_config(operator, empty) == operator


def test_huge_file_on_disk_is_read_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, operator: Effective
) -> None:
    (tmp_path / REPO_FILE).write_bytes(b"# " + b"x" * (10 * 1024 * 1024))
    seen: list[Mapping[str, bytes | None]] = []
    real = repo_file.parse_repo_config

    def spy(files: Mapping[str, bytes | None]) -> RepoConfig | None:
        seen.append(files)
        return real(files)

    monkeypatch.setattr(repo_file, "parse_repo_config", spy)
    config = read_repo_config(tmp_path)
    (files,) = seen
    data = files[REPO_FILE]
    assert data is not None and len(data) == MAX_REPO_CONFIG_BYTES + 1
    assert files["pyproject.toml"] is None
    assert config == RepoConfig(
        REPO_FILE, {}, (f".codeprism.toml is over the 65536-byte limit{KEEP}",)
    )
    effective = apply_repo_config(operator, config)
    assert effective.notes == config.notes
    assert effective.settings.review.max_findings == 30


def test_symlinked_config_is_not_read(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / REPO_FILE).symlink_to("/etc/passwd")
    assert read_repo_config(repo) is None
    # a link to a well-formed file is not read either, nor followed for pyproject.toml
    outside = write(tmp_path / "outside.toml", "all_roles = true\n")
    (repo / REPO_FILE).unlink()
    (repo / REPO_FILE).symlink_to(outside)
    (repo / "pyproject.toml").symlink_to(outside)
    assert read_repo_config(repo) is None
    # the link counts as absent: a real pyproject.toml is read
    (repo / "pyproject.toml").unlink()
    write(repo / "pyproject.toml", "[tool.codeprism]\nfail_on = 'high'\n")
    config = read_repo_config(repo)
    assert config == RepoConfig("pyproject.toml [tool.codeprism]", {"fail_on": "high"}, ())


def test_directory_or_fifo_named_like_the_config_is_not_read(tmp_path: Path) -> None:
    (tmp_path / REPO_FILE).mkdir()
    os.mkfifo(tmp_path / "pyproject.toml")
    assert read_repo_config(tmp_path) is None


def test_pyproject_table(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n[tool.ruff]\nline-length = 90\n'
        '[tool.codeprism]\nall_roles = true\n[tool.codeprism.paths]\ntests = ["qa/"]\n',
    )
    config = read_repo_config(tmp_path)
    assert config == RepoConfig(
        "pyproject.toml [tool.codeprism]", {"all_roles": True, "paths": {"tests": ["qa/"]}}, ()
    )
    effective = apply_repo_config(defaults(), config)
    assert effective.settings.all_roles is True
    assert effective.settings.paths.tests == ("qa/",)
    assert effective.origins["all_roles"] == "repository pyproject.toml [tool.codeprism]"
    refused = apply_repo_config(
        defaults(), parse_repo_config({"pyproject.toml": b"[tool.codeprism]\nbaseline = 'b'\n"})
    )
    assert refused.notes == (
        "pyproject.toml [tool.codeprism]: baseline: only the operator's configuration may set "
        "this; ignored",
    )


def test_codeprism_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.codeprism]\nall_roles = true\n")
    write(tmp_path / REPO_FILE, "fail_on = 'low'\n")
    config = read_repo_config(tmp_path)
    assert config == RepoConfig(REPO_FILE, {"fail_on": "low"}, ())
    effective = apply_repo_config(defaults(), config)
    assert effective.settings.fail_on is Severity.LOW
    assert effective.settings.all_roles is False
    # even when .codeprism.toml is broken, pyproject.toml is not read in its place
    write(tmp_path / REPO_FILE, "fail_on = \n")
    broken = read_repo_config(tmp_path)
    assert broken is not None and broken.source == REPO_FILE and broken.values == {}


def test_pyproject_without_or_with_a_bad_table() -> None:
    assert parse_repo_config({"pyproject.toml": b"[tool.black]\nx = 1\n"}) is None
    assert parse_repo_config({"pyproject.toml": b"[project]\nname = 'x'\n"}) is None
    assert parse_repo_config({"pyproject.toml": b"[tool.codeprism]\n"}) == RepoConfig(
        "pyproject.toml [tool.codeprism]", {}, ()
    )
    not_table = parse_repo_config({"pyproject.toml": b"tool = {codeprism = 3}\n"})
    assert not_table == RepoConfig(
        "pyproject.toml", {}, ("pyproject.toml: [tool.codeprism] is not a table; not read",)
    )
    big = parse_repo_config({"pyproject.toml": b" " * (MAX_REPO_CONFIG_BYTES + 1)})
    assert big == RepoConfig(
        "pyproject.toml", {}, (f"pyproject.toml is over the 65536-byte limit{KEEP}",)
    )
    broken = parse_repo_config({"pyproject.toml": b"[tool.codeprism\n"})
    assert broken is not None and broken.source == "pyproject.toml"
    assert broken.notes[0].startswith("pyproject.toml is not valid TOML (")


def test_read_repo_config_from_a_reader() -> None:
    asked: list[str] = []

    def read(name: str) -> bytes | None:
        asked.append(name)
        return b"all_roles = true\n" if name == REPO_FILE else None

    assert read_repo_config_from(read) == RepoConfig(REPO_FILE, {"all_roles": True}, ())
    assert asked == [REPO_FILE, "pyproject.toml"]


# -- what settings do -------------------------------------------------------------------------


def finding(
    rule: str = "B602",
    analyzer: str = "bandit",
    reported_by: tuple[str, ...] = (),
    severity: Severity = Severity.HIGH,
    source: Source = Source.STATIC,
) -> Finding:
    return Finding(
        rule_id=rule,
        analyzer=analyzer,
        file_path="app.py",
        start_line=3,
        end_line=3,
        severity=severity,
        title="t",
        reported_by=reported_by,
        source=source,
    )


def settings_of(**values: Any) -> Settings:
    return defaults().with_layer("command line", values).settings


def test_exclusion_default_include_exclude_extend() -> None:
    default = Settings()
    assert is_excluded("web/node_modules/left-pad/index.js", default)
    assert is_excluded("static/app.min.js", default)
    assert is_excluded("codeprism-baseline.json", default)
    assert not is_excluded("static/app.js", default)
    include = settings_of(**{"paths.include": ["src/", "*.go"]})
    assert not is_excluded("src/app.py", include)
    assert not is_excluded("cmd/main.go", include)
    assert is_excluded("docs/conf.py", include)
    assert is_excluded("src/node_modules/x.js", include)  # include does not undo exclude
    replaced = settings_of(**{"paths.exclude": ["build/"]})
    assert is_excluded("build/gen.py", replaced)
    assert not is_excluded("node_modules/x.js", replaced)  # the default list is replaced
    extended = settings_of(**{"paths.extend_exclude": ["build/"]})
    assert is_excluded("build/gen.py", extended)
    assert is_excluded("node_modules/x.js", extended)  # the default list stays
    assert extended.paths.exclude == DEFAULT_EXCLUDE


def test_a_repository_that_narrows_paths_cannot_hide_a_secret() -> None:
    operator = settings_of(**{"paths.extend_exclude": ["build/"]})
    config = parse_repo_config({".codeprism.toml": b'[paths]\nexclude = ["**"]\n'})
    effective = apply_repo_config(settled(operator, "operator"), config)
    settings = effective.settings
    assert effective.notes == ()
    assert settings.secrets_paths == operator.paths
    assert effective.origins["secrets_paths.extend_exclude"] == SECRETS_PATHS_LAYER
    # excluded for every analyzer; the secrets analyzer still reads what the operator allows
    assert is_excluded("src/app.py", settings) and secrets_only("src/app.py", settings)
    assert is_excluded("build/out.py", settings) and not secrets_only("build/out.py", settings)
    assert not secrets_only("node_modules/x.js", settings)
    # settings no repository narrowed: no second scope
    assert apply_repo_config(settled(operator, "operator"), None).settings.secrets_paths is None
    # a repository cannot set the scope itself
    own = parse_repo_config({".codeprism.toml": b'[secrets_paths]\nexclude = ["**"]\n'})
    refused = apply_repo_config(settled(operator, "operator"), own)
    assert refused.settings.secrets_paths is None
    assert refused.notes == (
        ".codeprism.toml: secrets_paths.exclude: only the operator's configuration may set "
        "this; ignored",
    )


def test_tests_role() -> None:
    settings = settings_of(**{"paths.tests": ["qa/", "*_check.py"]})
    assert role_of("src/qa/check.py", None, settings) is FileRole.TEST
    assert role_of("src/db_check.py", None, settings) is FileRole.TEST
    assert role_of("src/app.py", None, settings) is FileRole.SOURCE
    assert role_of("examples/qa/demo.py", None, settings) is FileRole.TEST
    assert role_of("vendor/lib/qa/a.py", None, settings) is FileRole.VENDORED
    assert role_of("api/x_pb2.py", None, settings) is FileRole.GENERATED
    assert role_of("src/qa/check.py", None, Settings()) is FileRole.SOURCE
    assert role_of("tests/test_app.py", None, Settings()) is FileRole.TEST


def test_a_finding_is_named_by_any_tools_id() -> None:
    bandit = finding("B602", "bandit")
    assert bandit.named_by("B602")
    assert bandit.named_by("S602")  # ruff's id of the same check
    assert bandit.named_by("py-subprocess-shell-true-nonconstant")  # the semgrep rule
    assert not bandit.named_by("B603")
    secret = finding("secret-keyword", "secrets")
    assert secret.named_by("B105")
    assert secret.named_by("secret-keyword")
    assert not secret.named_by("aws-access-key")
    # eval and exec share a group for merging (a semgrep rule covers both), but naming one
    # does not name the other: muting B307 leaves exec reported
    exec_ = finding("B102", "bandit")
    assert exec_.problem == finding("B307", "bandit").problem
    assert not exec_.named_by("B307") and not exec_.named_by("S307")
    assert exec_.named_by("S102")
    shell = finding("B605", "bandit")
    assert not shell.named_by("B602")


def test_rule_disabled_by_another_tools_id() -> None:
    settings = settings_of(**{"rules.disabled": ["S602"]})
    bandit_only = finding("B602", "bandit")
    merged = finding("B602", "bandit", reported_by=("bandit:B602", "ruff:S602"))
    other = finding("B101", "bandit")
    kept, dropped = apply_rule_settings([bandit_only, merged, other], settings)
    assert kept == [other]
    assert dropped == Counter({"rule disabled by configuration: S602": 2})


def test_severity_override() -> None:
    settings = settings_of(**{"rules.severity": {"S602": "low", "B101": "critical"}})
    merged = finding("B602", "bandit", reported_by=("bandit:B602", "ruff:S602"))
    other = finding("B303", "bandit", severity=Severity.MEDIUM)
    kept, dropped = apply_rule_settings(
        [merged, finding("B101", "bandit", severity=Severity.LOW), other], settings
    )
    assert [(f.rule_id, f.severity) for f in kept] == [
        ("B602", Severity.LOW),
        ("B101", Severity.CRITICAL),
        ("B303", Severity.MEDIUM),
    ]
    assert kept[2] is other
    assert dropped == Counter()


def test_analyzer_off() -> None:
    settings = settings_of(analyzers=["ruff", "secrets"])
    bandit_only = finding("B602", "bandit")
    semgrep_bandit = finding(
        "py-x", "semgrep", reported_by=("semgrep:py-x", "bandit:B602"), severity=Severity.LOW
    )
    merged = finding("B602", "bandit", reported_by=("bandit:B602", "ruff:S602"))
    llm = finding("sql-injection", "security", source=Source.LLM)
    kept, dropped = apply_rule_settings([bandit_only, semgrep_bandit, merged, llm], settings)
    assert kept == [merged, llm]  # one reporter that is on is enough; LLM findings stay
    assert dropped == Counter(
        {
            "analyzer off by configuration: bandit": 1,
            "analyzer off by configuration: bandit/semgrep": 1,
        }
    )


def test_repository_muting_reaches_findings() -> None:
    """End to end: a repository mutes B311 by ruff's id; its B105 mute is refused."""
    effective = from_file(defaults(), '[rules]\ndisabled = ["S311"]\n')
    assert effective.notes == ()
    kept, dropped = apply_rule_settings(
        [finding("B311", "bandit"), finding("secret-keyword", "secrets")], effective.settings
    )
    assert [f.rule_id for f in kept] == ["secret-keyword"]
    assert dropped == Counter({"rule disabled by configuration: S311": 1})


def test_read_repo_config_at_a_commit(tmp_path: Path) -> None:
    """Read from git objects, not the working tree: a symlink is absent, a big blob is a note."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    git("init", "-q")
    write(tmp_path / "pyproject.toml", "[tool.codeprism]\nall_roles = true\n")
    (tmp_path / REPO_FILE).symlink_to("/etc/passwd")
    git("add", "-A")
    git("commit", "-q", "-m", "link")
    linked = git("rev-parse", "HEAD")
    (tmp_path / REPO_FILE).unlink()
    (tmp_path / REPO_FILE).write_bytes(b"#" * (10 * 1024 * 1024))
    git("add", "-A")
    git("commit", "-q", "-m", "big")
    big = git("rev-parse", "HEAD")
    write(tmp_path / REPO_FILE, "fail_on = 'high'\n")
    git("commit", "-q", "-am", "good")
    good = git("rev-parse", "HEAD")
    write(tmp_path / REPO_FILE, "fail_on = 'low'\n")  # not committed: not read

    at = repo_file.read_repo_config_at
    assert at(tmp_path, linked) == RepoConfig(
        "pyproject.toml [tool.codeprism]", {"all_roles": True}, ()
    )
    assert at(tmp_path, big) == RepoConfig(
        REPO_FILE, {}, (f".codeprism.toml is over the 65536-byte limit{KEEP}",)
    )
    assert at(tmp_path, good) == RepoConfig(REPO_FILE, {"fail_on": "high"}, ())


def test_a_repositorys_pull_request_filters_add_to_the_operators() -> None:
    operator = settings_of(**{"pull_requests.ignore_authors": ["dependabot[bot]"]})
    config = parse_repo_config(
        {
            ".codeprism.toml": b'[pull_requests]\nignore_authors = ["renovate[bot]"]\n'
            b'ignore_title = ["^WIP"]\n'
        }
    )
    effective = apply_repo_config(settled(operator, "operator"), config)
    filters = effective.settings.pull_requests
    # the operator's dependabot stays ignored: a repository cannot ask for more reviews
    assert filters.ignore_authors == ("dependabot[bot]", "renovate[bot]")
    assert filters.ignore_title == ("^WIP",)
    assert effective.notes == ()
