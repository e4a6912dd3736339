"""Checkout return/cancel handling for the hosted payment page (Django)."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Order

logger = logging.getLogger("shop.checkout")


@login_required
def payment_cancelled(request, order_id):
    order = get_object_or_404(Order, pk=order_id, customer=request.user)
    order.mark_cancelled()
    return HttpResponseRedirect(request.GET.get("cancel_url", "/cart/"))  # VULN: open-redirect


@login_required
def payment_cancelled_v2(request, order_id):
    order = get_object_or_404(Order, pk=order_id, customer=request.user)
    order.mark_cancelled()
    cancel_url = request.GET.get("cancel_url", "/cart/")
    if not url_has_allowed_host_and_scheme(cancel_url, allowed_hosts=settings.ALLOWED_HOSTS, require_https=True):
        cancel_url = reverse("cart")
    return HttpResponseRedirect(cancel_url)  # SAFE: open-redirect


@login_required
def payment_returned(request, order_id):
    order = get_object_or_404(Order, pk=order_id, customer=request.user)
    logger.info("payment return for order %s: psp_token=%s", order.pk, request.GET.get("psp_token"))  # VULN: sensitive-logging
    logger.info("payment return for order %s status=%s", order.pk, order.status)  # SAFE: sensitive-logging
    return redirect("order-detail", pk=order.pk)  # SAFE: open-redirect


def regional_store(request):
    region = request.GET.get("region", "eu")
    return HttpResponsePermanentRedirect("https://" + region + ".shop.example.com/")  # VULN: open-redirect


def legacy_product_url(request, slug):
    return HttpResponsePermanentRedirect(reverse("product-detail", kwargs={"slug": slug}))  # SAFE: open-redirect
