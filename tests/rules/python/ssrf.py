import json
import urllib.request

import aiohttp
import httpx
import requests
from flask import Flask, request

app = Flask(__name__)

API_BASE = "https://api.internal.example.com"


@app.route("/fetch")
def fetch():
    url = request.args.get("url")
    # ruleid: py-ssrf-taint
    resp = requests.get(url, timeout=5)
    return resp.text


@app.route("/preview", methods=["POST"])
def preview():
    target = request.json["target"]
    # ruleid: py-ssrf-taint
    with urllib.request.urlopen(target) as r:
        return r.read()


@app.route("/proxy/<path:host>")
def proxy(host):
    # ruleid: py-ssrf-taint
    return requests.post(f"http://{host}/api", json={"a": 1}).text


def webhook_test(request):
    hook = request.POST["hook_url"]
    session = requests.Session()
    session.headers["User-Agent"] = "bot"
    # ruleid: py-ssrf-taint
    return session.get(hook).status_code


def handler(event, context):
    body = json.loads(event["body"])
    # ruleid: py-ssrf-taint
    r = httpx.get(body["callback"])
    return {"statusCode": r.status_code}


@app.post("/avatar")
async def avatar(image_url: str):
    async with aiohttp.ClientSession() as client:
        # ruleid: py-ssrf-taint
        async with client.get(image_url) as resp:
            return await resp.read()


@app.route("/req")
def req():
    u = "http://" + request.args["host"] + ":8080/status"
    # ruleid: py-ssrf-taint
    req_obj = urllib.request.Request(u)
    # ruleid: py-ssrf-taint
    return urllib.request.urlopen(req_obj).read()


# ---------------------------------------------------------------- safe code


@app.route("/user")
def user():
    uid = request.args.get("id")
    # ok: py-ssrf-taint
    r1 = requests.get(f"https://api.example.com/users/{uid}")
    # ok: py-ssrf-taint
    r2 = requests.get(f"{API_BASE}/users/{uid}", params={"q": request.args["q"]})
    # ok: py-ssrf-taint
    r3 = requests.get("https://api.example.com/search", params={"q": uid})
    # ok: py-ssrf-taint
    r4 = requests.get("https://api.example.com/items/" + uid)
    return r1.text + r2.text + r3.text + r4.text


ALLOWED_HOSTS = {"images.example.com", "cdn.example.com"}


@app.route("/image")
def image():
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        return "forbidden", 403
    # ok: py-ssrf-taint
    return requests.get(url).content


def status():
    # ok: py-ssrf-taint
    return requests.get("https://status.example.com/health").json()


def cache(request):
    data = {"key": request.GET["k"]}
    # ok: py-ssrf-taint
    return requests.post("https://cache.example.com/set", json=data)


def user_api(request):
    uid = request.GET["uid"]
    # ok: py-ssrf-taint
    return requests.get(API_BASE + "/users/" + uid).json()


from urllib.parse import urlparse


@app.route("/fetch/checked")
def fetch_checked():
    url = request.args["url"]
    parsed = urlparse(url)
    if parsed.hostname not in ALLOWED_HOSTS:
        abort(400)
    # ok: py-ssrf-taint
    return requests.get(url, timeout=3).text


@app.route("/fetch/unchecked")
def fetch_unchecked():
    url = request.args["url"]
    parsed = urlparse(url)
    app.logger.info("fetching %s", parsed.hostname)
    # ruleid: py-ssrf-taint
    return requests.get(url, timeout=3).text
