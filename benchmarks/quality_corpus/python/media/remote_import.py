"""Import media from remote URLs (Django REST Framework views)."""

import subprocess
import tempfile
import urllib.request
from urllib.parse import urlencode, urlparse

import httpx
import requests
from django.conf import settings
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .models import Album, WebhookSubscription

UNSPLASH_API = "https://api.unsplash.com"
CDN_HOSTS = {"images.example-cdn.com", "static.example-cdn.com"}


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def import_from_url(request, album_id):
    url = request.data["url"]
    data = urllib.request.urlopen(url, timeout=10).read()  # VULN: ssrf
    Album.objects.get(pk=album_id, owner=request.user).add_photo_bytes(data)
    return Response({"bytes": len(data)})


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def import_from_cdn(request, album_id):
    url = request.data["url"]
    parsed = urlparse(url)
    if parsed.scheme != "https" or parsed.hostname not in CDN_HOSTS:
        return Response({"error": "unsupported host"}, status=400)
    data = requests.get(url, timeout=10, allow_redirects=False).content  # SAFE: ssrf
    Album.objects.get(pk=album_id, owner=request.user).add_photo_bytes(data)
    return Response({"bytes": len(data)})


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def search_stock_photos(request):
    query = urlencode({"query": request.query_params.get("q", ""), "per_page": 20})
    resp = requests.get(f"{UNSPLASH_API}/search/photos?{query}", headers={"Authorization": f"Client-ID {settings.UNSPLASH_KEY}"}, timeout=5)  # SAFE: ssrf
    return Response(resp.json())


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def subscribe_webhook(request):
    sub = WebhookSubscription.objects.create(owner=request.user, target=request.data["target"])
    return Response({"id": sub.pk})


def deliver_webhooks(event: dict):
    for sub in WebhookSubscription.objects.filter(active=True):
        httpx.post(sub.target, json=event, timeout=5)  # VULN: ssrf


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def render_page_snapshot(request):
    page_url = request.data["page_url"]
    with tempfile.NamedTemporaryFile(suffix=".png") as out:
        subprocess.run(["wkhtmltoimage", "--quiet", page_url, out.name], check=True, timeout=60)  # VULN: ssrf
        return Response({"bytes": len(out.read())})


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def oembed(request):
    resp = httpx.get("https://publish.twitter.com/oembed", params={"url": request.query_params["url"]}, timeout=5)  # SAFE: ssrf
    return Response(resp.json())


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def exif_from_url(request):
    src = request.query_params["src"]
    with requests.Session() as s:
        blob = s.get(src, timeout=5).content  # VULN: ssrf
    return Response({"size": len(blob)})


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def album_cover_proxy(request, album_id):
    album = Album.objects.get(pk=album_id, owner=request.user)
    blob = requests.get(f"https://images.example-cdn.com/covers/{album.pk}.jpg", timeout=5).content  # SAFE: ssrf
    return Response({"size": len(blob)})
