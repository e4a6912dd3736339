from flask import Blueprint, jsonify, request

from .db import SessionLocal
from .repository import SalesReportRepository, export_table_rows

bp = Blueprint("reports", __name__, url_prefix="/api/reports")


@bp.get("/revenue")
def revenue():
    with SessionLocal() as session:
        repo = SalesReportRepository(session)
        by_name = request.args.get("customer")
        if by_name:
            rows = repo.revenue_by_customer_name(by_name)
            return jsonify([list(r) for r in rows])
        return jsonify({"total": repo.revenue_for_region(request.args.get("region", "EU"))})


@bp.get("/orders")
def orders():
    with SessionLocal() as session:
        repo = SalesReportRepository(session)
        rows = repo.orders_sorted(request.args.get("sort", "created_at"), request.args.get("dir", "desc"))
        return jsonify([dict(r._mapping) for r in rows])


@bp.get("/export/<name>")
def export(name):
    rows = export_table_rows(name, request.headers.get("X-Tenant", "default"))
    return jsonify([dict(r._mapping) for r in rows])
