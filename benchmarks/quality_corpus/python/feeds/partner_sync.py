"""Partner order-sync endpoint (FastAPI): partners push order batches as XML or SOAP envelopes."""

import xml.dom.minidom
import xml.sax
from xml.dom import pulldom
from xml.sax.handler import feature_external_ges, feature_external_pes

import xmltodict
from fastapi import FastAPI, Request
from lxml import etree, objectify

app = FastAPI()


@app.post("/orders/batch")
async def order_batch(request: Request):
    body = await request.body()
    batch = objectify.fromstring(body, objectify.makeparser(resolve_entities=True, no_network=False))  # VULN: xxe
    return {"orders": len(batch.Order)}


@app.post("/v2/orders/batch")
async def order_batch_v2(request: Request):
    body = await request.body()
    parsed = xmltodict.parse(body, disable_entities=True)  # SAFE: xxe
    return {"orders": len(parsed["Batch"]["Order"])}


@app.post("/orders/stream")
async def order_stream(request: Request):
    body = await request.body()
    sax_parser = xml.sax.make_parser()
    sax_parser.setFeature(feature_external_ges, True)
    sax_parser.setFeature(feature_external_pes, True)
    events = pulldom.parseString(body.decode(), parser=sax_parser)  # VULN: xxe
    count = sum(1 for ev, node in events if ev == pulldom.START_ELEMENT and node.tagName == "Order")
    return {"orders": count}


@app.post("/v2/orders/stream")
async def order_stream_v2(request: Request):
    doc = xml.dom.minidom.parseString(await request.body())  # SAFE: xxe
    return {"orders": len(doc.getElementsByTagName("Order"))}


@app.post("/soap")
async def soap_endpoint(request: Request):
    body = await request.body()
    parser = etree.XMLParser(resolve_entities=True, no_network=False, load_dtd=True)
    envelope = etree.XML(body, parser)  # VULN: xxe
    action = envelope.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Body")[0].tag
    return {"action": action}


@app.post("/v2/soap")
async def soap_endpoint_v2(request: Request):
    body = await request.body()
    envelope = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False))  # SAFE: xxe
    action = envelope.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Body")[0].tag
    return {"action": action}
