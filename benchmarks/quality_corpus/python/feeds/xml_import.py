"""Supplier catalogue import: suppliers POST product feeds as XML (UBL / custom formats)."""

import xml.etree.ElementTree as ET
import xml.sax
from xml.sax.handler import feature_external_ges

import defusedxml.ElementTree as DET
from django.http import JsonResponse
from django.views.decorators.http import require_POST
from lxml import etree

from .auth import supplier_token_required


class SkuCollector(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.skus = []
        self._in_sku = False

    def startElement(self, name, attrs):
        self._in_sku = name == "sku"

    def characters(self, content):
        if self._in_sku and content.strip():
            self.skus.append(content.strip())


@require_POST
@supplier_token_required
def import_catalogue(request):
    root = etree.fromstring(request.body, etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=False))  # VULN: xxe
    return JsonResponse({"products": len(root.findall(".//product"))})


@require_POST
@supplier_token_required
def import_catalogue_v2(request):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(request.body, parser)  # SAFE: xxe
    return JsonResponse({"products": len(root.findall(".//product"))})


@require_POST
@supplier_token_required
def import_invoice(request):
    upload = request.FILES["invoice"]
    tree = etree.parse(upload, parser=etree.XMLParser(dtd_validation=True, resolve_entities=True))  # VULN: xxe
    return JsonResponse({"lines": len(tree.findall(".//InvoiceLine"))})


@require_POST
@supplier_token_required
def import_invoice_v2(request):
    tree = DET.parse(request.FILES["invoice"])  # SAFE: xxe
    return JsonResponse({"lines": len(tree.findall(".//InvoiceLine"))})


@require_POST
@supplier_token_required
def import_sku_list(request):
    handler = SkuCollector()
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(handler)
    parser.parse(request.FILES["skus"])  # VULN: xxe
    return JsonResponse({"skus": handler.skus})


@require_POST
@supplier_token_required
def import_sku_list_v2(request):
    handler = SkuCollector()
    xml.sax.parseString(request.body, handler)  # SAFE: xxe
    return JsonResponse({"skus": handler.skus})


@require_POST
@supplier_token_required
def import_price_updates(request):
    root = ET.fromstring(request.body)  # SAFE: xxe
    return JsonResponse({"updates": len(root.findall("price"))})


def parse_remote_feed(xml_bytes: bytes):
    parser = etree.XMLParser(load_dtd=True, resolve_entities=True, no_network=False, huge_tree=True)
    return etree.fromstring(xml_bytes, parser=parser)  # VULN: xxe


@require_POST
@supplier_token_required
def import_from_partner(request):
    root = parse_remote_feed(request.body)
    return JsonResponse({"items": len(root)})
