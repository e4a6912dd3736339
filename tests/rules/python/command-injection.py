import asyncio
import os
import shlex
import subprocess
import sys

from flask import Flask, request

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args.get("host")
    # ruleid: py-command-injection-taint, py-os-system-nonconstant
    os.system("ping -c 1 " + host)
    return "ok"


@app.route("/lookup", methods=["POST"])
def lookup():
    domain = request.form["domain"]
    cmd = f"nslookup {domain}"
    # ruleid: py-command-injection-taint, py-subprocess-shell-true-nonconstant
    out = subprocess.check_output(cmd, shell=True)
    return out


@app.route("/convert")
def convert():
    name = request.args["file"]
    # ruleid: py-command-injection-taint, py-os-system-nonconstant
    output = os.popen("convert %s out.png" % name).read()
    return output


@app.route("/run")
def run_tool():
    tool = request.args.get("tool")
    # ruleid: py-command-injection-taint
    subprocess.run([tool, "--version"], capture_output=True)
    # ruleid: py-command-injection-taint
    subprocess.run(["bash", "-c", "echo " + tool])


def archive_view(request):
    path = request.POST.get("path")
    # ruleid: py-command-injection-taint, py-subprocess-shell-true-nonconstant
    subprocess.Popen("tar czf /tmp/out.tgz {}".format(path), shell=True).wait()


def handler(event, context):
    repo = event["queryStringParameters"]["repo"]
    # ruleid: py-command-injection-taint, py-subprocess-shell-true-nonconstant
    subprocess.call("git clone " + repo, shell=True)


def main():
    target = sys.argv[1]
    # ruleid: py-command-injection-taint, py-os-system-nonconstant
    os.system(f"nmap {target}")
    # ruleid: py-command-injection-taint
    subprocess.run(shlex.split(input("command> ")))


async def async_handler(event, context):
    # ruleid: py-command-injection-taint, py-subprocess-shell-true-nonconstant
    proc = await asyncio.create_subprocess_shell("du -sh " + event["dir"])
    await proc.wait()


# helpers without a visible request source: still risky, reported with lower confidence
def backup(dirname):
    # ruleid: py-subprocess-shell-true-nonconstant
    return subprocess.run(f"tar czf backup.tgz {dirname}", shell=True, check=True)


def notify(msg):
    # ruleid: py-os-system-nonconstant
    os.system('notify-send "%s"' % msg)


# ---------------------------------------------------------------- safe code


@app.route("/ping/safe")
def ping_safe():
    host = request.args.get("host")
    # ok: py-command-injection-taint, py-subprocess-shell-true-nonconstant
    subprocess.run(["ping", "-c", "1", host], check=True)
    # ok: py-command-injection-taint, py-subprocess-shell-true-nonconstant
    subprocess.run("ping -c 1 " + shlex.quote(host), shell=True)
    # ok: py-command-injection-taint, py-os-system-nonconstant
    os.system("ping -c 1 %s" % shlex.quote(host))
    return "ok"


ALLOWED_TOOLS = {"git", "ls"}


@app.route("/tool/safe")
def tool_safe():
    tool = request.args.get("tool")
    if tool not in ALLOWED_TOOLS:
        return "forbidden", 403
    # ok: py-command-injection-taint
    subprocess.run([tool, "--version"])
    count = int(request.args["n"])
    # ok: py-command-injection-taint
    # todook: py-subprocess-shell-true-nonconstant
    subprocess.run(f"head -n {count} /var/log/app.log", shell=True)


BUILD_CMD = "make -j4"


def build():
    cmd = "make clean && make"
    # ok: py-subprocess-shell-true-nonconstant
    subprocess.run(cmd, shell=True, check=True)
    # ok: py-subprocess-shell-true-nonconstant
    subprocess.run(BUILD_CMD, shell=True)
    # ok: py-os-system-nonconstant
    os.system("clear")
    args = ["git", "status"]
    # ok: py-subprocess-shell-true-nonconstant
    subprocess.run(args, shell=False)
    # ok: py-subprocess-shell-true-nonconstant
    subprocess.run(" ".join(shlex.quote(a) for a in args), shell=True)


def run_list(files):
    # ok: py-command-injection-taint, py-subprocess-shell-true-nonconstant
    subprocess.check_call(["rm", "-f", "--"] + files)


COMMANDS = {"disk": "df -h", "mem": "free -m"}


@app.route("/stats")
def stats():
    # ok: py-command-injection-taint, py-subprocess-shell-true-nonconstant
    return subprocess.check_output(COMMANDS[request.args["kind"]], shell=True)
