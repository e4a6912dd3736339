"""The online review app: webhook ingress, orchestrator, static analysis replicas.

    serve run serve_apps/config.yaml          # this app next to the `llm` app
    codeprism serve --port 8000               # the same, on a local Ray

Thin: requests are parsed and checked here, everything else is `codeprism` core. The ingress
answers every webhook at once, after the event is committed to the inbox (SQLite under
`state_dir`); the orchestrator replicas claim reviews from the inbox, so a review accepted
while they were down, or running in a replica that died, is picked up again (lease expiry)
and nothing accepted is lost. All replicas of the app must see the same `state_dir` (one node,
or a shared volume).
"""

# No `from __future__ import annotations`: Serve validates a builder's `args` into the model
# its parameter is annotated with, and FastAPI reads the handlers' annotations at runtime.
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ray import serve
from ray.serve import Application, Deployment
from ray.serve.handle import DeploymentHandle

from codeprism.analysis import AnalysisConfig
from codeprism.hosts.azure import AzureHost
from codeprism.hosts.bitbucket import BitbucketHost
from codeprism.hosts.bitbucket_dc import BitbucketDCHost
from codeprism.hosts.github import GitHubHost
from codeprism.hosts.gitlab import GitLabHost
from codeprism.llm.config import load_model_config
from codeprism.llm.engines import ServeEngine
from codeprism.online.pipeline import (
    Hosts,
    RetryLater,
    ReviewOutcome,
    ReviewPipeline,
    StaticEvidence,
    run_static,
)
from codeprism.online.records import finish_review
from codeprism.online.review_settings import OperatorSettings
from codeprism.online.settings import Secrets, load_secrets
from codeprism.settings.model import Settings
from codeprism.sources.git import HeadCommit
from codeprism.warehouse import Warehouse
from codeprism.webhooks.azure import SECRET_HEADER, azure_delivery, classify_azure, verify_azure
from codeprism.webhooks.events import (
    Decision,
    ReviewTarget,
    TriggerOptions,
    bad_fields,
    classify_bitbucket,
    classify_bitbucket_dc,
    classify_github,
    classify_gitlab,
    is_repo_name,
)
from codeprism.webhooks.inbox import ClaimedReview, Inbox
from codeprism.webhooks.payload import parse_json_body
from codeprism.webhooks.signature import verify_bitbucket, verify_github, verify_gitlab
from serve_apps.ingress_mode import ROUTER_OWN_LOOP

log = logging.getLogger("codeprism.serve")

MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
PRUNE_EVERY_S = 3600.0  # how often an orchestrator prunes the inbox


class ReviewAppArgs(BaseModel):
    """The `args` of the `codeprism` application in a Serve config file (no secrets here)."""

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())

    state_dir: str = "~/.local/state/codeprism"  # the inbox; shared by all replicas
    warehouse: str | None = None  # reviews and findings rows; None: not recorded
    secrets_file: str | None = None  # else the replicas' environment (CODEPRISM_...)
    # the organisation config file (TOML, read by each replica; else CODEPRISM_CONFIG): its
    # settings, and its [installations."<id>"] / [groups."<path>"] tables for the reviews of
    # one GitHub App installation / GitLab group (see codeprism/online/review_settings.py)
    config: str | None = None
    # the LLM: a model path / hub id / model config file, served by the `llm` app at llm_url
    model: str | None = None
    llm_url: str = "http://127.0.0.1:8000"
    # These three are the settings' command-line layer, and only when given: review.agents
    # (an empty list leaves the default), review.max_findings and all_roles (post findings
    # in tests, examples, vendored and generated files too). Not given, the defaults, the
    # config file and the environment decide: 20 findings, every agent, source files only.
    agents: list[str] | None = None
    max_findings: int = Field(default=20, ge=1)
    all_roles: bool = False
    review_drafts: bool = False
    command: str = "/codeprism review"
    lease_s: float = Field(default=60.0, gt=0)  # a dead worker's review is retaken after this
    max_attempts: int = Field(default=3, ge=1)
    poll_s: float = Field(default=2.0, gt=0)
    max_concurrent_reviews: int = Field(default=4, ge=1)  # per orchestrator replica
    static_replicas: int = Field(default=2, ge=1)
    orchestrator_replicas: int = Field(default=1, ge=1)
    ingress_replicas: int = Field(default=1, ge=1)
    # CPUs per replica (cluster defaults; `codeprism serve` sizes them to the local Ray)
    static_cpus: float = Field(default=1.0, gt=0)
    orchestrator_cpus: float = Field(default=0.5, gt=0)
    ingress_cpus: float = Field(default=0.5, gt=0)
    max_body_bytes: int = Field(default=MAX_BODY_BYTES, ge=1)
    # the inbox forgets ended reviews and deliveries after this (GitHub redelivers for 3 days)
    keep_days: float = Field(default=30.0, gt=0)
    # fetching a pull request's changed files at its head, for the static analyzers
    head_fetch_timeout_s: float = Field(default=120.0, gt=0)
    # fetching the repository's own settings file at the pull request's base commit
    config_fetch_timeout_s: float = Field(default=60.0, gt=0)

    def inbox(self) -> Inbox:
        path = Path(self.state_dir).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        return Inbox(path / "inbox.sqlite3", lease_s=self.lease_s, max_attempts=self.max_attempts)

    def secrets(self) -> Secrets:
        return load_secrets(os.environ, self.secrets_file)

    def command_line(self) -> dict[str, Any]:
        """The settings these args set explicitly (dotted keys), as command-line flags would."""
        given = self.model_fields_set
        flags: dict[str, Any] = {}
        if "agents" in given and self.agents:
            flags["review.agents"] = list(self.agents)
        if "max_findings" in given:
            flags["review.max_findings"] = self.max_findings
        if "all_roles" in given:
            flags["all_roles"] = self.all_roles
        return flags

    def operator_settings(self) -> OperatorSettings:
        """The operator's settings, from this replica's environment (ConfigError if bad)."""
        return OperatorSettings.load(
            environ=os.environ, config_file=self.config, command_line=self.command_line()
        )


