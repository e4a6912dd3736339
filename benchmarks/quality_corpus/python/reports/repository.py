"""Reporting queries for the analytics dashboard (SQLAlchemy 2.x)."""

from datetime import date

from sqlalchemy import bindparam, column, create_engine, select, table, text
from sqlalchemy.orm import Session

from .config import DATABASE_URL

engine = create_engine(DATABASE_URL, pool_pre_ping=True)

ALLOWED_GROUPINGS = {"day": "date_trunc('day', created_at)", "week": "date_trunc('week', created_at)"}


class SalesReportRepository:
    def __init__(self, session: Session):
        self.session = session

    def revenue_for_region(self, region: str):
        stmt = text("SELECT sum(total) FROM orders WHERE region = :region")
        return self.session.execute(stmt, {"region": region}).scalar()  # SAFE: sql-injection

    def revenue_by_customer_name(self, customer_name: str):
        query = "SELECT c.name, sum(o.total) FROM orders o JOIN customers c ON c.id = o.customer_id "
        query += f"WHERE c.name ILIKE '%{customer_name}%' GROUP BY c.name"
        return self.session.execute(text(query)).all()  # VULN: sql-injection

    def orders_sorted(self, sort_column: str, direction: str):
        sql = "SELECT id, total, created_at FROM orders ORDER BY {} {}".format(sort_column, direction)
        return self.session.execute(text(sql)).all()  # VULN: sql-injection

    def orders_grouped(self, grouping: str, since: date):
        bucket = ALLOWED_GROUPINGS.get(grouping, ALLOWED_GROUPINGS["day"])
        sql = text(f"SELECT {bucket} AS bucket, count(*) FROM orders WHERE created_at >= :since GROUP BY 1 ORDER BY 1")
        return self.session.execute(sql, {"since": since}).all()  # SAFE: sql-injection

    def orders_for_statuses(self, statuses: list[str]):
        stmt = text("SELECT id, status FROM orders WHERE status IN :statuses").bindparams(bindparam("statuses", expanding=True))
        return self.session.execute(stmt, {"statuses": statuses}).all()  # SAFE: sql-injection

    def top_products(self, category: str, limit: int = 10):
        products = table("products", column("id"), column("name"), column("category"), column("units_sold"))
        stmt = select(products.c.name, products.c.units_sold).where(products.c.category == category)
        return self.session.execute(stmt.order_by(products.c.units_sold.desc()).limit(limit)).all()  # SAFE: sql-injection


def export_table_rows(table_name: str, tenant: str):
    with engine.connect() as conn:
        return conn.execute(text("SELECT * FROM " + table_name + " WHERE tenant = '%s'" % tenant)).all()  # VULN: sql-injection


def purge_tenant(tenant_id: int):
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM sessions WHERE tenant_id = :tid"), {"tid": tenant_id})  # SAFE: sql-injection
