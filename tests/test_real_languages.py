"""codeprism's semgrep rules on real public JavaScript, Go and Java code.

The code comes from the package registries as published (npm tarballs, Debian packages that
ship source), pinned, cached under the test cache like the PyPI corpus, and never run. The
expected findings were read one by one: each is a real use of a dangerous API (an eval of
serialized data, a shell command, TLS verification off in a MITM proxy, XML parsers with
external entities enabled by default), and the packages that have none must stay silent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeprism.analysis import AnalysisConfig, AnalyzerSuite, RepoAnalysis
from codeprism.corpus import (
    DEBIAN_GO_PACKAGES,
    DEBIAN_JAVA_PACKAGES,
    NPM_PACKAGES,
    prepare_debian,
    prepare_npm,
)
from codeprism.file_roles import FileRole

# Where each package keeps its source below the unpacked root.
GOPROXY = "usr/share/gocode/src/github.com/elazarl/goproxy"
XERCES_SAMPLES = "usr/share/doc/libxerces2-java/examples"


@pytest.fixture(scope="module")
def projects() -> dict[str, Path]:
    cache = Path(os.environ.get("CODEPRISM_CACHE", "~/.cache/codeprism")).expanduser() / "corpus"
    roots = prepare_npm(NPM_PACKAGES, cache) + prepare_debian(
        DEBIAN_GO_PACKAGES + DEBIAN_JAVA_PACKAGES, cache
    )
    return {root.name: root for root in roots}


@pytest.fixture(scope="module")
def suite() -> Iterator[AnalyzerSuite]:
    with AnalyzerSuite(AnalysisConfig()) as s:
        yield s


def security(analysis: RepoAnalysis) -> list[tuple[str, int, str, str]]:
    """(path, line, semgrep rule, role) of every finding codeprism's rules reported."""
    return sorted(
        (f.file_path, f.start_line, reporter.split(":", 1)[1], f.file_role.value)
        for f in analysis.findings
        for reporter in f.reporters
        if reporter.startswith("semgrep:")
    )


def test_javascript_from_npm(suite: AnalyzerSuite, projects: dict[str, Path]) -> None:
    serialize = suite.analyze(projects["node-serialize-0.0.4"], "node-serialize")
    assert security(serialize) == [
        ("lib/serialize.js", 75, "js-code-injection-dynamic-code-string", "source"),
    ]
    shelljs = suite.analyze(projects["shelljs-0.8.4"], "shelljs")
    assert security(shelljs) == [
        ("src/exec-child.js", 10, "js-path-traversal-fs", "source"),
        ("src/exec-child.js", 19, "js-command-injection-exec", "source"),
        ("src/exec-child.js", 29, "js-path-traversal-fs", "source"),
        ("src/exec-child.js", 30, "js-path-traversal-fs", "source"),
    ]
    assert security(suite.analyze(projects["ejs-2.5.7"], "ejs")) == []


def test_go_from_debian(suite: AnalyzerSuite, projects: dict[str, Path]) -> None:
    goproxy = projects["golang-github-elazarl-goproxy-dev-1.1-1"] / GOPROXY
    found = security(suite.analyze(goproxy, "goproxy"))
    assert found == [
        ("certs.go", 18, "go-tls-insecure-skip-verify", "source"),
        ("certs.go", 21, "go-tls-insecure-skip-verify", "source"),
        ("counterecryptor_test.go", 27, "go-rsa-key-too-small", "test"),
        ("counterecryptor_test.go", 42, "go-rsa-key-too-small", "test"),
        ("counterecryptor_test.go", 79, "go-rsa-key-too-small", "test"),
        ("proxy_test.go", 25, "go-tls-insecure-skip-verify", "test"),
        ("proxy_test.go", 39, "go-xss-response-writer", "test"),
        ("proxy_test.go", 398, "go-tls-insecure-skip-verify", "test"),
        ("proxy_test.go", 420, "go-tls-insecure-skip-verify", "test"),
        ("signer_test.go", 68, "go-command-injection-taint", "test"),
    ]
    mux = projects["golang-github-gorilla-mux-dev-1.8.0-1"]
    assert security(suite.analyze(mux, "mux")) == []


def test_java_from_debian(suite: AnalyzerSuite, projects: dict[str, Path]) -> None:
    samples = projects["libxerces2-java-doc-2.12.2-1"] / XERCES_SAMPLES
    analysis = suite.analyze(samples, "xerces-samples")
    assert security(analysis) == [
        ("jaxp/InlineSchemaValidator.java", 483, "java-xxe-documentbuilder", "source"),
        ("jaxp/InlineSchemaValidator.java", 555, "java-xxe-schemafactory", "source"),
        ("jaxp/InlineSchemaValidator.java", 566, "java-xxe-schemafactory", "source"),
        ("jaxp/ParserAPIUsage.java", 183, "java-xxe-schemafactory", "source"),
        ("jaxp/ParserAPIUsage.java", 199, "java-xxe-documentbuilder", "source"),
        ("jaxp/ParserAPIUsage.java", 202, "java-xxe-documentbuilder", "source"),
        ("jaxp/ParserAPIUsage.java", 217, "java-xxe-saxparser", "source"),
        ("jaxp/ParserAPIUsage.java", 219, "java-xxe-saxparser", "source"),
        ("jaxp/SourceValidator.java", 460, "java-xxe-schemafactory", "source"),
        ("jaxp/SourceValidator.java", 463, "java-xxe-schemafactory", "source"),
        ("jaxp/SourceValidator.java", 528, "java-xxe-documentbuilder", "source"),
        ("jaxp/TypeInfoWriter.java", 507, "java-xxe-schemafactory", "source"),
        ("jaxp/TypeInfoWriter.java", 510, "java-xxe-schemafactory", "source"),
        ("simpletype/DatatypeInterfaceUsage.java", 64, "java-path-traversal", "source"),
        ("simpletype/DatatypeInterfaceUsage.java", 68, "java-xxe-saxparser", "source"),
        ("socket/DelayedInput.java", 395, "java-path-traversal", "source"),
    ]
    assert FileRole.SOURCE in {f.file_role for f in analysis.findings}
