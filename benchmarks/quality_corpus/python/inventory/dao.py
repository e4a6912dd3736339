"""Data access for the warehouse inventory service (PostgreSQL via psycopg2, legacy MySQL via PyMySQL)."""

import os

import psycopg2
import pymysql
from psycopg2 import sql


def pg_connect():
    return psycopg2.connect(host=os.environ["PGHOST"], dbname="inventory", user="inventory",
                            password=os.environ["PGPASSWORD"])  # SAFE: hardcoded-secret


def legacy_connect():
    return pymysql.connect(host="mysql-legacy.internal", user="stock_ro", password="st0ck-R3ad0nly!", database="stock")  # VULN: hardcoded-secret


class StockDAO:
    def __init__(self, conn):
        self.conn = conn

    def find_by_sku(self, sku):
        with self.conn.cursor() as cur:
            cur.execute("SELECT sku, qty, bin FROM stock WHERE sku = %s", (sku,))  # SAFE: sql-injection
            return cur.fetchone()

    def find_by_bin(self, bin_code):
        with self.conn.cursor() as cur:
            cur.execute("SELECT sku, qty FROM stock WHERE bin = '%s'" % bin_code)  # VULN: sql-injection
            return cur.fetchall()

    def adjust(self, sku, delta, reason):
        stmt = "UPDATE stock SET qty = qty + %s WHERE sku = %s; INSERT INTO stock_log (sku, delta, reason) VALUES (%s, %s, %s)"
        with self.conn.cursor() as cur:
            cur.execute(stmt, (delta, sku, sku, delta, reason))  # SAFE: sql-injection
        self.conn.commit()

    def search(self, filters):
        clauses = []
        for column_name, value in filters.items():
            clauses.append(f"{column_name} = '{value}'")
        where = " AND ".join(clauses) or "TRUE"
        with self.conn.cursor() as cur:
            cur.execute("SELECT sku, qty, bin FROM stock WHERE " + where)  # VULN: sql-injection
            return cur.fetchall()

    def sorted_report(self, column_name, warehouse_id):
        query = sql.SQL("SELECT sku, qty FROM stock WHERE warehouse_id = %s ORDER BY {}").format(sql.Identifier(column_name))
        with self.conn.cursor() as cur:
            cur.execute(query, (warehouse_id,))  # SAFE: sql-injection
            return cur.fetchall()


class LegacyStockDAO:
    def __init__(self, conn):
        self.conn = conn

    def reserved_for(self, customer_ref):
        with self.conn.cursor() as cur:
            cur.execute("SELECT sku, qty FROM reservations WHERE customer_ref = %s", [customer_ref])  # SAFE: sql-injection
            return cur.fetchall()

    def rename_location(self, old, new):
        query = "UPDATE locations SET name = '{new}' WHERE name = '{old}'".format(new=new, old=old)
        with self.conn.cursor() as cur:
            cur.execute(query)  # VULN: sql-injection
        self.conn.commit()
