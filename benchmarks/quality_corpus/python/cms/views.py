"""Pyramid views for the headless CMS editor."""

import string
import subprocess
import sys

import jwt
from mako.template import Template as MakoTemplate
from pyramid.httpexceptions import HTTPBadRequest, HTTPFound
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import text

from .security import PREVIEW_SIGNING_KEY

ALLOWED_CAME_FROM = ("/pages", "/media", "/settings")


@view_config(route_name="login_done")
def login_done(request):
    return HTTPFound(location=request.params.get("came_from", "/"))  # VULN: open-redirect


@view_config(route_name="login_done_v2")
def login_done_v2(request):
    came_from = request.params.get("came_from", "/pages")
    if not came_from.startswith(ALLOWED_CAME_FROM):
        came_from = request.route_url("pages")
    return HTTPFound(location=came_from)  # SAFE: open-redirect


@view_config(route_name="page_publish", request_method="POST")
def publish(request):
    page_id = int(request.matchdict["id"])
    request.dbsession.execute(text("UPDATE pages SET published = true WHERE id = :id"), {"id": page_id})  # SAFE: sql-injection
    return HTTPFound(location=request.route_url("page_detail", id=page_id))  # SAFE: open-redirect


@view_config(route_name="page_search")
def search(request):
    slug = request.params.get("slug", "")
    rows = request.dbsession.execute(text("SELECT id, title FROM pages WHERE slug LIKE '" + slug + "%'")).all()  # VULN: sql-injection
    return Response(json_body=[{"id": r.id, "title": r.title} for r in rows])


@view_config(route_name="page_render")
def render_snippet(request):
    snippet = request.POST["snippet"]
    html = MakoTemplate(snippet).render(site_name="Example")  # VULN: code-injection
    return Response(html)


@view_config(route_name="page_render_v2")
def render_snippet_v2(request):
    snippet = request.POST["snippet"]
    body = string.Template(snippet).safe_substitute(site_name="Example")  # SAFE: code-injection
    return Response(body, content_type="text/plain")


@view_config(route_name="page_script_check", request_method="POST")
def check_script(request):
    script = request.POST["script"]
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=5)  # VULN: code-injection
    return Response(json_body={"ok": result.returncode == 0})


@view_config(route_name="page_script_lint", request_method="POST")
def lint_script(request):
    script = request.POST["script"]
    try:
        compile(script, "<snippet>", "exec")  # SAFE: code-injection
    except SyntaxError as exc:
        return Response(json_body={"ok": False, "line": exc.lineno})
    return Response(json_body={"ok": True})


@view_config(route_name="page_title")
def page_title(request):
    title = request.params.get("title", "")
    return Response(f"<title>{title}</title><h1>{title}</h1>", content_type="text/html")  # VULN: xss


@view_config(route_name="preview")
def preview(request):
    token = request.params.get("token", "")
    claims = jwt.decode(token, PREVIEW_SIGNING_KEY, algorithms=["HS256"], options={"verify_signature": False})  # VULN: jwt
    return HTTPFound(location=request.route_url("page_detail", id=int(claims["page_id"])))


@view_config(route_name="preview_v2")
def preview_v2(request):
    token = request.params.get("token", "")
    try:
        claims = jwt.decode(token, PREVIEW_SIGNING_KEY, algorithms=["HS256"], options={"require": ["exp"]})  # SAFE: jwt
    except jwt.InvalidTokenError:
        raise HTTPBadRequest()
    return HTTPFound(location=request.route_url("page_detail", id=int(claims["page_id"])))
