"""The Grafana dashboard and the Prometheus config in cluster/.

Every metric a dashboard query names must be a sample name that codeprism's `/metrics` really
exports, or one of the few Ray Serve metrics listed in RAY_METRICS. The exported names are not
written down here: an inbox is filled through the code paths the Serve app runs (accept,
claim, `finish_review`, the orchestrator's host-call hooks against the fake GitHub and GitLab),
its exposition is produced by `_metrics.metrics_text`, the function behind `GET /metrics`, and
read back with prometheus_client's own parser. No Ray is started.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import ray
import yaml
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from ray._private.ray_constants import PROMETHEUS_SERVICE_DISCOVERY_FILE

from codeprism.online.pipeline import ReviewOutcome
from codeprism.online.records import finish_review
from codeprism.online.settings import Secrets
from codeprism.review.output import DropReason
from codeprism.review.runner import ReviewResult
from codeprism.warehouse import Warehouse
from codeprism.webhooks._metrics import PREFIX
from codeprism.webhooks.events import Decision, ReviewTarget
from codeprism.webhooks.inbox import Inbox
from serve_apps.review import ReviewAppArgs, ReviewOrchestrator
from tests.fakes.github_server import FakeGitHub, Reply
from tests.fakes.gitlab_server import FakeGitLab

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "cluster" / "grafana" / "codeprism.json"
PROMETHEUS = ROOT / "cluster" / "prometheus.yml"
SERVE_CONFIG = ROOT / "serve_apps" / "config.yaml"
DATASOURCE = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}

# Ray Serve's own metrics the dashboard queries, as Prometheus stores them: Ray adds the `ray_`
# prefix, and exports a counter with `_total` (Ray >= 2.10) and a histogram as `_bucket`.
# Sources: docs.ray.io/en/latest/serve/monitoring.html ("Built-in Ray Serve metrics"); in the
# installed Ray, ray/serve/_private/replica.py (serve_deployment_request_counter,
# serve_deployment_error_counter, serve_deployment_processing_latency_ms),
# deployment_state.py (serve_deployment_replica_healthy) and router.py
# (serve_deployment_queued_queries); and Ray's own Serve dashboard, whose queries use these
# exact names (checked below against the installed copy).
RAY_METRICS = frozenset(
    {
        "ray_serve_deployment_replica_healthy",
        "ray_serve_deployment_request_counter_total",
        "ray_serve_deployment_error_counter_total",
        "ray_serve_deployment_processing_latency_ms_bucket",
        "ray_serve_deployment_queued_queries",
    }
)
RAY_SERVE_PANELS = (
    Path(ray.__file__).parent / "dashboard/modules/metrics/dashboards/serve_dashboard_panels.py"
)

HEAD, BASE = "a" * 40, "b" * 40
GITHUB_TOKEN = "ghp_dashboardTestToken0123456789"
GITLAB_TOKEN = "glpat-dashboardTestToken01"
DIFF = b"""diff --git a/app.py b/app.py
--- a/app.py
+++ b/app.py
@@ -1 +1,2 @@
 import os
