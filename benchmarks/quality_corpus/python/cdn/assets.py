"""Static asset pipeline: fingerprinting, ETags and cache keys. None of these hashes protect secrets."""

import hashlib
import random
import zlib
from pathlib import Path

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified

ASSET_ROOT = Path("/srv/app/static")
EDGE_NODES = ["edge-fra-1", "edge-fra-2", "edge-ams-1", "edge-lon-1"]


def fingerprint(path: Path) -> str:
    digest = hashlib.md5(path.read_bytes()).hexdigest()[:12]  # SAFE: weak-crypto
    return f"{path.stem}.{digest}{path.suffix}"


def etag_for(content: bytes) -> str:
    return '"' + hashlib.sha1(content, usedforsecurity=False).hexdigest() + '"'  # SAFE: weak-crypto


def cache_key(url: str, accept_language: str) -> str:
    return "page:" + hashlib.md5(f"{url}|{accept_language}".encode()).hexdigest()  # SAFE: weak-crypto


def serve_asset(request, rel_path: str):
    content = (ASSET_ROOT / "built" / "manifest.json").read_bytes()
    tag = etag_for(content)
    if request.headers.get("If-None-Match") == tag:
        return HttpResponseNotModified()
    resp = HttpResponse(content, content_type="application/json")
    resp["ETag"] = tag
    return resp


def verify_download(path: Path, published_sha256: str) -> bool:
    return hashlib.sha256(path.read_bytes()).hexdigest() == published_sha256  # SAFE: weak-crypto


def pick_edge_node() -> str:
    return random.choice(EDGE_NODES)  # SAFE: weak-random


def shard_for(key: str, shards: int = 16) -> int:
    return zlib.crc32(key.encode()) % shards


def warm_cache(urls: list[str]):
    order = list(urls)
    random.shuffle(order)  # SAFE: weak-random
    for url in order:
        cache.get_or_set(cache_key(url, "en"), lambda: b"", timeout=300)


def sample_for_monitoring(urls: list[str]) -> list[str]:
    return random.sample(urls, k=min(5, len(urls)))  # SAFE: weak-random
