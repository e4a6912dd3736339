"""Customer-support ticket views (Django). Tickets are written by customers and read by support staff."""

import logging
import os

import bleach
import markdown
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils._os import safe_join
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_POST

from .models import Ticket

logger = logging.getLogger("support")
ALLOWED_TAGS = ["p", "b", "i", "em", "strong", "a", "ul", "ol", "li", "code", "pre"]


@staff_member_required
def ticket_detail(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk)
    body_html = mark_safe(markdown.markdown(ticket.body))  # VULN: xss
    return render(request, "support/ticket.html", {"ticket": ticket, "body_html": body_html})


@staff_member_required
def ticket_detail_v2(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk)
    cleaned = bleach.clean(markdown.markdown(ticket.body), tags=ALLOWED_TAGS, attributes={"a": ["href"]}, protocols=["http", "https", "mailto"])
    return render(request, "support/ticket.html", {"ticket": ticket, "body_html": mark_safe(cleaned)})  # SAFE: xss


@staff_member_required
def ticket_subject_chip(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk)
    return HttpResponse(SafeString(f"<span class='chip'>{ticket.subject}</span>"))  # VULN: xss


@staff_member_required
def ticket_subject_chip_v2(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk)
    return HttpResponse(f"<span class='chip'>{escape(ticket.subject)}</span>")  # SAFE: xss


@login_required
@require_POST
def close_ticket(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk, customer=request.user)
    ticket.close()
    return redirect(request.POST.get("return_to", "/support/"))  # VULN: open-redirect


@login_required
@require_POST
def reopen_ticket(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk, customer=request.user)
    ticket.reopen()
    return redirect("support:ticket-detail", pk=ticket.pk)  # SAFE: open-redirect


@login_required
def my_tickets(request):
    return redirect(reverse("support:list") + "?status=open")  # SAFE: open-redirect


@login_required
def attachment(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk, customer=request.user)
    name = request.GET["name"]
    return FileResponse(open(os.path.join(settings.MEDIA_ROOT, "tickets", str(ticket.pk), name), "rb"))  # VULN: path-traversal


@login_required
def attachment_v2(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk, customer=request.user)
    path = safe_join(settings.MEDIA_ROOT, "tickets", str(ticket.pk), request.GET["name"])
    return FileResponse(open(path, "rb"))  # SAFE: path-traversal


@login_required
def attachment_v3(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk, customer=request.user)
    return FileResponse(default_storage.open(f"tickets/{ticket.pk}/{request.GET['name']}"))  # SAFE: path-traversal


@csrf_exempt  # VULN: csrf
@login_required
@require_POST
def delete_ticket(request, pk):
    get_object_or_404(Ticket, pk=pk, customer=request.user).delete()
    logger.info("ticket %s deleted by " + request.user.username + " reason=" + request.POST.get("reason", ""), pk)  # VULN: log-injection
    return JsonResponse({"deleted": pk})


@ensure_csrf_cookie  # SAFE: csrf
@login_required
def new_ticket_form(request):
    return render(request, "support/new.html")


@login_required
@require_POST
def rate_ticket(request, pk):
    score = int(request.POST.get("score", "0"))
    logger.info("ticket %d rated %d by user %d", int(pk), score, request.user.pk)  # SAFE: log-injection
    return JsonResponse({"ok": True})
