"""Short-link and landing-page Lambda (API Gateway HTTP API, payload format 2.0)."""

import base64
import html
import json
import os
import pickle
from urllib.parse import urlparse

import boto3
import requests

table = boto3.resource("dynamodb").Table(os.environ["LINKS_TABLE"])
ALLOWED_REDIRECT_HOSTS = {"www.example.com", "shop.example.com", "docs.example.com"}


def follow(event, context):
    params = event.get("queryStringParameters") or {}
    return {"statusCode": 302, "headers": {"Location": params["to"]}}  # VULN: open-redirect


def follow_short_code(event, context):
    """Short codes are created only by the marketing team through the internal admin console."""
    code = event["pathParameters"]["code"]
    item = table.get_item(Key={"code": code}).get("Item")
    if not item:
        return {"statusCode": 404}
    return {"statusCode": 301, "headers": {"Location": item["target"]}}  # SAFE: open-redirect


def follow_campaign(event, context):
    target = (event.get("queryStringParameters") or {}).get("url", "https://www.example.com/")
    if urlparse(target).hostname not in ALLOWED_REDIRECT_HOSTS:
        target = "https://www.example.com/"
    return {"statusCode": 302, "headers": {"Location": target}}  # SAFE: open-redirect


def landing(event, context):
    name = (event.get("queryStringParameters") or {}).get("ref", "friend")
    page = "<html><body><h1>Hi " + name + ", welcome!</h1></body></html>"
    return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": page}  # VULN: xss


def landing_v2(event, context):
    name = (event.get("queryStringParameters") or {}).get("ref", "friend")
    page = f"<html><body><h1>Hi {html.escape(name)}, welcome!</h1></body></html>"
    return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": page}  # SAFE: xss


def restore_cart(event, context):
    cookie = next((c for c in event.get("cookies", []) if c.startswith("cart=")), "cart=")
    cart = pickle.loads(base64.b64decode(cookie.split("=", 1)[1]))  # VULN: deserialization
    return {"statusCode": 200, "body": json.dumps({"items": len(cart)})}


def restore_cart_v2(event, context):
    cookie = next((c for c in event.get("cookies", []) if c.startswith("cart=")), "cart=")
    cart = json.loads(base64.b64decode(cookie.split("=", 1)[1]) or b"[]")  # SAFE: deserialization
    return {"statusCode": 200, "body": json.dumps({"items": len(cart)})}


def check_link(event, context):
    body = json.loads(event["body"])
    resp = requests.head(body["url"], timeout=5, allow_redirects=True)  # VULN: ssrf
    return {"statusCode": 200, "body": json.dumps({"status": resp.status_code})}
