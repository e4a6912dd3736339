import json
import logging

import stripe
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from .models import Address, Order

logger = logging.getLogger("shop.accounts")


@csrf_exempt  # VULN: csrf
@login_required
@require_POST
def update_shipping_address(request):
    address, _ = Address.objects.get_or_create(user=request.user)
    address.line1 = request.POST["line1"]
    address.city = request.POST["city"]
    address.postcode = request.POST["postcode"]
    address.save()
    return redirect("account-overview")


@csrf_exempt  # VULN: csrf
@login_required
@require_POST
def cancel_order(request, order_id):
    order = Order.objects.get(pk=order_id, customer=request.user)
    order.status = "cancelled"
    order.save(update_fields=["status"])
    return JsonResponse({"ok": True})


@csrf_protect  # SAFE: csrf
@login_required
@require_POST
def change_email(request):
    request.user.email = request.POST["email"]
    request.user.save(update_fields=["email"])
    return redirect("account-overview")


# Stripe calls this endpoint server-to-server; authenticity comes from the signature header.
@csrf_exempt  # SAFE: csrf
@require_POST
def stripe_webhook(request):
    signature = request.META.get("HTTP_STRIPE_SIGNATURE", "")
    try:
        event = stripe.Webhook.construct_event(request.body, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.error.SignatureVerificationError):
        return HttpResponseBadRequest("bad signature")
    if event["type"] == "checkout.session.completed":
        Order.objects.filter(stripe_session=event["data"]["object"]["id"]).update(status="paid")
    return HttpResponse(status=204)


@require_POST
def login_view(request):
    username = request.POST.get("username", "")
    password = request.POST.get("password", "")
    user = authenticate(request, username=username, password=password)
    if user is None:
        logger.warning(f"failed login for user {username} from {request.META.get('REMOTE_ADDR')}")  # VULN: log-injection
        logger.info("login attempt username=%s password=%s", username, password)  # VULN: sensitive-logging
        return HttpResponse("Invalid credentials", status=401)
    login(request, user)
    logger.info("login ok for user_id=%d", user.pk)  # SAFE: sensitive-logging
    return redirect("account-overview")


@login_required
@require_POST
def api_preferences(request):
    prefs = json.loads(request.body or b"{}")
    theme = str(prefs.get("theme", "light"))
    logger.info("user %d set theme %r", request.user.pk, theme)  # SAFE: log-injection
    request.user.profile.theme = theme[:20]
    request.user.profile.save()
    return JsonResponse({"theme": theme})
