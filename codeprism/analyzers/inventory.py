"""inventory: what a repository is made of (languages, size, dependency manifests).

It always runs, from data the harness already has (each file's size and decoded text), so it
costs no extra read. Counting rules:

- `files` and `bytes`: every regular file walked, binary and oversized ones included.
- `lines`: lines of the files that decoded as text.
- `languages`: language -> lines, by file extension (or well-known file name).
- `manifests`: repository-relative paths of dependency manifests, sorted.
"""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass, field

from codeprism import __version__

NAME = "inventory"
MAPPING_VERSION = "1"


def version() -> str:
    return f"{__version__}+{MAPPING_VERSION}"


_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "Python": (".py", ".pyi", ".pyw"),
    "JavaScript": (".js", ".mjs", ".cjs", ".jsx"),
    "TypeScript": (".ts", ".tsx", ".mts", ".cts"),
    "Java": (".java",),
    "Kotlin": (".kt", ".kts"),
    "Scala": (".scala", ".sc"),
    "Groovy": (".groovy", ".gradle"),
    "Go": (".go",),
    "Rust": (".rs",),
    "C": (".c", ".h"),
    "C++": (".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx", ".ipp"),
    "C#": (".cs",),
    "Objective-C": (".m", ".mm"),
    "Swift": (".swift",),
    "Ruby": (".rb", ".rake", ".gemspec"),
    "PHP": (".php",),
    "Perl": (".pl", ".pm"),
    "Lua": (".lua",),
    "R": (".r", ".R"),
    "Dart": (".dart",),
    "Elixir": (".ex", ".exs"),
    "Erlang": (".erl", ".hrl"),
    "Haskell": (".hs",),
    "Clojure": (".clj", ".cljs", ".cljc", ".edn"),
    "Julia": (".jl",),
    "Zig": (".zig",),
    "Solidity": (".sol",),
    "Fortran": (".f", ".f90", ".f95", ".for"),
    "Vue": (".vue",),
    "Svelte": (".svelte",),
    "Shell": (".sh", ".bash", ".zsh", ".ksh"),
    "PowerShell": (".ps1", ".psm1"),
    "SQL": (".sql",),
    "HTML": (".html", ".htm"),
    "CSS": (".css", ".scss", ".sass", ".less"),
    "Markdown": (".md", ".markdown"),
    "reStructuredText": (".rst",),
    "YAML": (".yml", ".yaml"),
    "JSON": (".json",),
    "TOML": (".toml",),
    "XML": (".xml",),
    "HCL": (".tf", ".hcl"),
    "Protocol Buffers": (".proto",),
    "Jupyter Notebook": (".ipynb",),
}
EXTENSIONS = {ext: lang for lang, exts in _EXTENSIONS.items() for ext in exts}
FILE_NAMES = {
    "Dockerfile": "Dockerfile",
    "Containerfile": "Dockerfile",
    "Makefile": "Makefile",
    "GNUmakefile": "Makefile",
    "CMakeLists.txt": "CMake",
    "Rakefile": "Ruby",
    "Gemfile": "Ruby",
    "Jenkinsfile": "Groovy",
}

MANIFEST_NAMES = frozenset(
    {
        "pyproject.toml", "setup.py", "setup.cfg", "Pipfile", "environment.yml",
        "package.json", "go.mod", "pom.xml", "build.gradle", "build.gradle.kts",
        "settings.gradle", "settings.gradle.kts", "build.sbt", "Cargo.toml", "Gemfile",
        "composer.json", "Package.swift", "Podfile", "pubspec.yaml", "mix.exs",
        "rebar.config", "deps.edn", "project.clj", "packages.config", "Directory.Packages.props",
        "vcpkg.json", "conanfile.txt", "conanfile.py", "stack.yaml", "cabal.project",
        "DESCRIPTION", "renv.lock",
    }
)  # fmt: skip
MANIFEST_PATTERNS = ("requirements*.txt", "requirements*.in", "*.gemspec", "*.csproj", "*.fsproj")


def language_of(rel_path: str) -> str | None:
    name = posixpath.basename(rel_path)
    if name in FILE_NAMES:
        return FILE_NAMES[name]
    if name.startswith("Dockerfile."):
        return "Dockerfile"
    return EXTENSIONS.get(posixpath.splitext(name)[1])


def is_manifest(rel_path: str) -> bool:
    name = posixpath.basename(rel_path)
    if name in MANIFEST_NAMES:
        return True
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in MANIFEST_PATTERNS):
        return True
    # pip's convention of a requirements/ directory of .txt files (base.txt, dev.txt)
    parent = posixpath.basename(posixpath.dirname(rel_path))
    return parent == "requirements" and name.endswith((".txt", ".in"))


def count_lines(text: str) -> int:
    """Lines as an editor shows them: a last line without a newline still counts."""
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


@dataclass(frozen=True)
class Inventory:
    languages: dict[str, int]  # language name -> lines
    files: int
    lines: int
    bytes: int
    manifests: list[str]  # repository-relative paths of dependency manifests


@dataclass
class InventoryCounter:
    """Accumulates an Inventory while the harness walks a repository."""

    languages: dict[str, int] = field(default_factory=dict)
    files: int = 0
    lines: int = 0
    bytes: int = 0
    manifests: list[str] = field(default_factory=list)

    def add_file(self, rel_path: str, size: int) -> None:
        self.files += 1
        self.bytes += size
        if is_manifest(rel_path):
            self.manifests.append(rel_path)

    def add_text(self, rel_path: str, text: str) -> None:
        lines = count_lines(text)
        self.lines += lines
        language = language_of(rel_path)
        if language is not None:
            self.languages[language] = self.languages.get(language, 0) + lines

    def result(self) -> Inventory:
        return Inventory(
            languages=dict(sorted(self.languages.items())),
            files=self.files,
            lines=self.lines,
            bytes=self.bytes,
            manifests=sorted(self.manifests),
        )
