"""Single sign-on callbacks and post-login redirects (Flask)."""

import base64
import json
import re
from urllib.parse import urljoin, urlparse

import jwt
from flask import Blueprint, abort, redirect, request, session, url_for

from .oidc import OIDC_AUDIENCE, OIDC_ISSUER, jwks_client

bp = Blueprint("sso", __name__)
ALLOWED_RETURN_HOSTS = {"app.example.com", "admin.example.com"}
TENANT_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,30}$")


def is_safe_url(target: str) -> bool:
    host_url = urlparse(request.host_url)
    test_url = urlparse(urljoin(request.host_url, target))
    return test_url.scheme in ("http", "https") and host_url.netloc == test_url.netloc


@bp.get("/login")
def login():
    session["return_to"] = request.args.get("return_to", "/")
    return redirect(url_for("sso.start"))  # SAFE: open-redirect


@bp.get("/login/finish")
def finish():
    return redirect(session.pop("return_to", "/"))  # VULN: open-redirect


@bp.get("/login/finish/v2")
def finish_v2():
    target = session.pop("return_to", "/")
    if not is_safe_url(target):
        target = url_for("dashboard.home")
    return redirect(target)  # SAFE: open-redirect


@bp.get("/switch-tenant")
def switch_tenant():
    tenant = request.args["tenant"]
    return redirect(f"https://{tenant}.example.com/dashboard")  # VULN: open-redirect


@bp.get("/v2/switch-tenant")
def switch_tenant_v2():
    tenant = request.args["tenant"]
    if not TENANT_SLUG.match(tenant):
        abort(400)
    return redirect(f"https://{tenant}.example.com/dashboard")  # SAFE: open-redirect


@bp.get("/logout")
def logout():
    session.clear()
    continue_url = request.values.get("continue") or request.referrer or "/"
    return redirect(continue_url, code=302)  # VULN: open-redirect


@bp.get("/v2/logout")
def logout_v2():
    session.clear()
    continue_url = request.args.get("continue", "")
    if urlparse(continue_url).netloc not in ALLOWED_RETURN_HOSTS or urlparse(continue_url).scheme != "https":
        continue_url = "https://app.example.com/"
    return redirect(continue_url)  # SAFE: open-redirect


@bp.get("/oauth/callback")
def oauth_callback():
    state = json.loads(base64.urlsafe_b64decode(request.args["state"]))
    session["id_token"] = request.args["id_token"]
    return redirect(state.get("next", "/"))  # VULN: open-redirect


def claims_from_id_token(id_token: str) -> dict:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # VULN: jwt


def claims_from_id_token_v2(id_token: str) -> dict:
    key = jwks_client.get_signing_key_from_jwt(id_token).key
    return jwt.decode(id_token, key, algorithms=["RS256"], audience=OIDC_AUDIENCE, issuer=OIDC_ISSUER, options={"require": ["exp", "iat", "sub"]})  # SAFE: jwt


@bp.get("/me")
def me():
    claims = claims_from_id_token(session.get("id_token", ""))
    return {"email": claims.get("email"), "admin": claims.get("is_admin", False)}


def token_expiry_for_ui(id_token: str) -> int:
    """Only used to show 'session expires in N minutes' in the UI; authorization uses claims_from_id_token_v2."""
    return jwt.decode(id_token, options={"verify_signature": False}).get("exp", 0)  # SAFE: jwt