# -- ingress ---------------------------------------------------------------------------------

api = FastAPI(title="codeprism", docs_url=None, redoc_url=None)


# Defined before the ingress class: `serve.ingress` snapshots the module globals its
# handlers see when the class is decorated.
def _api_decision(payload: Any) -> Decision:
    """`{"diff": "...", "repo": "label"}`, or `{"repo": "owner/name", "pr": 12}` (GitHub;
    `"provider": "gitlab"` with `"project_id"` for a GitLab merge request; `"bitbucket"`
    ("workspace/repo"), `"bitbucket-dc"` ("PROJECT/repo") or `"azure"` ("project/repo") for
    the other hosts). Never raises:
    a body of any shape is a decision, "invalid" with the reason when it is not a request."""
    if not isinstance(payload, dict):
        return Decision("invalid", "the body must be a JSON object")
    try:
        diff = payload.get("diff")
        if isinstance(diff, str):
            try:  # the handler stores these bytes; \udcXX escapes stand for raw bytes
                diff.encode("utf-8", "surrogateescape")
            except UnicodeEncodeError:
                return Decision("invalid", "diff is not UTF-8 text (a lone surrogate)")
            label = payload.get("repo") or "api"
            if not isinstance(label, str):
                return Decision("invalid", "repo must be a string label")
            target = ReviewTarget(
                provider="api",
                repo=label,
                pr_number=None,
                head_sha=None,
                base_sha=None,
                trigger="api",
            )
            return Decision("review", "a diff by API", target)
        # pydantic would take `true` or "12" for a number; JSON integers only
        for key in ("pr", "installation_id", "project_id"):
            value = payload.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                return Decision("invalid", f"{key} must be an integer")
        target = ReviewTarget(
            provider=payload.get("provider", "github"),
            repo=payload.get("repo"),
            pr_number=payload.get("pr"),
            head_sha=None,
            base_sha=None,
            installation_id=payload.get("installation_id"),
            project_id=payload.get("project_id"),
            trigger="api",  # asked for: the pull request filters do not apply
        )
    except ValidationError as exc:
        return Decision("invalid", bad_fields(exc))
    if target.provider == "api" or target.pr_number is None:
        return Decision("invalid", 'give {"diff": "..."} or {"repo": "owner/name", "pr": N}')
    if not is_repo_name(target.provider, target.repo):  # it ends up in host API paths
        return Decision("invalid", f"repo is not a repository name on {target.provider}")
    if target.provider == "gitlab" and target.project_id is None:
        return Decision("invalid", "a GitLab merge request needs its project_id")
    return Decision("review", f"{target.provider} pull request by API", target)


