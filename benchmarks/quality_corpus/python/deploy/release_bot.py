"""Release chat-bot: engineers type `/deploy <service> <version>` in Slack and this worker runs it."""

import asyncio
import logging
import os
import shlex

import boto3
import paramiko
from flask import Flask, abort, jsonify, request
from slack_sdk.signature import SignatureVerifier

app = Flask(__name__)
log = logging.getLogger("release-bot")
verifier = SignatureVerifier(os.environ["SLACK_SIGNING_SECRET"])

AWS_ACCESS_KEY_ID = "AKIAZ7Q3EXAMPLE4NTRL"
AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY91"  # VULN: hardcoded-secret
SLACK_BOT_TOKEN = os.environ.get("SLACK_BOT_TOKEN")  # SAFE: hardcoded-secret

ecs = boto3.client("ecs", region_name="eu-west-1", aws_access_key_id=AWS_ACCESS_KEY_ID, aws_secret_access_key=AWS_SECRET_ACCESS_KEY)
s3 = boto3.client("s3", region_name="eu-west-1")  # SAFE: hardcoded-secret
KNOWN_SERVICES = {"api", "worker", "web", "scheduler"}


def ssh_client(host: str) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.connect(host, username="deploy", key_filename="/etc/release-bot/id_ed25519")
    return client


async def run_migration(service: str, version: str):
    proc = await asyncio.create_subprocess_shell(f"./bin/migrate {service} --to {version}")  # VULN: command-injection
    return await proc.wait()


async def run_migration_v2(service: str, version: str):
    proc = await asyncio.create_subprocess_exec("./bin/migrate", service, "--to", version)  # SAFE: command-injection
    return await proc.wait()


def tail_remote_log(host: str, service: str, lines: str):
    client = ssh_client(host)
    _, stdout, _ = client.exec_command(f"tail -n {lines} /var/log/{service}/app.log")  # VULN: command-injection
    return stdout.read().decode()


def tail_remote_log_v2(host: str, service: str, lines: int):
    client = ssh_client(host)
    _, stdout, _ = client.exec_command("tail -n %d %s" % (lines, shlex.quote(f"/var/log/{service}/app.log")))  # SAFE: command-injection
    return stdout.read().decode()


@app.post("/slack/commands")
def slash_command():
    if not verifier.is_valid_request(request.get_data(), request.headers):
        abort(403)
    text = request.form.get("text", "")
    user = request.form.get("user_name", "?")
    log.info(f"/deploy requested by {user}: {text}")  # VULN: log-injection
    service, _, version = text.partition(" ")
    if service not in KNOWN_SERVICES:
        return jsonify({"text": "unknown service"})
    asyncio.run(run_migration(service, version))
    output = tail_remote_log("app-1.internal", service, request.form.get("lines", "50"))
    return jsonify({"text": output[-3000:]})


@app.post("/slack/events")
def events():
    log.info("slack event received: %s", request.get_json(silent=True))
    log.info("replying with bot token %s", SLACK_BOT_TOKEN)  # VULN: sensitive-logging
    log.info("replying with bot token ending in %s", (SLACK_BOT_TOKEN or "")[-4:])  # SAFE: sensitive-logging
    return "", 200
