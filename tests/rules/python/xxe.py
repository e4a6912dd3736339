import xml.sax
from xml.dom import pulldom
from xml.sax.handler import feature_external_ges

import defusedxml.ElementTree as SafeET
from flask import Flask, request
from lxml import etree

app = Flask(__name__)

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def make_parser():
    # ruleid: py-xxe-lxml-resolve-entities
    return etree.XMLParser(resolve_entities=True)


def make_parser_dtd():
    # ruleid: py-xxe-lxml-resolve-entities
    parser = etree.XMLParser(load_dtd=True, no_network=False)
    return parser


def make_safe_parser():
    # ok: py-xxe-lxml-resolve-entities
    return etree.XMLParser(resolve_entities=False, no_network=True)


@app.route("/import", methods=["POST"])
def import_xml():
    xml_data = request.data
    # ruleid: py-xxe-lxml-untrusted
    root = etree.fromstring(xml_data)
    return root.tag


@app.route("/import2", methods=["POST"])
def import_xml_upload():
    upload = request.files["doc"]
    # ruleid: py-xxe-lxml-untrusted
    tree = etree.parse(upload)
    return tree.getroot().tag


@app.route("/import3", methods=["POST"])
def import_xml_explicit_unsafe():
    # ruleid: py-xxe-lxml-resolve-entities
    parser = etree.XMLParser(resolve_entities=True)
    # ok: py-xxe-lxml-untrusted
    doc = etree.fromstring(request.get_data(), parser)
    return doc.tag


@app.route("/import-safe", methods=["POST"])
def import_xml_safe():
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    # ok: py-xxe-lxml-untrusted
    root = etree.fromstring(request.data, parser)
    return root.tag


@app.route("/import-safe2", methods=["POST"])
def import_xml_safe_inline():
    # ok: py-xxe-lxml-untrusted
    root = etree.fromstring(request.data, parser=etree.XMLParser(resolve_entities=False))
    return root.tag


@app.route("/import-defused", methods=["POST"])
def import_xml_defused():
    # ok: py-xxe-lxml-untrusted
    root = SafeET.fromstring(request.data)
    return root.tag


def handler(event, context):
    # ruleid: py-xxe-lxml-untrusted
    doc = etree.XML(event["body"].encode())
    return {"statusCode": 200, "body": doc.tag}


def parse_upload_iter():
    # ruleid: py-xxe-lxml-untrusted
    for _event, elem in etree.iterparse(request.files["feed"]):
        yield elem.tag


def parse_upload_iter_safe():
    # ok: py-xxe-lxml-untrusted
    for _event, elem in etree.iterparse(request.files["feed"], resolve_entities=False):
        yield elem.tag


def parse_template():
    # ok: py-xxe-lxml-untrusted
    return etree.fromstring("<root><a/></root>")


def sax_parse(stream, handler_obj):
    parser = xml.sax.make_parser()
    # ruleid: py-xxe-sax-external-entities
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(handler_obj)
    parser.parse(stream)


def sax_parse_safe(stream, handler_obj):
    parser = xml.sax.make_parser()
    # ok: py-xxe-sax-external-entities
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setContentHandler(handler_obj)
    parser.parse(stream)


def pulldom_parse(data):
    parser = xml.sax.make_parser()
    # ruleid: py-xxe-sax-external-entities
    parser.setFeature(xml.sax.handler.feature_external_pes, 1)
    return pulldom.parseString(data, parser)