# Acknowledging is a few milliseconds of work per request: Serve's default of 5 ongoing
# requests per replica makes the proxy refuse bursts that one replica can easily absorb.
@serve.deployment(max_ongoing_requests=256)
@serve.ingress(api)
class Ingress:
    def __init__(self, args: ReviewAppArgs, orchestrator: DeploymentHandle) -> None:
        self.args = args
        self.secrets = args.secrets()
        self.inbox = args.inbox()
        self.orchestrator = orchestrator
        self.triggers = TriggerOptions(review_drafts=args.review_drafts, command=args.command)

    @api.post("/webhooks/github")
    async def github(self, request: Request) -> Response:
        event = request.headers.get("x-github-event", "")
        secret = self.secrets.github_webhook_secret
        body = await self._body(request, "github", event)
        if isinstance(body, Response):
            return body
        signature = request.headers.get("x-hub-signature-256")
        if secret is None or not verify_github(secret.get_secret_value().encode(), body, signature):
            return self._reject("github", event, 401, "unauthorized", "bad or missing signature")
        parsed, payload = self._json(body)
        if not parsed:
            why = f"the body is not JSON: {payload}"
            return self._reject("github", event, 400, "bad_json", why)
        decision = self._classified(event, classify_github, event, payload, self.triggers)
        return self._accept("github", request.headers.get("x-github-delivery"), event, decision)

    @api.post("/webhooks/gitlab")
    async def gitlab(self, request: Request) -> Response:
        event = request.headers.get("x-gitlab-event", "")
        secret = self.secrets.gitlab_webhook_token
        body = await self._body(request, "gitlab", event)
        if isinstance(body, Response):
            return body
        token = request.headers.get("x-gitlab-token")
        if secret is None or not verify_gitlab(secret.get_secret_value(), token):
            return self._reject("gitlab", event, 401, "unauthorized", "bad or missing token")
        parsed, payload = self._json(body)
        if not parsed:
            why = f"the body is not JSON: {payload}"
            return self._reject("gitlab", event, 400, "bad_json", why)
        decision = self._classified(event, classify_gitlab, event, payload, self.triggers)
        delivery = request.headers.get("x-gitlab-event-uuid") or request.headers.get(
            "idempotency-key"
        )
        return self._accept("gitlab", delivery, event, decision)

    @api.post("/webhooks/bitbucket")
    async def bitbucket(self, request: Request) -> Response:
        """Bitbucket Cloud: `X-Event-Key`, `X-Hub-Signature` (HMAC-SHA256 of the body, sent
        when the webhook has a secret: this endpoint requires one), `X-Request-UUID`."""
        event = request.headers.get("x-event-key", "")
        secret = self.secrets.bitbucket_webhook_secret
        body = await self._body(request, "bitbucket", event)
        if isinstance(body, Response):
            return body
        signature = request.headers.get("x-hub-signature")
        if secret is None or not verify_bitbucket(
            secret.get_secret_value().encode(), body, signature
        ):
            return self._reject("bitbucket", event, 401, "unauthorized", "bad or missing signature")
        parsed, payload = self._json(body)
        if not parsed:
            why = f"the body is not JSON: {payload}"
            return self._reject("bitbucket", event, 400, "bad_json", why)
        decision = self._classified(event, classify_bitbucket, event, payload, self.triggers)
        delivery = request.headers.get("x-request-uuid")
        return self._accept("bitbucket", delivery, event, decision)

    @api.post("/webhooks/bitbucket-dc")
    async def bitbucket_dc(self, request: Request) -> Response:
        """Bitbucket Data Center / Server: `X-Event-Key` ("pr:opened"), `X-Hub-Signature`
        (`sha256=`, HMAC-SHA256 of the body, as Cloud signs: this endpoint requires a secret),
        `X-Request-Id` (the delivery)."""
        provider = "bitbucket-dc"
        event = request.headers.get("x-event-key", "")
        secret = self.secrets.bitbucket_dc_webhook_secret
        body = await self._body(request, provider, event)
        if isinstance(body, Response):
            return body
        signature = request.headers.get("x-hub-signature")
        if secret is None or not verify_bitbucket(
            secret.get_secret_value().encode(), body, signature
        ):
            return self._reject(provider, event, 401, "unauthorized", "bad or missing signature")
        parsed, payload = self._json(body)
        if not parsed:
            why = f"the body is not JSON: {payload}"
            return self._reject(provider, event, 400, "bad_json", why)
        decision = self._classified(event, classify_bitbucket_dc, event, payload, self.triggers)
        return self._accept(provider, request.headers.get("x-request-id"), event, decision)

    @api.post("/webhooks/azure")
    async def azure(self, request: Request) -> Response:
        """Azure DevOps service hooks (Web Hooks): unsigned, so the subscription must send
        the configured Basic credentials or the shared secret in `X-Codeprism-Secret`. The
        event is the body's `eventType`; the delivery id its `id` (kept on a resend)."""
        s = self.secrets
        body = await self._body(request, "azure", "")
        if isinstance(body, Response):
            return body
        if not verify_azure(
            s.azure_webhook_username,
            s.azure_webhook_password.get_secret_value() if s.azure_webhook_password else None,
            s.azure_webhook_secret.get_secret_value() if s.azure_webhook_secret else None,
            request.headers.get("authorization"),
            request.headers.get(SECRET_HEADER),
        ):
            return self._reject("azure", "", 401, "unauthorized", "bad or missing credentials")
        parsed, payload = self._json(body)
        if not parsed:
            return self._reject("azure", "", 400, "bad_json", f"the body is not JSON: {payload}")
        raw_event = payload.get("eventType") if isinstance(payload, dict) else None
        event = raw_event if isinstance(raw_event, str) else ""
        decision = self._classified(event, classify_azure, payload, self.triggers)
        return self._accept("azure", azure_delivery(payload), event, decision)

    @api.post("/v1/reviews")
    async def create_review(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._reject("api", "review", 401, "unauthorized", "bearer token required")
        body = await self._body(request, "api", "review")
        if isinstance(body, Response):
            return body
        parsed, payload = self._json(body)
        if parsed:
            decision = self._classified("review", _api_decision, payload)
        else:
            decision = Decision("invalid", f"the body is not JSON: {payload}")
        # The inbox keeps a diff only with its review; _api_decision checked that it encodes.
        target = decision.target
        diff = payload.get("diff") if target is not None and target.provider == "api" else None
        diff_bytes = diff.encode("utf-8", "surrogateescape") if isinstance(diff, str) else None
        key = request.headers.get("idempotency-key")
        return self._accept("api", key, "review", decision, diff_bytes)

    @api.get("/v1/reviews/{review_id}")
    async def get_review(self, review_id: str, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": "bearer token required"}, status_code=401)
        record = self.inbox.get(review_id)
        if record is None:
            return JSONResponse({"error": f"no review {review_id}"}, status_code=404)
        return JSONResponse(record.as_json())

    @api.get("/healthz")
    async def healthz(self) -> Response:
        queued, in_flight = self.inbox.pending_count()
        return JSONResponse({"status": "ok", "queued": queued, "in_flight": in_flight})

    @api.get("/metrics")
    async def metrics(self) -> Response:
        return PlainTextResponse(
            self.inbox.metrics_text(), media_type="text/plain; version=0.0.4; charset=utf-8"
        )

    # -- helpers ---------------------------------------------------------------------------

    async def _body(self, request: Request, provider: str, event: str) -> bytes | Response:
        """The body, refused with 413 past the cap without reading it all into memory."""
        limit = self.args.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return self._reject(provider, event, 413, "too_large", f"body over {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return self._reject(provider, event, 413, "too_large", f"body over {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _json(body: bytes) -> tuple[bool, Any]:
        """(True, payload) or (False, why not); a plain tuple, since Serve ships this class
        by value and a module-level sentinel would not survive the trip. Never raises: deep
        nesting, invalid UTF-8 and non-finite numbers are refusals too (see `payload`)."""
        return parse_json_body(body)

    @staticmethod
    def _classified(event: str, classify: Callable[..., Decision], *args: Any) -> Decision:
        """The classifiers never raise by contract; should one break on a body anyway, the
        body is still the sender's problem (400, logged with its trace), not a 500."""
        try:
            return classify(*args)
        except Exception:
            log.exception("classifying a %r body failed", event[:60])
            return Decision("invalid", f"the body is not a valid {event[:60]} event")

    def _authorised(self, request: Request) -> bool:
        token = self.secrets.api_token
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        return (
            token is not None
            and scheme.lower() == "bearer"
            and verify_gitlab(token.get_secret_value(), value)  # a constant-time compare
        )

    def _reject(self, provider: str, event: str, status: int, outcome: str, why: str) -> Response:
        self.inbox.reject(provider, event or "unknown", outcome)
        return JSONResponse({"error": why}, status_code=status)

    def _accept(
        self,
        provider: str,
        delivery: str | None,
        event: str,
        decision: Decision,
        diff: bytes | None = None,
    ) -> Response:
        accepted = self.inbox.accept(provider, delivery, event or "unknown", decision, diff=diff)
        body: dict[str, Any] = {"outcome": accepted.outcome, "reason": decision.reason}
        if accepted.review_id:
            body["review_id"] = accepted.review_id
        if decision.kind == "ping":
            return JSONResponse({**body, "msg": "pong"}, status_code=200)
        if decision.kind == "invalid" and not accepted.duplicate:
            return JSONResponse(body, status_code=400)
        if accepted.outcome == "queued":
            self.orchestrator.wake.remote()  # fire and forget: the inbox holds the work
        return JSONResponse(body, status_code=202)


# -- orchestrator ----------------------------------------------------------------------------


# CPUs and the router's own loop: see build_review_app
@serve.deployment(health_check_period_s=5)
class ReviewOrchestrator:
    """Claims reviews from the inbox and runs them, `max_concurrent_reviews` at a time.

    Work is pulled, not pushed: `wake` only shortens the wait, so an event accepted while
    every orchestrator was down is still reviewed, and a restarted replica retakes the
    reviews of a dead one once their leases lapse.
    """

    def __init__(self, args: ReviewAppArgs, static: DeploymentHandle) -> None:
        self.args = args
        self.inbox = args.inbox()
        self.owner = f"{serve.get_replica_context().replica_tag}-{uuid.uuid4().hex[:8]}"
        self.warehouse = Warehouse(args.warehouse) if args.warehouse else None
        self.pipeline = self._pipeline(args, args.secrets(), static)
        self._wake = threading.Event()
        self._slots = threading.Semaphore(args.max_concurrent_reviews)
        self._stop = threading.Event()
        self._loop = threading.Thread(target=self._claim_loop, name="claim", daemon=True)
        self._loop.start()

    def _pipeline(
        self, args: ReviewAppArgs, secrets: Secrets, static: DeploymentHandle
    ) -> ReviewPipeline:
        def counted(name: str) -> Any:
            return lambda kind: self.inbox.incr(f"{name}_api_{kind}s")

        github_auth, gitlab_auth = secrets.github_auth(), secrets.gitlab_auth()
        bitbucket_auth = secrets.bitbucket_auth()
        azure_auth = secrets.azure_auth()
        bitbucket_dc_auth = secrets.bitbucket_dc_auth()
        hosts = Hosts(
            github=GitHubHost(github_auth, on_event=counted("github")) if github_auth else None,
            gitlab=GitLabHost(gitlab_auth, on_event=counted("gitlab")) if gitlab_auth else None,
            azure=AzureHost(azure_auth, on_event=counted("azure")) if azure_auth else None,
            bitbucket=(
                BitbucketHost(bitbucket_auth, on_event=counted("bitbucket"))
                if bitbucket_auth
                else None
            ),
            bitbucket_dc=(
                BitbucketDCHost(bitbucket_dc_auth, on_event=counted("bitbucket_dc"))
                if bitbucket_dc_auth
                else None
            ),
        )
        model = load_model_config(args.model) if args.model else None

        def remote_static(
            diff: bytes, repo: str, head: HeadCommit | None, settings: Settings
        ) -> StaticEvidence:
            reply = static.analyze.remote(diff, repo, head, settings)  # this review's settings
            evidence: StaticEvidence = reply.result(timeout_s=600)
            return evidence

        return ReviewPipeline(
            hosts=hosts,
            operator=args.operator_settings(),
            static=remote_static,
            engine=ServeEngine(model, args.llm_url) if model else None,
            model=model,
            config_fetch_timeout_s=args.config_fetch_timeout_s,
        )

    def wake(self) -> None:
        self._wake.set()

    def check_health(self) -> None:
        if not self._loop.is_alive():
            raise RuntimeError("the claim loop has stopped")  # Serve restarts the replica

    def __del__(self) -> None:
        self._stop.set()

    def _claim_loop(self) -> None:
        next_prune = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= next_prune:
                next_prune = time.monotonic() + PRUNE_EVERY_S
                self._prune()
            self._slots.acquire()
            try:
                job = self.inbox.claim(self.owner)
            except Exception:  # a locked or briefly unavailable database: try again
                log.exception("claiming a review failed")
                job = None
            if job is None:
                self._slots.release()
                self._wake.wait(self.args.poll_s)
                self._wake.clear()
                continue
            threading.Thread(target=self._run, args=(job,), daemon=True).start()

    def _prune(self) -> None:
        try:
            pruned = self.inbox.prune(self.args.keep_days * 86400)
        except Exception:  # the next round tries again; reviews go on meanwhile
            log.exception("pruning the inbox failed")
            return
        if pruned.reviews or pruned.deliveries:
            log.info(
                "inbox: forgot %d ended reviews and %d deliveries older than %g days",
                pruned.reviews,
                pruned.deliveries,
                self.args.keep_days,
            )

    def _run(self, job: ClaimedReview) -> None:
        lease = _LeaseKeeper(self.inbox, job.review_id, self.owner, self.args.lease_s)
        try:
            outcome: ReviewOutcome | None = self.pipeline.run(job, lease.still_current)
            detail = outcome.detail if outcome else ""
        except RetryLater as exc:
            # stop renewing and let the lease lapse: the inbox hands the review out again
            log.warning("review %s will be retried: %s", job.review_id, exc)
            lease.stop()
            self._slots.release()
            return
        except Exception as exc:  # a bug must fail one review, not the replica
            log.exception("review %s crashed", job.review_id)
            outcome, detail = None, f"internal error: {type(exc).__name__}: {exc}"
        lease.stop()
        try:
            finish_review(self.inbox, self.warehouse, job, self.owner, outcome, detail)
        finally:
            self._slots.release()


class _LeaseKeeper:
    """Renews a review's lease while it runs; `still_current` is False once it was superseded
    or taken over (then the result must not be published)."""

    def __init__(self, inbox: Inbox, review_id: str, owner: str, lease_s: float) -> None:
        self.inbox, self.review_id, self.owner = inbox, review_id, owner
        self._current = True
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._renew, args=(lease_s / 3,), daemon=True)
        self._thread.start()

    def _renew(self, every_s: float) -> None:
        while not self._stopped.wait(every_s):
            self._current = self.inbox.renew(self.review_id, self.owner)
            if not self._current:
                return

    def still_current(self) -> bool:
        self._current = self._current and self.inbox.renew(self.review_id, self.owner)
        return self._current

    def stop(self) -> None:
        self._stopped.set()


# -- static analysis -------------------------------------------------------------------------


@serve.deployment
class StaticAnalysis:
    def __init__(self, head_fetch_timeout_s: float) -> None:
        self.analysis = AnalysisConfig()
        self.head_fetch_timeout_s = head_fetch_timeout_s

    def analyze(
        self, diff: bytes, repo: str, head: HeadCommit | None, settings: Settings | None = None
    ) -> StaticEvidence:
        """`settings`: the review's own, sent with each call (None: the defaults); the tools
        and limits are the ones they name."""
        analysis = None if settings is not None else self.analysis
        return run_static(diff, repo, analysis, head, self.head_fetch_timeout_s, settings=settings)


# -- builder ---------------------------------------------------------------------------------


def build_review_app(args: ReviewAppArgs) -> Application:
    """Ingress → orchestrator → static analysis (the LLM is the separate `llm` app)."""
    static = (
        _deployment(StaticAnalysis)
        .options(
            num_replicas=args.static_replicas, ray_actor_options={"num_cpus": args.static_cpus}
        )
        .bind(args.head_fetch_timeout_s)
    )
    orchestrator = (
        _deployment(ReviewOrchestrator)
        .options(
            num_replicas=args.orchestrator_replicas,
            ray_actor_options={
                "num_cpus": args.orchestrator_cpus,
                "runtime_env": {"env_vars": dict(ROUTER_OWN_LOOP)},
            },
        )
        .bind(args, static)
    )
    ingress = _deployment(Ingress).options(
        num_replicas=args.ingress_replicas, ray_actor_options={"num_cpus": args.ingress_cpus}
    )
    return ingress.bind(args, orchestrator)


def _deployment(decorated: object) -> Deployment:
    """`@serve.deployment` turns a class into a Deployment; its type hints do not say so."""
    return cast(Deployment, decorated)


__all__ = ["ReviewAppArgs", "build_review_app"]
