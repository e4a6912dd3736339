"""Dataset registry API: users share dataset snapshots and preprocessing configs."""

import base64
import io

import cloudpickle
import msgpack
import numpy as np
import pyarrow.parquet as pq
import yaml
from django.conf import settings
from django.core import signing
from django.http import JsonResponse
from django.views.decorators.http import require_POST
from itsdangerous import BadSignature, URLSafeTimedSerializer

state_serializer = URLSafeTimedSerializer(settings.SECRET_KEY, salt="dataset-wizard")


@require_POST
def upload_arrays(request):
    arrays = np.load(request.FILES["arrays"], allow_pickle=True)  # VULN: deserialization
    return JsonResponse({"shape": list(arrays.shape) if hasattr(arrays, "shape") else None})


@require_POST
def upload_table(request):
    table = pq.read_table(io.BytesIO(request.FILES["table"].read()))  # SAFE: deserialization
    return JsonResponse({"rows": table.num_rows})


@require_POST
def upload_preprocessor(request):
    fn = cloudpickle.loads(request.FILES["preprocessor"].read())  # VULN: deserialization
    return JsonResponse({"callable": callable(fn)})


@require_POST
def upload_config(request):
    cfg = yaml.load(request.body, Loader=yaml.UnsafeLoader)  # VULN: deserialization
    return JsonResponse({"keys": sorted(cfg)})


@require_POST
def upload_samples(request):
    samples = msgpack.unpackb(request.body, raw=False, strict_map_key=True)  # SAFE: deserialization
    return JsonResponse({"count": len(samples)})


def wizard_state(request):
    try:
        state = state_serializer.loads(request.COOKIES.get("wizard", ""), max_age=3600)  # SAFE: deserialization
    except BadSignature:
        state = {}
    return JsonResponse(state)


def share_link_payload(request):
    data = signing.loads(request.GET["share"], salt="dataset-share", max_age=86400)  # SAFE: deserialization
    return JsonResponse(data)


def legacy_share_link_payload(request):
    import pickle

    data = pickle.loads(base64.urlsafe_b64decode(request.GET["share"]))  # VULN: deserialization
    return JsonResponse(data)
