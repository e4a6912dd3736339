"""Internal ops dashboard (Flask) used by support staff to diagnose customer sites."""

import os
import re
import shlex
import subprocess

from flask import Blueprint, abort, jsonify, request

bp = Blueprint("ops", __name__, url_prefix="/ops")

HOSTNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$")
REPO_ROOT = "/srv/repos"


@bp.get("/ping")
def ping():
    host = request.args.get("host", "")
    out = subprocess.check_output("ping -c 3 " + host, shell=True, text=True, timeout=20)  # VULN: command-injection
    return jsonify({"output": out})


@bp.get("/ping2")
def ping_list_args():
    host = request.args.get("host", "")
    out = subprocess.run(["ping", "-c", "3", "--", host], capture_output=True, text=True, timeout=20).stdout  # SAFE: command-injection
    return jsonify({"output": out})


@bp.get("/dig")
def dig():
    domain = request.args.get("domain", "")
    record = request.args.get("type", "A")
    stream = os.popen(f"dig +short {record} {domain}")  # VULN: command-injection
    return jsonify({"answers": stream.read().split()})


@bp.get("/traceroute")
def traceroute():
    host = request.args.get("host", "")
    if not HOSTNAME_RE.match(host):
        abort(400)
    out = subprocess.run(f"traceroute -m 15 {shlex.quote(host)}", shell=True, capture_output=True, text=True).stdout  # SAFE: command-injection
    return jsonify({"output": out})


@bp.post("/repos/log")
def repo_log():
    repo = os.path.basename(request.json["repo"])
    branch = request.json.get("branch", "main")
    out = subprocess.run(["git", "-C", os.path.join(REPO_ROOT, repo), "log", "--oneline", "-n", "20", "--end-of-options", branch], capture_output=True, text=True).stdout  # SAFE: command-injection
    return jsonify({"log": out.splitlines()})


@bp.post("/repos/archive")
def repo_archive():
    repo = request.json["repo"]
    tag = request.json["tag"]
    cmd = "cd %s/%s && git archive --format=tar.gz -o /tmp/%s.tar.gz %s" % (REPO_ROOT, repo, repo, tag)
    rc = os.system(cmd)  # VULN: command-injection
    return jsonify({"rc": rc})


def restart_service(name):
    return subprocess.Popen("systemctl restart " + name, shell=True)  # VULN: command-injection


@bp.post("/services/restart")
def restart():
    restart_service(request.form["service"])
    return jsonify({"ok": True})


@bp.get("/disk")
def disk_usage():
    out = subprocess.check_output("df -h / /srv | tail -n +2", shell=True, text=True)  # SAFE: command-injection
    return jsonify({"df": out})
