"""Analytics ingestion API: dashboards pull data from customer-configured sources."""

import re
from urllib.parse import quote

import aiohttp
import httpx
import uvicorn
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, HttpUrl

from .deps import current_tenant
from .models import DataSource

app = FastAPI(title="analytics", debug=True)  # VULN: debug-mode

METRICS_BASE = "https://metrics.internal.example.com"
PROMETHEUS = "http://prometheus.monitoring.svc:9090/api/v1/query"
TENANT_RE = re.compile(r"^[a-z0-9-]{3,40}$")


class SourceIn(BaseModel):
    name: str
    url: HttpUrl


@app.post("/sources/test")
async def test_source(source: SourceIn):
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(str(source.url))  # VULN: ssrf
    return {"status": resp.status_code, "sample": resp.text[:500]}


@app.get("/sources/{source_id}/refresh")
async def refresh_source(source_id: int, tenant=Depends(current_tenant)):
    source = await DataSource.get(id=source_id, tenant=tenant)
    async with aiohttp.ClientSession() as session:
        async with session.get(source.url) as resp:  # VULN: ssrf
            return {"status": resp.status, "bytes": len(await resp.read())}


@app.get("/metrics/{metric_path:path}")
async def proxy_metric(metric_path: str):
    resp = httpx.get(METRICS_BASE + metric_path, timeout=5)  # VULN: ssrf
    return resp.json()


@app.get("/v2/metrics/{metric_name}")
async def proxy_metric_v2(metric_name: str):
    resp = httpx.get(f"{METRICS_BASE}/metrics/{quote(metric_name, safe='')}", timeout=5)  # SAFE: ssrf
    return resp.json()


@app.get("/promql")
async def promql(query: str):
    resp = httpx.get(PROMETHEUS, params={"query": query}, timeout=10)  # SAFE: ssrf
    return resp.json()


@app.get("/tenants/{tenant}/health")
async def tenant_health(tenant: str):
    resp = httpx.get(f"http://{tenant}.tenants.svc.cluster.local/healthz", timeout=2)  # VULN: ssrf
    return {"up": resp.status_code == 200}


@app.get("/v2/tenants/{tenant}/health")
async def tenant_health_v2(tenant: str):
    if not TENANT_RE.match(tenant):
        raise HTTPException(status_code=400)
    resp = httpx.get(f"http://{tenant}.tenants.svc.cluster.local/healthz", timeout=2)  # SAFE: ssrf
    return {"up": resp.status_code == 200}


@app.get("/status")
async def status():
    async with aiohttp.ClientSession() as session:
        async with session.get("https://status.example.com/api/v2/summary.json", ssl=False) as resp:  # VULN: tls-verification
            return await resp.json()


@app.get("/status/v2")
async def status_v2():
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=True)) as session:  # SAFE: tls-verification
        async with session.get("https://status.example.com/api/v2/summary.json") as resp:
            return await resp.json()


if __name__ == "__main__":
    uvicorn.run("analytics_api.main:app", host="0.0.0.0", port=8000)
