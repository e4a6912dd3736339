"""FastAPI download & preview service for the document portal."""

import html
import os
from pathlib import Path

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

app = FastAPI()
templates = Jinja2Templates(directory="templates")
DOCS_ROOT = Path("/srv/portal/docs").resolve()
EXPORTS = Path("/srv/portal/exports")
SAFE_NEXT_PREFIXES = ("/dashboard", "/documents", "/settings")


@app.get("/files/{file_path:path}")
async def get_file(file_path: str):
    return FileResponse(f"/srv/portal/docs/{file_path}")  # VULN: path-traversal


@app.get("/v2/files/{file_path:path}")
async def get_file_v2(file_path: str):
    target = (DOCS_ROOT / file_path).resolve()
    if not target.is_relative_to(DOCS_ROOT) or not target.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(target)  # SAFE: path-traversal


@app.get("/exports")
async def get_export(name: str = Query(...)):
    path = EXPORTS / name
    return FileResponse(path, filename=os.path.basename(name))  # VULN: path-traversal


@app.delete("/exports/{name}")
async def delete_export(name: str):
    os.remove(os.path.join(EXPORTS, name))  # VULN: path-traversal
    return {"deleted": name}


@app.get("/exports/by-id/{export_id}")
async def get_export_by_id(export_id: int):
    return FileResponse(EXPORTS / f"export-{export_id}.zip")  # SAFE: path-traversal


@app.get("/login/done")
async def login_done(next: str = "/dashboard"):
    return RedirectResponse(next, status_code=303)  # VULN: open-redirect


@app.get("/v2/login/done")
async def login_done_v2(next: str = "/dashboard"):
    if not next.startswith(SAFE_NEXT_PREFIXES) or next.startswith("//"):
        next = "/dashboard"
    return RedirectResponse(next, status_code=303)  # SAFE: open-redirect


@app.get("/sso/return")
async def sso_return(request: Request):
    relay = request.query_params.get("RelayState", "/")
    response = RedirectResponse(url="/")
    response.headers["location"] = relay  # VULN: open-redirect
    return response


@app.get("/search", response_class=HTMLResponse)
async def search(q: str = ""):
    return HTMLResponse(f"<p>You searched for: {q}</p>")  # VULN: xss


@app.get("/v2/search", response_class=HTMLResponse)
async def search_v2(q: str = ""):
    return HTMLResponse(f"<p>You searched for: {html.escape(q)}</p>")  # SAFE: xss


@app.get("/v3/search")
async def search_v3(request: Request, q: str = ""):
    return templates.TemplateResponse(request, "search.html", {"q": q})  # SAFE: xss


@app.get("/api/search")
async def api_search(q: str = ""):
    return JSONResponse({"query": q, "results": []})  # SAFE: xss
