"""Outgoing webhooks and link previews for the project-management app."""

from urllib.parse import quote, urlparse

import requests
from flask import Blueprint, abort, jsonify, request

bp = Blueprint("integrations", __name__)

TRUSTED_WEBHOOK_HOSTS = {"hooks.slack.com", "discord.com", "outlook.office.com"}
GITHUB_API = "https://api.github.com"


OEMBED_ENDPOINTS = {
    "youtube": "https://www.youtube.com/oembed",
    "vimeo": "https://vimeo.com/api/oembed.json",
}


@bp.post("/webhooks/test")
def test_webhook():
    target = request.json["url"]
    resp = requests.post(target, json={"text": "Test notification"}, timeout=5)  # VULN: ssrf
    return jsonify({"status": resp.status_code})


@bp.post("/webhooks/slack")
def slack_webhook():
    target = request.json["url"]
    if urlparse(target).hostname not in TRUSTED_WEBHOOK_HOSTS or not target.startswith("https://"):
        abort(400)
    resp = requests.post(target, json={"text": "Connected!"}, timeout=5, allow_redirects=False)  # SAFE: ssrf
    return jsonify({"status": resp.status_code})


@bp.get("/preview")
def link_preview():
    url = request.args.get("url", "")
    page = requests.get(url, timeout=3, headers={"User-Agent": "pm-preview/1.0"})  # VULN: ssrf
    return jsonify({"length": len(page.content), "type": page.headers.get("content-type")})


def fetch_avatar(avatar_url):
    return requests.get(avatar_url, timeout=3, stream=True).raw.read(1_000_000)  # VULN: ssrf


@bp.post("/profile/avatar-from-url")
def avatar_from_url():
    data = fetch_avatar(request.form["avatar_url"])
    return jsonify({"bytes": len(data)})


@bp.get("/github/<username>")
def github_profile(username):
    resp = requests.get(f"{GITHUB_API}/users/{quote(username, safe='')}", timeout=5)  # SAFE: ssrf
    return jsonify(resp.json())


@bp.get("/unfurl/<provider>")
def unfurl(provider):
    endpoint = OEMBED_ENDPOINTS.get(provider)
    if endpoint is None:
        abort(404)
    resp = requests.get(endpoint, params={"url": request.args.get("url", ""), "format": "json"}, timeout=3)  # SAFE: ssrf
    return jsonify(resp.json())


@bp.get("/status/partner")
def partner_status():
    resp = requests.get("https://status.partner-api.example.com/health", timeout=3, verify=False)  # VULN: tls-verification
    return jsonify({"up": resp.ok})


@bp.get("/status/billing")
def billing_status():
    resp = requests.get("https://billing.internal.example.com/health", timeout=3, verify="/etc/ssl/certs/internal-ca.pem")  # SAFE: tls-verification
    return jsonify({"up": resp.ok})
