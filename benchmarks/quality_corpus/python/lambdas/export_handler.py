"""AWS Lambda behind API Gateway (proxy integration): generates CSV exports and media thumbnails."""

import json
import logging
import os
import subprocess
import urllib.request

import boto3
import pymysql

logger = logging.getLogger()
logger.setLevel(logging.INFO)

s3 = boto3.client("s3")
BUCKET = os.environ["EXPORT_BUCKET"]
TMP = "/tmp"


def _db():
    return pymysql.connect(host=os.environ["DB_HOST"], user=os.environ["DB_USER"], password=os.environ["DB_PASSWORD"], database="crm")  # SAFE: hardcoded-secret


def export_contacts(event, context):
    params = event.get("queryStringParameters") or {}
    segment = params.get("segment", "all")
    conn = _db()
    with conn.cursor() as cur:
        cur.execute(f"SELECT email, name FROM contacts WHERE segment = '{segment}'")  # VULN: sql-injection
        rows = cur.fetchall()
    key = f"exports/{context.aws_request_id}.csv"
    s3.put_object(Bucket=BUCKET, Key=key, Body="\n".join(",".join(r) for r in rows))
    return {"statusCode": 200, "body": json.dumps({"key": key})}


def export_contacts_v2(event, context):
    params = event.get("queryStringParameters") or {}
    conn = _db()
    with conn.cursor() as cur:
        cur.execute("SELECT email, name FROM contacts WHERE segment = %s", (params.get("segment", "all"),))  # SAFE: sql-injection
        rows = cur.fetchall()
    return {"statusCode": 200, "body": json.dumps({"count": len(rows)})}


def thumbnail(event, context):
    body = json.loads(event["body"])
    src = os.path.join(TMP, "in.jpg")
    s3.download_file(BUCKET, body["key"], src)
    size = body.get("size", "200x200")
    subprocess.run(f"convert {src} -resize {size} {TMP}/out.jpg", shell=True, check=True)  # VULN: command-injection
    return {"statusCode": 200, "body": json.dumps({"ok": True})}


def thumbnail_v2(event, context):
    body = json.loads(event["body"])
    src = os.path.join(TMP, "in.jpg")
    s3.download_file(BUCKET, body["key"], src)
    subprocess.run(["convert", src, "-resize", str(body.get("size", "200x200")), f"{TMP}/out.jpg"], check=True)  # SAFE: command-injection
    return {"statusCode": 200, "body": json.dumps({"ok": True})}


def import_from_url(event, context):
    body = json.loads(event["body"])
    with urllib.request.urlopen(body["source_url"], timeout=10) as resp:  # VULN: ssrf
        data = resp.read()
    s3.put_object(Bucket=BUCKET, Key="imports/latest", Body=data)
    return {"statusCode": 202, "body": "{}"}


def read_template(event, context):
    name = event["pathParameters"]["template"]
    with open(os.path.join("/opt/templates", name)) as fh:  # VULN: path-traversal
        return {"statusCode": 200, "body": fh.read()}


def read_template_v2(event, context):
    name = os.path.basename(event["pathParameters"]["template"])
    with open(os.path.join("/opt/templates", name + ".html")) as fh:  # SAFE: path-traversal
        return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": fh.read()}


def audit(event, context):
    # API clients authenticate with "Authorization: Bearer <api key>", so event["headers"] carries the key.
    logger.info("request body: " + event["body"])  # VULN: log-injection
    logger.info("request from %s headers=%s", event["requestContext"]["identity"]["sourceIp"], event["headers"])  # VULN: sensitive-logging
    return {"statusCode": 204}


def audit_v2(event, context):
    logger.info(json.dumps({"path": event.get("path"), "method": event.get("httpMethod"), "request_id": context.aws_request_id}))  # SAFE: log-injection
    return {"statusCode": 204}
