import sqlite3
import sys

import psycopg2
from psycopg2 import sql
import pymysql
import pandas as pd
from django.db import connection
from django.db.models.expressions import RawSQL
from flask import Flask, request
from sqlalchemy import text

from .models import User

app = Flask(__name__)
db = sqlite3.connect("app.db")


@app.route("/users")
def list_users():
    name = request.args.get("name", "")
    cur = db.cursor()
    # ruleid: py-sql-injection-taint, py-sql-injection-formatted-query
    cur.execute(f"SELECT * FROM users WHERE name = '{name}'")
    return {"users": cur.fetchall()}


@app.route("/search", methods=["POST"])
def search():
    term = request.form["q"]
    query = "SELECT id, title FROM posts WHERE title LIKE '%" + term + "%'"
    conn = psycopg2.connect("dbname=app")
    with conn.cursor() as cursor:
        # ruleid: py-sql-injection-taint, py-sql-injection-formatted-query
        cursor.execute(query)
        return cursor.fetchall()


@app.route("/order")
def order():
    data = request.get_json()
    conn = pymysql.connect(host="db")
    cursor = conn.cursor()
    sql_query = "UPDATE orders SET status = '%s' WHERE id = %s" % (data["status"], data["id"])
    # ruleid: py-sql-injection-taint, py-sql-injection-formatted-query
    cursor.execute(sql_query)
    conn.commit()


@app.route("/sort")
def sort_users():
    column = request.args["sort"]
    cur = db.cursor()
    # ruleid: py-sql-injection-taint
    cur.execute("SELECT * FROM users ORDER BY {}".format(column))
    return cur.fetchall()


@app.route("/user/<username>")
def profile(username):
    # ruleid: py-sql-injection-taint, py-sql-injection-formatted-query
    rows = db.execute("SELECT * FROM users WHERE username = '%s'" % username).fetchall()
    return {"rows": rows}


def django_view(request):
    uid = request.GET.get("id")
    # ruleid: py-sql-injection-taint, py-sql-injection-formatted-query
    users = User.objects.raw(f"SELECT * FROM app_user WHERE id = {uid}")
    with connection.cursor() as cursor:
        # ruleid: py-sql-injection-taint, py-sql-injection-formatted-query
        cursor.execute("DELETE FROM sessions WHERE key = '" + request.COOKIES["sid"] + "'")
    return users


def django_extra(request):
    # ruleid: py-sql-injection-taint, py-sql-injection-formatted-query
    return User.objects.extra(where=["name = '%s'" % request.POST["name"]])


def django_rawsql(request):
    # ruleid: py-sql-injection-taint, py-sql-injection-formatted-query
    return User.objects.annotate(v=RawSQL("SELECT score FROM s WHERE u = " + request.GET["u"], []))


def sqlalchemy_search(session):
    q = request.values.get("q")
    # ruleid: py-sql-injection-taint, py-sql-injection-formatted-query
    return session.execute(text(f"SELECT * FROM items WHERE name = '{q}'")).all()


def handler(event, context):
    body = json.loads(event["body"])
    conn = psycopg2.connect("dbname=app")
    cur = conn.cursor()
    # ruleid: py-sql-injection-taint, py-sql-injection-formatted-query
    cur.execute("INSERT INTO events (kind, payload) VALUES ('{}', '{}')".format(body["kind"], body["payload"]))


def report():
    conn = sqlite3.connect("r.db")
    # ruleid: py-sql-injection-taint, py-sql-injection-formatted-query
    return pd.read_sql("SELECT * FROM sales WHERE region = '" + sys.argv[1] + "'", conn)


# helper that builds SQL from its argument (no visible request source)
def get_user_by_email(conn, email):
    cur = conn.cursor()
    # ruleid: py-sql-injection-formatted-query
    cur.execute("SELECT * FROM users WHERE email = '%s'" % email)
    return cur.fetchone()


def delete_user(conn, user_id):
    query = f"DELETE FROM users WHERE id = {user_id}"
    # ruleid: py-sql-injection-formatted-query
    conn.execute(query)


