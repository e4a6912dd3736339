"""SMS one-time passwords and delivery receipts (Twilio)."""

import hmac
import logging
import os
import random
import secrets

from flask import Blueprint, abort, jsonify, request
from twilio.request_validator import RequestValidator
from twilio.rest import Client

log = logging.getLogger("notifications.sms")
bp = Blueprint("sms", __name__, url_prefix="/sms")

TWILIO_SID = "AC5f1e2d3c4b5a69788796a5b4c3d2e1f0"
TWILIO_AUTH_TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"  # VULN: hardcoded-secret
TWILIO_FROM = "+15005550006"

client = Client(TWILIO_SID, TWILIO_AUTH_TOKEN)
validator = RequestValidator(os.environ.get("TWILIO_AUTH_TOKEN", ""))  # SAFE: hardcoded-secret


def send_otp(phone: str) -> str:
    code = "".join(random.choice("0123456789") for _ in range(6))  # VULN: weak-random
    client.messages.create(to=phone, from_=TWILIO_FROM, body=f"Your code is {code}")
    log.info("sent OTP %s to %s", code, phone)  # VULN: sensitive-logging
    return code


def send_otp_v2(phone: str) -> str:
    code = "".join(secrets.choice("0123456789") for _ in range(6))  # SAFE: weak-random
    client.messages.create(to=phone, from_=TWILIO_FROM, body=f"Your code is {code}")
    log.info("sent OTP to phone ending %s", phone[-2:])  # SAFE: sensitive-logging
    return code


def check_otp(expected: str, submitted: str) -> bool:
    return hmac.compare_digest(expected, submitted)


@bp.post("/status")
def delivery_receipt():
    if not validator.validate(request.url, request.form, request.headers.get("X-Twilio-Signature", "")):
        abort(403)
    status = request.form.get("MessageStatus", "")
    log.info("delivery status %s for %s", status.replace("\n", " "), request.form.get("MessageSid", "")[:34].replace("\n", " "))  # SAFE: log-injection
    return "", 204


@bp.post("/inbound")
def inbound():
    body = request.form.get("Body", "")
    sender = request.form.get("From", "")
    log.info("inbound sms from " + sender + ": " + body)  # VULN: log-injection
    return jsonify({"ok": True})


@bp.post("/inbound/v2")
def inbound_v2():
    body = request.form.get("Body", "")
    log.info("inbound sms (%d chars): %r", len(body), body[:160])  # SAFE: log-injection
    return jsonify({"ok": True})


@bp.post("/resend")
def resend():
    phone = request.json["phone"]
    code = send_otp_v2(phone)
    log.warning(f"resend requested for {phone} via {request.headers.get('User-Agent')}")  # VULN: log-injection
    log.info("resend payload: %s", {"phone": phone, "code": code})  # VULN: sensitive-logging
    return jsonify({"sent": True})