+print(os.sep)
"""


# -- what /metrics exports ----------------------------------------------------------------------


class _FullWarehouse(Warehouse):
    """A warehouse whose disk is full: `finish_review` counts the failed write."""

    def write_review(self, review_id: str, reviews: Any, findings: Any) -> None:
        raise OSError(28, "No space left on device")


def _review(pr: int) -> Decision:
    target = ReviewTarget(
        provider="github", repo="acme/api", pr_number=pr, head_sha=HEAD, base_sha=BASE
    )
    return Decision("review", "pull_request opened", target)


def _count_host_calls(inbox: Inbox, state_dir: Path) -> None:
    """One rate-limited request to each fake host, through the clients the orchestrator builds
    with its own counting hooks (`ReviewOrchestrator._pipeline`; its only use of the replica is
    `self.inbox`, so a stand-in carries the inbox)."""
    orchestrator = cast(Any, ReviewOrchestrator).func_or_class
    with FakeGitHub(token=GITHUB_TOKEN) as github, FakeGitLab(token=GITLAB_TOKEN) as gitlab:
        github.add_pull("acme", "api", 7, HEAD, BASE, DIFF)
        gitlab.add_merge_request(1, 2, head_sha=HEAD, base_sha=BASE, start_sha=BASE, diffs=[])
        secrets = Secrets(
            github_token=SecretStr(GITHUB_TOKEN),
            github_api_url=github.api_url,
            gitlab_token=SecretStr(GITLAB_TOKEN),
            gitlab_api_url=gitlab.api_url,
        )
        args = ReviewAppArgs(state_dir=str(state_dir))
        pipeline = orchestrator._pipeline(SimpleNamespace(inbox=inbox), args, secrets, None)
        hosts = pipeline.hosts
        try:
            limited = Reply.secondary_rate_limit(retry_after=0, status=429)
            github.push_reply("GET", "/repos/acme/api/pulls/7", limited)
            assert hosts.github.pull_diff("acme/api", 7, None) == DIFF
            gitlab.push_reply(
                "GET",
                "/projects/1/merge_requests/2",
                Reply(429, {"message": "429 Too Many Requests"}, {"Retry-After": "0"}),
            )
            assert hosts.gitlab.merge_request(1, 2).head_sha == HEAD
        finally:
            hosts.github.close()
            hosts.gitlab.close()
    assert (hosts.github.calls, hosts.github.backoffs) == (2, 1)
    assert (hosts.gitlab.calls, hosts.gitlab.backoffs) == (2, 1)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Family name -> its sample names, from an inbox in which every family has samples."""
    state = tmp_path_factory.mktemp("state")
    inbox = Inbox(state / "inbox.sqlite3")
    long_ago = datetime.now(UTC) - timedelta(seconds=100)
    inbox.accept("github", "d-1", "pull_request", _review(1), received_at=long_ago)
    inbox.accept("github", "d-2", "pull_request", _review(2))
    inbox.accept("github", "d-3", "pull_request", _review(3))
    inbox.reject("github", "pull_request", "unauthorized")
    job = inbox.claim("orchestrator")
    assert job is not None
    result = ReviewResult(findings=[], dropped=Counter({DropReason.OFF_DIFF: 2}), output_tokens=321)
    outcome = ReviewOutcome(status="done", result=result, head_sha=HEAD, posted=1)
    finish_review(inbox, _FullWarehouse(state / "warehouse"), job, "orchestrator", outcome, "")
    assert inbox.claim("orchestrator") is not None  # pr 2 in flight, pr 3 stays queued
    _count_host_calls(inbox, state)

    families: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(inbox.metrics_text()):
        families[family.name] = {sample.name for sample in family.samples}
    assert all(families.values()), families
    return families


def test_the_exposition_has_every_family(exported: dict[str, set[str]]) -> None:
    counters = {
        "findings_posted",
        "findings_dropped",
        "llm_output_tokens",
        "warehouse_write_errors",
        "github_api_calls",
        "github_api_backoffs",
        "gitlab_api_calls",
        "gitlab_api_backoffs",
    }
    assert set(exported) == {
        PREFIX + name
        for name in (
            {"webhooks", "reviews", "reviews_queued", "reviews_in_flight"}
            | {"review_latency_seconds"}
            | counters
        )
    }
    assert exported[PREFIX + "review_latency_seconds"] == {
        PREFIX + "review_latency_seconds" + suffix for suffix in ("_bucket", "_count", "_sum")
    }


