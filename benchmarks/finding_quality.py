"""Finding quality: recall and false-positive rate on a labelled corpus, codeprism beside
bandit and `ruff --select S`, scored per line.

    python benchmarks/finding_quality.py [--corpus DIR] [--by-category] [--misses] [--json]

The corpus (`benchmarks/quality_corpus/<language>/`) is application code in Python,
JavaScript, TypeScript, Go and Java whose labelled lines end in a comment:
`# VULN: <category>` marks a line where a real vulnerability happens (the sink), `# SAFE:
<category>` a look-alike that is safe. A tool detects a VULN line when it reports a security
finding starting on that line, and flags a SAFE line the same way; unlabelled lines are not
scored. recall = detected / VULN lines, false-positive rate = flagged / SAFE lines.

What counts as a security finding:
- codeprism: its report as a user gets it (the noise policy applied, reminders at `info` not
  counted), from bandit, ruff's S rules, semgrep with codeprism's rules and detect-secrets;
  complexity and ruff's lint rules are not security findings;
- bandit: `bandit -r` with its defaults (every severity and confidence);
- ruff: `ruff check --isolated --select S`.
bandit and ruff read Python only; their rows for the other languages show what a Python-only
setup misses.

It also checks that bandit's own `examples/` (from its sdist, Apache-2.0, downloaded into the
cache with `pip download --no-binary :all:`) still get, through codeprism, every test id
bandit reports for them: merging must never lose a detection.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from codeprism.analysis import AnalysisConfig, AnalyzerSuite
from codeprism.findings import Finding, Severity

CORPUS = Path(__file__).resolve().parent / "quality_corpus"
CACHE = Path("~/.cache/codeprism").expanduser()
LABEL = re.compile(r"(?:#|//)\s*(VULN|SAFE):\s*([a-z-]+)\s*$")
LANGUAGE_OF = {
    ".py": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".jsx": "javascript", ".ts": "typescript", ".tsx": "typescript", ".go": "go",
    ".java": "java",
}  # fmt: skip
NOT_SECURITY_ANALYZERS = frozenset({"complexity", "inventory"})
Line = tuple[str, int]  # (corpus-relative path, line number)


@dataclass(frozen=True)
class Label:
    kind: str  # VULN | SAFE
    category: str
    language: str


def read_labels(corpus: Path) -> dict[Line, Label]:
    labels: dict[Line, Label] = {}
    for path in sorted(corpus.rglob("*")):
        language = LANGUAGE_OF.get(path.suffix)
        if language is None or not path.is_file():
            continue
        rel = path.relative_to(corpus).as_posix()
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if match := LABEL.search(text):
                labels[(rel, number)] = Label(match[1], match[2], language)
    return labels


def is_security(finding: Finding) -> bool:
    if finding.analyzer in NOT_SECURITY_ANALYZERS or finding.severity is Severity.INFO:
        return False
    rules = [r.split(":", 1) for r in finding.reporters]
    return any(analyzer != "ruff" or rule.startswith("S") for analyzer, rule in rules)


def codeprism_lines(corpus: Path) -> set[Line]:
    with AnalyzerSuite(AnalysisConfig()) as suite:
        analysis = suite.analyze(corpus, "quality-corpus")
    if analysis.problems:
        for problem in analysis.problems:
            print(f"codeprism problem: {problem.path}: {problem.reason}", file=sys.stderr)
    return {(f.file_path, f.start_line) for f in analysis.findings if is_security(f)}


def bandit_lines(corpus: Path) -> set[Line]:
    done = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", ".", "-f", "json", "-q"],
        cwd=corpus, capture_output=True, text=True, check=False,
    )  # fmt: skip
    results = json.loads(done.stdout)["results"]
    return {(Path(r["filename"]).as_posix().removeprefix("./"), r["line_number"]) for r in results}


def ruff_lines(corpus: Path) -> set[Line]:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "S", "--no-cache",
         "--exit-zero", "--output-format", "json", "."],
        cwd=corpus, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return {
        (Path(item["filename"]).relative_to(corpus).as_posix(), item["location"]["row"])
        for item in json.loads(done.stdout)
    }


@dataclass
class Score:
    vuln: int = 0
    detected: int = 0
    safe: int = 0
    flagged: int = 0

    def add(self, label: Label, hit: bool) -> None:
        if label.kind == "VULN":
            self.vuln += 1
            self.detected += hit
        else:
            self.safe += 1
            self.flagged += hit

    @property
    def recall(self) -> float:
        return self.detected / self.vuln if self.vuln else 0.0

    @property
    def fpr(self) -> float:
        return self.flagged / self.safe if self.safe else 0.0


def score(labels: dict[Line, Label], hits: set[Line], group: str) -> dict[str, Score]:
    scores: dict[str, Score] = defaultdict(Score)
    for line, label in labels.items():
        key = {"language": label.language, "category": label.category}[group]
        scores[key].add(label, line in hits)
        scores["all"].add(label, line in hits)
    return scores


def bandit_examples_check() -> tuple[int, list[str]]:
    """(test ids bandit reports on its examples, the (file, id) pairs codeprism lost)."""
    version = metadata.version("bandit")
    sdist_dir = CACHE / "sdists"
    sdist = sdist_dir / f"bandit-{version}.tar.gz"
    if not sdist.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "-q", "-d", str(sdist_dir), f"bandit=={version}"],
            check=True,
        )  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        with tarfile.open(sdist) as archive:
            members = [m for m in archive.getmembers() if "/examples/" in m.name and m.isfile()]
            archive.extractall(scratch, members=members, filter="data")
        examples = next(Path(scratch).glob("bandit-*/examples"))
        done = subprocess.run(
            [sys.executable, "-m", "bandit", "-r", ".", "-f", "json", "-q"],
            cwd=examples, capture_output=True, text=True, check=False,
        )  # fmt: skip
        wanted = {
            (Path(r["filename"]).as_posix().removeprefix("./"), r["test_id"])
            for r in json.loads(done.stdout)["results"]
        }
        with AnalyzerSuite(AnalysisConfig()) as suite:
            analysis = suite.analyze(examples, "bandit-examples")
    got = {
        (f.file_path, reporter.split(":", 1)[1])
        for f in analysis.findings
        for reporter in f.reporters
        if reporter.startswith("bandit:")
    }
    dropped = analysis.not_reported
    lost = sorted(f"{path} {test}" for path, test in wanted - got)
    if dropped:
        print(f"bandit examples: not reported by the noise policy: {dropped}", file=sys.stderr)
    return len({t for _, t in wanted}), lost


def table(rows: list[tuple[str, str, Score]]) -> str:
    out = [
        f"{'tool':<10} {'group':<18} {'vuln':>5} {'found':>6} {'recall':>7} "
        f"{'safe':>5} {'flagged':>8} {'FP rate':>8}"
    ]
    for tool, group, s in rows:
        out.append(
            f"{tool:<10} {group:<18} {s.vuln:>5} {s.detected:>6} {s.recall:>7.2f} "
            f"{s.safe:>5} {s.flagged:>8} {s.fpr:>8.2f}"
        )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--by-category", action="store_true", help="rows per category too")
    parser.add_argument("--misses", action="store_true", help="list missed and flagged lines")
    parser.add_argument("--no-bandit-examples", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args()
    labels = read_labels(args.corpus)
    hits = {
        "codeprism": codeprism_lines(args.corpus),
        "bandit": bandit_lines(args.corpus),
        "ruff-S": ruff_lines(args.corpus),
    }
    rows: list[tuple[str, str, Score]] = []
    python_only = {k: v for k, v in labels.items() if v.language == "python"}
    for tool, found in hits.items():
        by_language = score(labels, found, "language")
        rows.append((tool, "all languages", by_language.pop("all")))
        rows.append((tool, "python", score(python_only, found, "language")["all"]))
        rows += [(tool, lang, s) for lang, s in sorted(by_language.items()) if lang != "python"]
    if args.by_category:
        for category, s in sorted(score(labels, hits["codeprism"], "category").items()):
            rows.append(("codeprism", category, s))
    if args.json:
        print(json.dumps([{"tool": t, "group": g, **vars(s)} for t, g, s in rows], indent=1))
    else:
        counts = Counter(label.kind for label in labels.values())
        print(f"corpus: {counts['VULN']} vulnerable and {counts['SAFE']} safe lines")
        print(table(rows))
    if args.misses:
        for line, label in sorted(labels.items()):
            hit = line in hits["codeprism"]
            if (label.kind == "VULN") != hit:
                what = "missed " if label.kind == "VULN" else "flagged"
                print(f"{what} {label.language:<10} {label.category:<18} {line[0]}:{line[1]}")
    if not args.no_bandit_examples:
        test_ids, lost = bandit_examples_check()
        print(f"bandit examples: bandit reports {test_ids} test ids; codeprism lost {len(lost)}")
        for item in lost:
            print(f"  lost: {item}")
        if lost:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
