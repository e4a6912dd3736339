"""Upload handling for the photo-album service (Flask)."""

import os
import shutil
import uuid
import zipfile
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, request, send_file
from PIL import Image
from werkzeug.utils import secure_filename

bp = Blueprint("media", __name__, url_prefix="/media")
UPLOAD_ROOT = Path("/srv/albums")
THUMB_ROOT = Path("/srv/albums/.thumbs")


def album_dir(album_id: int) -> Path:
    return UPLOAD_ROOT / str(album_id)


@bp.post("/albums/<int:album_id>/photos")
def upload_photo(album_id):
    f = request.files["photo"]
    dest = os.path.join(album_dir(album_id), f.filename)
    f.save(dest)  # VULN: path-traversal
    return jsonify({"saved": f.filename})


@bp.post("/v2/albums/<int:album_id>/photos")
def upload_photo_v2(album_id):
    f = request.files["photo"]
    name = secure_filename(f.filename) or f"{uuid.uuid4().hex}.jpg"
    f.save(album_dir(album_id) / name)  # SAFE: path-traversal
    return jsonify({"saved": name})


@bp.post("/albums/<int:album_id>/import-zip")
def import_zip(album_id):
    target = album_dir(album_id)
    with zipfile.ZipFile(request.files["archive"]) as zf:
        for member in zf.infolist():
            if member.is_dir():
                continue
            with zf.open(member) as src, open(target / member.filename, "wb") as dst:  # VULN: path-traversal
                shutil.copyfileobj(src, dst)
    return jsonify({"ok": True})


@bp.post("/v2/albums/<int:album_id>/import-zip")
def import_zip_v2(album_id):
    with zipfile.ZipFile(request.files["archive"]) as zf:
        zf.extractall(album_dir(album_id))  # SAFE: path-traversal
    return jsonify({"ok": True})


@bp.get("/thumbs")
def thumbnail():
    rel = request.args["path"]
    img = Image.open(UPLOAD_ROOT / rel)  # VULN: path-traversal
    img.thumbnail((256, 256))
    out = THUMB_ROOT / f"{uuid.uuid4().hex}.png"
    img.save(out)
    return send_file(out, mimetype="image/png")


@bp.post("/albums/<int:album_id>/rename")
def rename_photo(album_id):
    src = album_dir(album_id) / request.form["from"]
    dst = album_dir(album_id) / request.form["to"]
    shutil.move(src, dst)  # VULN: path-traversal
    return jsonify({"ok": True})


@bp.post("/v2/albums/<int:album_id>/rename")
def rename_photo_v2(album_id):
    base = album_dir(album_id).resolve()
    src = (base / request.form["from"]).resolve()
    dst = (base / secure_filename(request.form["to"])).resolve()
    if src.parent != base or dst.parent != base:
        abort(400)
    src.rename(dst)  # SAFE: path-traversal
    return jsonify({"ok": True})


@bp.get("/albums/<int:album_id>/cover")
def cover(album_id):
    path = album_dir(album_id) / "cover.jpg"
    if not path.exists():
        path = Path(current_app.static_folder) / "default-cover.jpg"
    return send_file(path, mimetype="image/jpeg")  # SAFE: path-traversal