# -- the metric names in PromQL -----------------------------------------------------------------

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"' r"|'(?:[^'\\]|\\.)*'" r"|`[^`]*`")
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_IDENTIFIER = re.compile(r"(?<![\w:$.])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?")
_KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "offset", "inf", "nan"}
    | {"by", "without", "on", "ignoring", "group_left", "group_right"}  # without a label list
)


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects: identifiers left once strings, label
    matchers, ranges and grouping clauses are removed, except calls and keywords."""
    rest = _STRING.sub('""', expr)
    rest = _MATCHERS.sub(" ", rest)
    rest = _RANGE.sub(" ", rest)
    rest = _GROUPING.sub(" ", rest)
    return {
        match.group(1)
        for match in _IDENTIFIER.finditer(rest)
        if match.group(2) is None and match.group(1).lower() not in _KEYWORDS
    }


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        (
            'histogram_quantile(0.9, sum by (le) (rate(a_bucket{s!="x",le=~"1|2"}[5m])))',
            {"a_bucket"},
        ),
        (
            "60 * sum by (status) (rate(b_total[$__rate_interval])) / on(job) group_left c",
            {"b_total", "c"},
        ),
        ('sum(rate(x_total{q="sum(y) by (z)"}[1m] offset 5m)) and bool w', {"x_total", "w"}),
        ("sum(rate(p[5m])) without (instance) > 1e3", {"p"}),
    ],
)
def test_metric_names_of_promql(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


# -- the dashboard -----------------------------------------------------------------------------


def _dashboard() -> dict[str, Any]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return dashboard


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside rows included."""
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def _queries(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for panel in _panels(dashboard["panels"]):
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


def test_every_query_uses_a_metric_that_is_exported(exported: dict[str, set[str]]) -> None:
    samples = set().union(*exported.values())
    used: set[str] = set()
    for title, expr in _queries(_dashboard()):
        assert "__name__" not in expr, f"{title}: name the metric, do not match it"
        names = metric_names(expr)
        assert names, f"{title}: no metric in {expr!r}"
        unknown = {n for n in names if n not in samples and n not in RAY_METRICS}
        assert not unknown, f"{title}: {sorted(unknown)} not exported by /metrics: {expr!r}"
        used |= names
    print(f"\n{len(used)} metric names in the dashboard's queries, all exported:")
    for name in sorted(used):
        print(f"  {name}{'  (Ray Serve)' if name in RAY_METRICS else ''}")
    assert used & RAY_METRICS == RAY_METRICS, "RAY_METRICS lists names no panel uses"
    # the other way round: everything /metrics exports has a panel
    shown = {family for family, names in exported.items() if names & used}
    assert shown == set(exported), f"not on the dashboard: {sorted(set(exported) - shown)}"


def test_ray_metrics_are_the_ones_ray_serve_exports() -> None:
    ray_panels = RAY_SERVE_PANELS.read_text(encoding="utf-8")
    for name in RAY_METRICS:
        assert re.search(rf"\b{name}\b", ray_panels), f"{name} is not in Ray's Serve dashboard"


def test_dashboard_imports_with_a_prometheus_data_source() -> None:
    dashboard = _dashboard()
    text = DASHBOARD.read_text(encoding="utf-8")
    inputs = {i["name"]: i for i in dashboard["__inputs"]}
    assert inputs["DS_PROMETHEUS"]["type"] == "datasource"
    assert inputs["DS_PROMETHEUS"]["pluginId"] == "prometheus"
    assert set(re.findall(r"\$\{(\w+)\}", text)) == set(inputs)  # every placeholder is an input
    assert dashboard["id"] is None and dashboard["uid"] and dashboard["title"]
    assert 36 <= dashboard["schemaVersion"] <= 41
    variables = {v["name"] for v in dashboard["templating"]["list"]}

    panels = list(_panels(dashboard["panels"]))
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    cells: set[tuple[int, int]] = set()
    graphs = 0
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        area = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not area & cells, f"{panel['title']} overlaps another panel"
        cells |= area
        if panel["type"] == "row":
            continue
        graphs += 1
        assert panel["datasource"] == DATASOURCE, panel["title"]
        targets = panel["targets"]
        assert targets, f"{panel['title']} has no query"
        assert len({t["refId"] for t in targets}) == len(targets), panel["title"]
        for target in targets:
            assert target["datasource"] == DATASOURCE, panel["title"]
            used = set(re.findall(r"\$(?!__)(\w+)", target["expr"]))
            assert used <= variables, f"{panel['title']}: undefined {used - variables}"
    assert graphs >= 10


def test_prometheus_scrapes_the_serve_app_and_ray() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"codeprism", "ray"}

    serve_port = yaml.safe_load(SERVE_CONFIG.read_text(encoding="utf-8"))["http_options"]["port"]
    codeprism = jobs["codeprism"]
    assert codeprism.get("metrics_path", "/metrics") == "/metrics"
    targets = [t for static in codeprism["static_configs"] for t in static["targets"]]
    assert targets == [f"127.0.0.1:{serve_port}"]  # one address: every replica reports all

    files = [f for sd in jobs["ray"]["file_sd_configs"] for f in sd["files"]]
    assert files == [f"/tmp/ray/{PROMETHEUS_SERVICE_DISCOVERY_FILE}"]
