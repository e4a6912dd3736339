import hashlib
import hmac
import json
import unittest

import stripe
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

app = Flask(__name__)
csrf = CSRFProtect(app)


@csrf_exempt
# ruleid: py-django-csrf-exempt
def transfer_funds(request):
    if request.method == "POST":
        request.user.account.transfer(request.POST["to"], request.POST["amount"])
    return HttpResponse("ok")


@method_decorator(csrf_exempt, name="dispatch")
# ruleid: py-django-csrf-exempt
class ProfileUpdateView(View):
    def post(self, request):
        request.user.email = request.POST["email"]
        request.user.save()
        return JsonResponse({"ok": True})


def update_settings(request):
    return HttpResponse("ok")


# ruleid: py-django-csrf-exempt
update_settings_view = csrf_exempt(update_settings)


@csrf_exempt
# ok: py-django-csrf-exempt
def github_webhook(request):
    signature = request.META.get("HTTP_X_HUB_SIGNATURE_256", "")
    expected = "sha256=" + hmac.new(b"k", request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        return HttpResponse(status=403)
    return HttpResponse("ok")


@csrf_exempt
# ok: py-django-csrf-exempt
def stripe_webhook(request):
    try:
        event = stripe.Webhook.construct_event(
            request.body, request.META["HTTP_STRIPE_SIGNATURE"], "whsec"
        )
    except ValueError:
        return HttpResponse(status=400)
    return JsonResponse({"type": event["type"]})


# ok: py-django-csrf-exempt
def normal_view(request):
    return HttpResponse("ok")


# ruleid: py-flask-csrf-disabled
app.config["WTF_CSRF_ENABLED"] = False


@csrf.exempt
@app.route("/api/transfer", methods=["POST"])
# ruleid: py-flask-csrf-disabled
def api_transfer():
    return json.dumps({"ok": request.form["amount"]})


class ProductionConfig:
    SECRET_KEY = None
    # ruleid: py-flask-csrf-disabled
    WTF_CSRF_ENABLED = False


class TestingConfig:
    TESTING = True
    # ok: py-flask-csrf-disabled
    WTF_CSRF_ENABLED = False


class ViewTests(unittest.TestCase):
    def setUp(self):
        # ok: py-flask-csrf-disabled
        app.config["WTF_CSRF_ENABLED"] = False
        self.client = app.test_client()
