"""Model-serving API: customers upload fine-tuned checkpoints and feature snapshots."""

import io
import json
import os
import pickle
from pathlib import Path

import dill
import joblib
import numpy as np
import torch
from fastapi import FastAPI, File, HTTPException, UploadFile
from safetensors.torch import load_file as load_safetensors

app = FastAPI()
UPLOAD_DIR = Path("/srv/models/uploads")
BUNDLED_TOKENIZER = Path(__file__).with_name("tokenizer_vocab.pkl")


@app.post("/models/checkpoint")
async def upload_checkpoint(file: UploadFile = File(...)):
    raw = await file.read()
    state = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=False)  # VULN: deserialization
    return {"keys": list(state)[:20]}


@app.post("/models/checkpoint/v2")
async def upload_checkpoint_v2(file: UploadFile = File(...)):
    raw = await file.read()
    state = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)  # SAFE: deserialization
    return {"keys": list(state)[:20]}


@app.post("/models/safetensors")
async def upload_safetensors(file: UploadFile = File(...)):
    dest = UPLOAD_DIR / f"{os.urandom(8).hex()}.safetensors"
    dest.write_bytes(await file.read())
    tensors = load_safetensors(str(dest))  # SAFE: deserialization
    return {"tensors": len(tensors)}


@app.post("/features/snapshot")
async def upload_features(file: UploadFile = File(...)):
    features = pickle.loads(await file.read())  # VULN: deserialization
    return {"rows": len(features)}


@app.post("/features/snapshot/npz")
async def upload_features_npz(file: UploadFile = File(...)):
    arrays = np.load(io.BytesIO(await file.read()), allow_pickle=False)  # SAFE: deserialization
    return {"arrays": list(arrays.keys())}


@app.post("/pipelines/sklearn")
async def upload_pipeline(file: UploadFile = File(...)):
    dest = UPLOAD_DIR / "pipeline.joblib"
    dest.write_bytes(await file.read())
    pipeline = joblib.load(dest)  # VULN: deserialization
    return {"steps": [name for name, _ in pipeline.steps]}


@app.post("/transforms")
async def upload_transform(file: UploadFile = File(...)):
    fn = dill.loads(await file.read())  # VULN: deserialization
    if not callable(fn):
        raise HTTPException(status_code=400)
    return {"name": getattr(fn, "__name__", "?")}


@app.post("/config")
async def upload_config(file: UploadFile = File(...)):
    cfg = json.loads(await file.read())  # SAFE: deserialization
    return {"keys": sorted(cfg)}


def load_tokenizer_vocab():
    with open(BUNDLED_TOKENIZER, "rb") as fh:
        return pickle.load(fh)  # SAFE: deserialization
