"""The KPI report and notebook over a warehouse made by two real audits (local Ray, real code).

The HTML report is opened in a real headless Chromium (Debian's, driven by Playwright); the
notebook runs in a real Jupyter kernel of this venv (nbclient).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import polars as pl
import pyarrow as pa
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from playwright.sync_api import Browser, sync_playwright

from analytics import charts
from analytics.kpis import (
    KpiSource,
    diff_runs,
    diff_summary,
    findings_per_kloc,
    headline,
    noisiest_analyzers,
    review_latency,
    run_trend,
    severity_mix,
    top_rules,
)
from codeprism.cli import main as cli_main
from codeprism.schema import REVIEWS, RUNS
from codeprism.warehouse import Warehouse
from jobs.audit import main as audit_main
from tests.test_kpis import build_suppressed_warehouse

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "kpi.ipynb"
CHROMIUM = os.environ.get("CODEPRISM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# One chart each: trend, severity mix, density by repo, changes, top rules, noisiest
# analyzers, review latency (the warehouse below has reviews).
CHARTS = 7

APP_V1 = """import subprocess


def run(cmd):
    return subprocess.call(cmd, shell=True)


def load(text):
    return eval(text)
"""
# The eval is fixed; a pickle load is new; the shell call persists.
APP_V2 = """import pickle
import subprocess


def run(cmd):
    return subprocess.call(cmd, shell=True)


def restore(blob):
    return pickle.loads(blob)
"""
# An accepted finding in both runs: bandit's B324 (ruff's S324 too), kept with its marker.
TOOLS = """import hashlib


def cache_key(data):
    return hashlib.md5(data).hexdigest()  # nosec B324 -- a cache key, not a password hash
"""
LATENCIES = (1.0, 2.0, 3.0, 10.0)  # p50 2.5 s


@pytest.fixture(scope="module")
def warehouse(
    tmp_path_factory: pytest.TempPathFactory, ray_local: None, corpus: list[Path]
) -> Path:
    """Run 1 audits a real project and a small app; the app changes; run 2 audits again
    (the unchanged project is skipped, as incremental audits do). Plus four online reviews."""
    root = tmp_path_factory.mktemp("kpi")
    app = root / "app"
    app.mkdir()
    (app / "app.py").write_text(APP_V1)
    (app / "tools.py").write_text(TOOLS)
    wh = root / "warehouse"
    common = [str(corpus[0]), str(app), "--warehouse", str(wh), "--workers", "2", "--no-progress"]
    assert audit_main([*common, "--run-id", "run-1"]) == 0
    (app / "app.py").write_text(APP_V2)
    assert audit_main([*common, "--run-id", "run-2"]) == 0
    now = datetime.now(UTC)
    reviews = [
        {
            "review_id": f"rev-{i}",
            "provider": "github",
            "repo": "acme/app",
            "pr_number": i,
            "status": "posted",
            "received_at": now - timedelta(seconds=latency),
            "finished_at": now,
            "latency_s": latency,
            "findings": i,
            "posted": i,
        }
        for i, latency in enumerate(LATENCIES)
    ]
    Warehouse(wh).append("reviews", pa.Table.from_pylist(reviews, schema=REVIEWS))
    return wh


# -- terminal -----------------------------------------------------------------------------------


def headline_cells(text: str) -> dict[str, str]:
    """label -> value of `codeprism kpi`'s headline lines ("  label   value")."""
    cells = {}
    for line in text.splitlines()[1:]:
        label, _, value = line.strip().partition("  ")
        cells[label] = value.strip()
    return cells


