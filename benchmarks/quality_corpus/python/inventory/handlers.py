from fastapi import APIRouter, Depends, Query

from .dao import LegacyStockDAO, StockDAO, legacy_connect, pg_connect

router = APIRouter(prefix="/inventory")


def stock_dao():
    conn = pg_connect()
    try:
        yield StockDAO(conn)
    finally:
        conn.close()


@router.get("/bins/{bin_code}")
def bin_contents(bin_code: str, dao: StockDAO = Depends(stock_dao)):
    return dao.find_by_bin(bin_code)


@router.get("/search")
def search(sku: str | None = Query(None), bin: str | None = Query(None), dao: StockDAO = Depends(stock_dao)):
    filters = {k: v for k, v in {"sku": sku, "bin": bin}.items() if v}
    return dao.search(filters)


@router.get("/report")
def report(order_by: str = "sku", warehouse_id: int = 1, dao: StockDAO = Depends(stock_dao)):
    return dao.sorted_report(order_by, warehouse_id)


@router.post("/locations/rename")
def rename(old: str, new: str):
    LegacyStockDAO(legacy_connect()).rename_location(old, new)
    return {"ok": True}
