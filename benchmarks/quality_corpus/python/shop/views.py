import os

from django.conf import settings
from django.db.models.expressions import RawSQL
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from .models import Invoice, Product

INVOICE_DIR = os.path.join(settings.MEDIA_ROOT, "invoices")
SORTABLE_COLUMNS = {"name": "name", "price": "price", "newest": "created_at"}


@require_GET
def product_search(request):
    term = request.GET.get("q", "")
    products = Product.objects.raw(f"SELECT * FROM shop_product WHERE name LIKE '%{term}%'")  # VULN: sql-injection
    return render(request, "shop/search.html", {"products": products, "term": term})


@require_GET
def category_listing(request, slug):
    order = SORTABLE_COLUMNS.get(request.GET.get("sort"), "name")
    sql = "SELECT * FROM shop_product WHERE category_slug = %s ORDER BY " + order
    products = Product.objects.raw(sql, [slug])  # SAFE: sql-injection
    return render(request, "shop/category.html", {"products": products})


@require_GET
def discounted(request):
    min_pct = request.GET.get("min", "10")
    products = Product.objects.extra(where=["discount_pct >= " + min_pct])  # VULN: sql-injection
    return render(request, "shop/discounted.html", {"products": products})


@require_GET
def clearance(request):
    min_pct = request.GET.get("min", "50")
    products = Product.objects.extra(where=["discount_pct >= %s"], params=[min_pct])  # SAFE: sql-injection
    return render(request, "shop/discounted.html", {"products": products})


@require_GET
def ranked(request):
    field = request.GET.get("rank_by", "stars")
    score = RawSQL(f"SELECT AVG({field}) FROM shop_review r WHERE r.product_id = shop_product.id", [])  # VULN: sql-injection
    products = Product.objects.annotate(score=score).order_by("-score")[:50]
    return render(request, "shop/ranked.html", {"products": products})


@require_GET
def top_rated(request):
    min_stars = int(request.GET.get("min_stars", 4))
    score = RawSQL("SELECT COUNT(*) FROM shop_review r WHERE r.product_id = shop_product.id AND r.stars >= %s", (min_stars,))  # SAFE: sql-injection
    products = Product.objects.annotate(score=score).order_by("-score")[:50]
    return render(request, "shop/ranked.html", {"products": products})


@require_GET
def search_banner(request):
    term = request.GET.get("q", "")
    banner = mark_safe("<div class='banner'>Results for <b>%s</b></div>" % term)  # VULN: xss
    return render(request, "shop/banner.html", {"banner": banner})


@require_GET
def search_banner_v2(request):
    term = request.GET.get("q", "")
    banner = format_html("<div class='banner'>Results for <b>{}</b></div>", term)  # SAFE: xss
    return render(request, "shop/banner.html", {"banner": banner})


@require_GET
def product_badge(request, product_id):
    product = get_object_or_404(Product, pk=product_id)
    label = request.GET.get("label", product.name)
    badge = mark_safe("<span class='badge'>" + escape(label) + "</span>")  # SAFE: xss
    return render(request, "shop/badge.html", {"badge": badge})


@require_GET
def not_found_hint(request):
    term = request.GET.get("q", "")
    return HttpResponse(f"<h2>No product named {term}</h2><a href='/'>Back</a>")  # VULN: xss


@require_GET
def continue_shopping(request):
    target = request.GET.get("next", "/")
    return HttpResponseRedirect(target)  # VULN: open-redirect


@require_POST
def switch_currency(request):
    request.session["currency"] = request.POST.get("currency", "EUR")
    nxt = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        nxt = "/"
    return HttpResponseRedirect(nxt)  # SAFE: open-redirect


@require_GET
def download_invoice(request):
    name = request.GET["file"]
    path = os.path.join(INVOICE_DIR, name)
    return FileResponse(open(path, "rb"), as_attachment=True)  # VULN: path-traversal


@require_GET
def download_my_invoice(request, invoice_id):
    invoice = get_object_or_404(Invoice, pk=invoice_id, customer=request.user)
    path = os.path.join(INVOICE_DIR, f"{invoice.number}.pdf")
    return FileResponse(open(path, "rb"), as_attachment=True)  # SAFE: path-traversal