def find_products(cursor, name):
    sql_text = "SELECT * FROM products WHERE name = '" + name + "'"
    # ruleid: py-sql-injection-formatted-query
    cursor.execute(sql_text)


# ---------------------------------------------------------------- safe code


@app.route("/users/safe")
def list_users_safe():
    name = request.args.get("name", "")
    cur = db.cursor()
    # ok: py-sql-injection-taint, py-sql-injection-formatted-query
    cur.execute("SELECT * FROM users WHERE name = ?", (name,))
    return {"users": cur.fetchall()}


@app.route("/item")
def item():
    item_id = int(request.args["id"])
    cur = db.cursor()
    # known limitation: the syntactic rule cannot see that item_id is an int
    # ok: py-sql-injection-taint
    # todook: py-sql-injection-formatted-query
    cur.execute(f"SELECT * FROM items WHERE id = {item_id}")
    # ok: py-sql-injection-taint, py-sql-injection-formatted-query
    cur.execute("SELECT * FROM items WHERE id = %d" % int(request.args["id"]))
    return cur.fetchall()


ALLOWED_COLUMNS = {"name", "created", "email"}


@app.route("/sorted")
def sorted_users():
    column = request.args.get("sort", "name")
    if column not in ALLOWED_COLUMNS:
        column = "name"
        return "bad column", 400
    cur = db.cursor()
    # ok: py-sql-injection-taint
    cur.execute(f"SELECT * FROM users ORDER BY {column}")
    return cur.fetchall()


def pg_identifier(request):
    table = request.GET["table"]
    conn = psycopg2.connect("dbname=app")
    cur = conn.cursor()
    # ok: py-sql-injection-taint, py-sql-injection-formatted-query
    cur.execute(sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier(table)), (request.GET["id"],))


def django_safe(request):
    uid = request.GET.get("id")
    # ok: py-sql-injection-taint, py-sql-injection-formatted-query
    users = User.objects.raw("SELECT * FROM app_user WHERE id = %s", [uid])
    with connection.cursor() as cursor:
        # ok: py-sql-injection-taint, py-sql-injection-formatted-query
        cursor.execute("SELECT * FROM app_user WHERE name = %s", [request.GET["name"]])
    return users


def sqlalchemy_safe(session):
    q = request.values.get("q")
    # ok: py-sql-injection-taint, py-sql-injection-formatted-query
    return session.execute(text("SELECT * FROM items WHERE name = :name"), {"name": q}).all()


TABLE = "users"


def count_rows(conn, table_name):
    cur = conn.cursor()
    # ok: py-sql-injection-formatted-query
    cur.execute(f"SELECT COUNT(*) FROM {TABLE}")
    # ok: py-sql-injection-formatted-query
    cur.execute("SELECT * FROM " + TABLE + " WHERE id = %s", (1,))
    # ok: py-sql-injection-formatted-query
    cur.execute(f"SELECT * FROM {TABLE} WHERE email = %s AND active = %s", ("a@b.c", True))
    # ok: py-sql-injection-formatted-query
    cur.execute("SELECT * FROM users WHERE status = 'active'")


def schema_run(schema):
    # ok: py-sql-injection-taint
    return schema.execute(request.get_data())


SCHEMA_VERSION = 3


def migrate(conn, where, bucket_sums):
    # ok: py-sql-injection-formatted-query
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    # ok: py-sql-injection-formatted-query
    conn.execute(f"SELECT status, {bucket_sums} FROM reviews WHERE {where} GROUP BY status", (1, 2))


def get_orders(cur, customer):
    sql_text = f"""
        SELECT * FROM orders
        WHERE customer = '{customer}'
        ORDER BY created DESC
    """
    # ruleid: py-sql-injection-formatted-query
    cur.execute(sql_text)


SORT_COLUMNS = {"name": "name", "date": "created_at"}


@app.route("/products")
def products():
    order = SORT_COLUMNS.get(request.args.get("sort"), "name")
    page = request.args.get("page", 1, type=int)
    cur = db.cursor()
    # ok: py-sql-injection-taint, py-sql-injection-formatted-query
    cur.execute(f"SELECT * FROM products ORDER BY {order} LIMIT 20 OFFSET {page * 20}")
    return cur.fetchall()
