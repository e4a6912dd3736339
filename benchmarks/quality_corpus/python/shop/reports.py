"""Staff reports (Django) and the async stock endpoint (asyncpg)."""

import asyncpg
from django.contrib.admin.views.decorators import staff_member_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .models import Order


@require_GET
@staff_member_required
def orders_by_coupon(request):
    coupon = request.GET.get("coupon", "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, total FROM shop_order WHERE coupon_code = '%s'" % coupon)  # VULN: sql-injection
        rows = cursor.fetchall()
    return JsonResponse({"orders": rows})


@require_GET
@staff_member_required
def orders_by_coupon_v2(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, total FROM shop_order WHERE coupon_code = %s", [request.GET.get("coupon", "")])  # SAFE: sql-injection
        rows = cursor.fetchall()
    return JsonResponse({"orders": rows})


@require_GET
@staff_member_required
def orders_for_email(request):
    email = request.GET.get("email", "")
    orders = Order.objects.filter(customer__email__iexact=email).values("id", "total")  # SAFE: sql-injection
    return JsonResponse({"orders": list(orders)})


@require_GET
@staff_member_required
def orders_in_window(request):
    days = request.GET.get("days", "30")
    qs = Order.objects.raw("SELECT * FROM shop_order WHERE created_at > now() - interval '" + days + " days'")  # VULN: sql-injection
    return JsonResponse({"orders": [o.pk for o in qs]})


class StockRepo:
    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool

    async def by_supplier(self, supplier: str):
        async with self.pool.acquire() as conn:
            return await conn.fetch(f"SELECT sku, qty FROM stock WHERE supplier = '{supplier}'")  # VULN: sql-injection

    async def by_supplier_v2(self, supplier: str):
        async with self.pool.acquire() as conn:
            return await conn.fetch("SELECT sku, qty FROM stock WHERE supplier = $1", supplier)  # SAFE: sql-injection

    async def restock(self, sku: str, qty: int, note: str):
        async with self.pool.acquire() as conn:
            await conn.execute(f"UPDATE stock SET qty = qty + {qty}, note = '{note}' WHERE sku = $1", sku)  # VULN: sql-injection


async def stock_endpoint(request, repo: StockRepo):
    supplier = request.query_params.get("supplier", "")
    rows = await repo.by_supplier(supplier)
    await repo.restock(request.query_params["sku"], int(request.query_params.get("qty", "0")), request.query_params.get("note", ""))
    return [dict(r) for r in rows]
