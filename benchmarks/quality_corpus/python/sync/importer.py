"""Import endpoints for the CI-config service: teams paste pipeline definitions or upload exports."""

import base64
import marshal
import shelve
import types

import jsonpickle
import pandas as pd
import yaml
from flask import Blueprint, jsonify, request

bp = Blueprint("importer", __name__, url_prefix="/import")
CACHE_PATH = "/var/cache/ci-config/pipelines"


@bp.post("/pipeline")
def import_pipeline():
    definition = yaml.load(request.get_data(as_text=True), Loader=yaml.Loader)  # VULN: deserialization
    return jsonify({"stages": list(definition.get("stages", []))})


@bp.post("/pipeline/v2")
def import_pipeline_v2():
    definition = yaml.safe_load(request.get_data(as_text=True))  # SAFE: deserialization
    return jsonify({"stages": list(definition.get("stages", []))})


@bp.post("/pipeline/v3")
def import_pipeline_v3():
    definition = yaml.load(request.files["file"].stream, Loader=yaml.SafeLoader)  # SAFE: deserialization
    return jsonify({"stages": list(definition.get("stages", []))})


def parse_legacy(text):
    return yaml.unsafe_load(text)  # VULN: deserialization


@bp.post("/legacy")
def import_legacy():
    return jsonify(parse_legacy(request.form["config"]))


@bp.post("/session-state")
def import_session_state():
    blob = request.headers.get("X-Session-State", "")
    state = jsonpickle.decode(base64.b64decode(blob).decode())  # VULN: deserialization
    return jsonify({"restored": type(state).__name__})


@bp.post("/hooks/compiled")
def import_compiled_hook():
    code = marshal.loads(request.files["hook"].read())  # VULN: deserialization
    hook = types.FunctionType(code, {})
    return jsonify({"name": hook.__name__})


@bp.post("/table")
def import_table():
    frame = pd.read_pickle(request.files["table"])  # VULN: deserialization
    return jsonify({"rows": len(frame)})


@bp.post("/table/csv")
def import_table_csv():
    frame = pd.read_csv(request.files["table"])  # SAFE: deserialization
    return jsonify({"rows": len(frame)})


def cached_pipeline(pipeline_id: int):
    with shelve.open(CACHE_PATH, flag="r") as db:
        return db.get(str(pipeline_id))  # SAFE: deserialization