def test_kpi_prints_the_headline(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["kpi", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        f"KPI headline of {warehouse} (newest visible run; findings in source files)"
    )
    cells = headline_cells(out)

    source = KpiSource(str(warehouse))
    diff = diff_runs(source, "run-1", "run-2")
    counts = diff.group_by("status").len().to_dict(as_series=False)
    by_status = dict(zip(counts["status"], counts["len"], strict=True))
    head = headline(source).row(0, named=True)
    assert cells["run"] == "run-2" and cells["previous run"] == "run-1"
    assert cells["repositories"] == "2"
    assert cells["lines"] == f"{head['lines']:,}"
    assert cells["findings"] == f"{head['findings']:,}"
    assert cells["per 1,000 lines"] == f"{head['findings'] * 1000 / head['lines']:,.2f}"
    # the eval findings were fixed, the pickle ones are new, exactly as the diff counts them
    assert by_status["new"] >= 1 and by_status["fixed"] >= 1 and by_status["persisting"] >= 1
    assert cells["new since previous"] == str(by_status["new"])
    assert cells["fixed since previous"] == str(by_status["fixed"])
    fixed_rules = set(diff.filter(pl.col("status") == "fixed")["rule_id"])
    new_rules = set(diff.filter(pl.col("status") == "new")["rule_id"])
    assert "B307" in fixed_rules  # bandit: eval
    assert "B301" in new_rules  # bandit: pickle.loads
    # the md5 under `# nosec` is kept, not reported: counted here, in no other KPI
    assert cells["suppressed"] == "1 finding (nosec 1)"
    assert "B324" not in set(diff["rule_id"]) and "B324" not in set(top_rules(source)["rule_id"])


def test_kpi_counts_the_suppressed_findings_by_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hand-made warehouse of test_kpis, its last run failed: r3 is the newest."""
    wh = build_suppressed_warehouse(tmp_path / "wh", last_status="failed")
    assert cli_main(["kpi", "--warehouse", str(wh)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("(newest visible run; findings in source files)")
    assert lines[1] == "  run                   r3"
    assert lines[-1] == "  suppressed            3 findings (noqa 1, baseline 2)"

    report = tmp_path / "report.html"
    assert cli_main(["kpi", "--warehouse", str(wh), "--html", str(report)]) == 0
    out = capsys.readouterr().out
    assert headline_cells(out)["suppressed"] == "3 findings (noqa 1, baseline 2)"
    document = report.read_text()
    section = document[document.index("<h2>Suppressed findings</h2>") :]
    section = section[: section.index("</section>")]
    num = '<td class="num">{}</td>'.format
    # per run date (Jan 6: r3, the newer of its two runs); source files only, as the headline
    assert (
        "<tr><td>2026-01-05</td><td>r1</td>" + "".join(num(n) for n in (2, 0, 1, 0, 1, 0))
    ) in section  # the codeprism ignores are in a test file
    assert (
        "<tr><td>2026-01-06</td><td>r3</td>" + "".join(num(n) for n in (3, 0, 0, 1, 2, 0))
    ) in section
    by_rule = section[section.index("<h3>By rule in the newest run</h3>") :]
    rows = re.findall(r"<tr><td>(\w+)</td><td>(\w+)</td>", by_rule)
    assert rows == [("noqa", "S602"), ("baseline", "S2"), ("baseline", "S3")]
    assert '<div class="card">suppressed<b>3</b></div>' in document

    assert cli_main(["kpi", "--warehouse", str(wh), "--all-roles"]) == 0
    everything = headline_cells(capsys.readouterr().out)
    assert everything["suppressed"] == "4 findings (codeprism 1, noqa 1, baseline 2)"


def test_kpi_without_visible_runs_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["kpi", "--warehouse", str(tmp_path / "none")]) == 2
    assert "no warehouse tables under" in capsys.readouterr().err

    wh = Warehouse(tmp_path / "wh")
    wh.ensure_tables()
    now = datetime.now(UTC)
    quarantined = {
        "run_id": "r",
        "run_date": now.date(),
        "started_at": now,
        "status": "quarantined",
    }
    wh.write_run(pa.Table.from_pylist([quarantined], schema=RUNS))
    for extra in ([], ["--html", str(tmp_path / "r.html")]):
        assert cli_main(["kpi", "--warehouse", wh.uri, *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith("codeprism kpi: error: no visible run in")
        assert "Traceback" not in err
    assert not (tmp_path / "r.html").exists()
    assert cli_main(["kpi", "--warehouse", wh.uri, "--as-of", "2026-01-01T00:00:00"]) == 2
    assert "give a timezone" in capsys.readouterr().err


def test_every_chart_draws_an_empty_frame(warehouse: Path) -> None:
    """A clean run (no findings, no reviews) still gets a report: each chart says so."""
    source = KpiSource(str(warehouse))
    empty = {
        charts.trend_chart: run_trend(source).clear(),
        charts.severity_mix_chart: severity_mix(source).clear(),
        charts.top_rules_chart: top_rules(source).clear(),
        charts.noisiest_analyzers_chart: noisiest_analyzers(source).clear(),
        charts.density_chart: findings_per_kloc(source).clear(),
        charts.changes_chart: diff_summary(diff_runs(source, "run-1", "run-2")).clear(),
        charts.latency_chart: review_latency(source).clear(),
    }
    for draw, frame in empty.items():
        figure = draw(frame)
        assert not figure.axes[0].axison, draw.__name__  # a message, not empty axes
        assert charts.to_svg(figure).startswith(b"<?xml"), draw.__name__


# -- the HTML report in Chromium ---------------------------------------------------------------


@dataclass(frozen=True)
class PageCheck:
    charts: list[dict[str, object]]  # alt, complete, natural width, rendered width/height
    console_errors: list[str]
    requests: list[str]  # every URL the page asked for, data: URIs left out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


def open_page(browser: Browser, html_file: Path, screenshot: Path) -> PageCheck:
    """Load the file in a fresh browser context; collect its charts, errors and requests."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: None if r.url.startswith("data:") else requests.append(r.url))
    page.goto(html_file.as_uri(), wait_until="load")
    charts = page.evaluate(
        """() => Array.from(document.querySelectorAll("img.chart, svg")).map(el => {
            const box = el.getBoundingClientRect();
            return {alt: el.getAttribute("alt"), complete: el.complete === true,
                    natural: el.naturalWidth || 0, width: box.width, height: box.height};
        })"""
    )
    page.screenshot(path=str(screenshot), full_page=True)
    context.close()
    return PageCheck(charts=charts, console_errors=errors, requests=requests)


def rendered(chart: dict[str, object]) -> bool:
    return bool(chart["complete"]) and all(
        float(chart[key]) > 0  # type: ignore[arg-type]
        for key in ("natural", "width", "height")
    )


def test_html_report_renders_every_chart_in_chromium(
    warehouse: Path, browser: Browser, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.html"
    assert cli_main(["kpi", "--warehouse", str(warehouse), "--html", str(report)]) == 0
    out = capsys.readouterr().out
    assert f"report written to {report}" in out
    document = report.read_text()
    # self-contained: no script, no link, nothing fetched from anywhere
    assert "<script" not in document and "<link" not in document
    assert not re.search(r"""(src|href)=["'](?!data:)""", document)
    assert "default-src 'none'" in document

    screenshot = tmp_path / "kpi-report.png"
    check = open_page(browser, report, screenshot)

    assert len(check.charts) == CHARTS, [c["alt"] for c in check.charts]
    assert all(rendered(c) for c in check.charts), check.charts
    assert check.console_errors == []
    assert check.requests == [report.as_uri()]
    assert screenshot.stat().st_size > 10_000
    artifacts = os.environ.get("CODEPRISM_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(artifacts) / "kpi-report.png")
        shutil.copy(report, Path(artifacts) / "kpi-report.html")

    # the tables say what the KPIs say
    assert "<td>run-2</td>" in document and "<td>run-1</td>" in document
    assert ">2.50</td>" in document  # review latency p50 of 1, 2, 3, 10 s
    assert "<h2>Suppressed findings</h2>" in document
    assert "<td>nosec</td><td>B324</td>" in document
    assert headline_cells(out)["suppressed"] == "1 finding (nosec 1)"
    alts = {str(c["alt"]) for c in check.charts}
    assert {"review latency percentiles", "new, fixed and persisting findings"} <= alts


def test_the_page_check_sees_a_broken_chart_and_a_blocked_fetch(
    warehouse: Path, browser: Browser, tmp_path: Path
) -> None:
    """The checks above can fail: a truncated chart and an outside image are both caught."""
    report = tmp_path / "report.html"
    assert cli_main(["kpi", "--warehouse", str(warehouse), "--html", str(report)]) == 0
    document = report.read_text()
    start = document.index("data:image/svg+xml;base64,") + len("data:image/svg+xml;base64,")
    broken = document[:start] + "PHN2Zz4=" + document[document.index('"', start) :]
    broken = broken.replace("</body>", '<img src="http://127.0.0.1:9/x.png"></body>')
    sabotaged = tmp_path / "broken.html"
    sabotaged.write_text(broken)

    check = open_page(browser, sabotaged, tmp_path / "broken.png")

    assert sum(not rendered(c) for c in check.charts) == 1
    assert any("Content Security Policy" in e for e in check.console_errors), check.console_errors


# -- the notebook ---------------------------------------------------------------------------


@pytest.fixture
def kernel_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec for this venv's python, found through JUPYTER_PATH (no global install)."""
    spec = tmp_path / "jupyter" / "kernels" / "codeprism-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "codeprism test", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "codeprism-test"


def execute_notebook(kernel: str, warehouse: Path, workdir: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    os.environ["CODEPRISM_WAREHOUSE"] = str(warehouse)
    try:
        client = NotebookClient(
            notebook,
            kernel_name=kernel,
            timeout=600,
            resources={"metadata": {"path": str(workdir)}},
        )
        client.execute()
    finally:
        del os.environ["CODEPRISM_WAREHOUSE"]
    return notebook


def test_notebook_has_a_parameters_cell() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'warehouse = os.environ.get("CODEPRISM_WAREHOUSE"' in tagged[0].source
    # stored clean: outputs are made by running it
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_notebook_runs_headless_and_draws_the_charts(
    warehouse: Path, kernel_name: str, tmp_path: Path
) -> None:
    notebook = execute_notebook(kernel_name, warehouse, tmp_path)

    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == CHARTS
    assert all(o["data"]["image/png"].startswith("iVBORw0KGgo") for o in images)  # PNG magic
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "run-2" in text and "run-1" in text
    nbformat.write(notebook, tmp_path / "kpi-executed.ipynb")
    artifacts = os.environ.get("CODEPRISM_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "kpi-executed.ipynb", Path(artifacts) / "kpi-executed.ipynb")


def test_notebook_on_an_empty_warehouse_says_why(kernel_name: str, tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    wh.ensure_tables()
    with pytest.raises(CellExecutionError, match="no visible \\(succeeded\\) run"):
        execute_notebook(kernel_name, tmp_path / "wh", tmp_path)
