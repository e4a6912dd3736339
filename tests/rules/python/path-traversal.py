import os
import shutil
from pathlib import Path

from django.http import FileResponse, HttpResponse
from flask import Flask, abort, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOAD_DIR = "/srv/uploads"
BASE_DIR = Path("/srv/data")


@app.route("/download")
def download():
    name = request.args.get("file")
    path = os.path.join(UPLOAD_DIR, name)
    # ruleid: py-path-traversal-taint
    return send_file(path)


@app.route("/read/<path:filename>")
def read(filename):
    # ruleid: py-path-traversal-taint
    with open(os.path.join("/var/www/docs", filename)) as fh:
        return fh.read()


@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["document"]
    # ruleid: py-path-traversal-taint
    f.save(os.path.join(UPLOAD_DIR, f.filename))
    return "saved"


@app.route("/notes")
def notes():
    note = BASE_DIR / request.args["note"]
    # ruleid: py-path-traversal-taint
    return note.read_text()


def delete_report(request):
    report = request.POST["report"]
    # ruleid: py-path-traversal-taint
    os.remove(f"/srv/reports/{report}")
    return HttpResponse("deleted")


def serve(request):
    fname = request.GET.get("name")
    full = "/srv/media/" + fname
    # ruleid: py-path-traversal-taint
    return FileResponse(open(full, "rb"))


def handler(event, context):
    key = event["pathParameters"]["key"]
    # ruleid: py-path-traversal-taint
    shutil.copy(f"/tmp/cache/{key}", "/tmp/out")
    # ruleid: py-path-traversal-taint
    data = Path("/tmp/cache", key).read_bytes()
    return {"statusCode": 200, "body": len(data)}


# ---------------------------------------------------------------- safe code


@app.route("/download/safe")
def download_safe():
    name = request.args.get("file")
    # ok: py-path-traversal-taint
    return send_from_directory(UPLOAD_DIR, name)


@app.route("/upload/safe", methods=["POST"])
def upload_safe():
    f = request.files["document"]
    filename = secure_filename(f.filename)
    # ok: py-path-traversal-taint
    f.save(os.path.join(UPLOAD_DIR, filename))
    name = os.path.basename(request.form["name"])
    # ok: py-path-traversal-taint
    with open(os.path.join(UPLOAD_DIR, name), "w") as out:
        out.write("x")
    return "saved"


@app.route("/read/safe")
def read_safe():
    requested = request.args["file"]
    full = os.path.realpath(os.path.join(UPLOAD_DIR, requested))
    if not full.startswith(UPLOAD_DIR + os.sep):
        abort(403)
    # ok: py-path-traversal-taint
    return send_file(full)


@app.route("/notes/safe")
def notes_safe():
    note = (BASE_DIR / request.args["note"]).resolve()
    if not note.is_relative_to(BASE_DIR):
        abort(404)
    # ok: py-path-traversal-taint
    return note.read_text()


def read_config():
    # ok: py-path-traversal-taint
    with open("/etc/app/config.yaml") as fh:
        return fh.read()


def export(request):
    report_id = int(request.GET["id"])
    # ok: py-path-traversal-taint
    return FileResponse(open(f"/srv/reports/{report_id}.pdf", "rb"))
