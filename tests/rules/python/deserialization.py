import base64
import hmac
import json
import marshal
import pickle
import shelve
import socket
import sys

import dill
import jsonpickle
import pandas as pd
import requests
import torch
import yaml
from flask import Flask, request
from yaml import Loader

app = Flask(__name__)


@app.route("/session", methods=["POST"])
def restore_session():
    raw = request.form.get("state")
    blob = base64.b64decode(raw)
    # ruleid: py-deserialization-untrusted, py-pickle-deserialization
    state = pickle.loads(blob)
    return str(state)


@app.route("/upload", methods=["POST"])
def upload_model():
    f = request.files["model"]
    # ruleid: py-deserialization-untrusted, py-pickle-deserialization
    obj = pickle.load(f)
    return str(obj)


@app.route("/config", methods=["POST"])
def load_config():
    body = request.get_data()
    # ruleid: py-deserialization-untrusted, py-yaml-unsafe-load
    cfg = yaml.load(body, Loader=yaml.Loader)
    return cfg


@app.route("/config2", methods=["POST"])
def load_config_full():
    # ruleid: py-deserialization-untrusted, py-yaml-unsafe-load
    return yaml.load(request.data, Loader=yaml.FullLoader)


@app.route("/config3", methods=["POST"])
def load_config_unsafe():
    text = request.data.decode()
    # ruleid: py-deserialization-untrusted, py-yaml-unsafe-load
    return yaml.unsafe_load(text)


@app.route("/config-safe", methods=["POST"])
def load_config_safe():
    # ok: py-deserialization-untrusted, py-yaml-unsafe-load
    return yaml.load(request.data, Loader=yaml.SafeLoader)


@app.route("/config-safe2", methods=["POST"])
def load_config_safe2():
    # ok: py-deserialization-untrusted, py-yaml-unsafe-load
    return yaml.safe_load(request.data)


@app.route("/json", methods=["POST"])
def load_json():
    # ok: py-deserialization-untrusted
    return json.loads(request.data)


def handler(event, context):
    payload = event["body"]
    data = base64.b64decode(payload)
    # ruleid: py-deserialization-untrusted, py-pickle-deserialization
    obj = dill.loads(data)
    return {"statusCode": 200, "body": str(obj)}


def lambda_handler(event, context):
    # ruleid: py-deserialization-untrusted, py-pickle-deserialization
    obj = jsonpickle.decode(event["queryStringParameters"]["obj"])
    return obj


def lambda_handler_json(event, context):
    # ok: py-deserialization-untrusted
    obj = json.loads(event["body"])
    return obj


def serve(conn: socket.socket):
    chunk = conn.recv(4096)
    # ruleid: py-deserialization-untrusted, py-pickle-deserialization
    return marshal.loads(chunk)


def fetch_remote_frame(url):
    resp = requests.get(url, timeout=10)
    # ruleid: py-deserialization-untrusted, py-pickle-deserialization
    return pickle.loads(resp.content)


def cli():
    path = sys.argv[1]
    # ruleid: py-deserialization-untrusted, py-pickle-deserialization
    return pd.read_pickle(path)


def load_checkpoint_from_request():
    path = request.args["ckpt"]
    # ruleid: py-deserialization-untrusted, py-torch-load-unsafe
    return torch.load(path)


def load_checkpoint_safe():
    path = request.args["ckpt"]
    # ok: py-deserialization-untrusted, py-torch-load-unsafe
    return torch.load(path, weights_only=True)


SECRET = b"k"


@app.route("/signed", methods=["POST"])
def signed_restore():
    data = request.get_data()
    sig, payload = data[:32], data[32:]
    expected = hmac.new(SECRET, payload, "sha256").digest()
    if not hmac.compare_digest(sig, expected):
        return "bad signature", 400
    # ok: py-deserialization-untrusted, py-pickle-deserialization
    return str(pickle.loads(payload))


class CacheStore:
    def __init__(self, path):
        self.path = path

    def get(self, key):
        # ruleid: py-pickle-deserialization
        db = shelve.open(self.path)
        return db.get(key)

    def read(self, blob):
        # ruleid: py-pickle-deserialization
        return pickle.loads(blob)


def deep_copy(obj):
    # ok: py-pickle-deserialization
    return pickle.loads(pickle.dumps(obj))


def load_local_cache():
    with open("cache/index.pkl", "rb") as fh:
        # ok: py-pickle-deserialization
        return pickle.load(fh)


def load_config_file(path):
    with open(path) as fh:
        # ruleid: py-yaml-unsafe-load
        return yaml.load(fh, Loader)


def load_config_file_safe(path):
    with open(path) as fh:
        # ok: py-yaml-unsafe-load
        return yaml.load(fh, Loader=yaml.CSafeLoader)


def load_model(path):
    # ruleid: py-torch-load-unsafe
    model = torch.load(path, map_location="cpu")
    return model


def load_model_safe(path):
    # ok: py-torch-load-unsafe
    return torch.load(path, map_location="cpu", weights_only=True)
