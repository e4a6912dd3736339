package com.example.xml;

import java.io.InputStream;
import java.io.StringReader;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;
import org.xml.sax.helpers.XMLReaderFactory;

public class XmlService {
    public Document parseUnsafe(InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // ruleid: java-xxe-documentbuilder
        return builder.parse(in);
    }

    public Document parseString(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        // ruleid: java-xxe-documentbuilder
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    public Document parseSafe(InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setXIncludeAware(false);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // ok: java-xxe-documentbuilder
        return builder.parse(in);
    }

    public Document parseSafeTry(InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        try {
            dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
            dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        // ok: java-xxe-documentbuilder
        return dbf.newDocumentBuilder().parse(in);
    }

    public Document parseSecureProcessing(InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        // ok: java-xxe-documentbuilder
        return dbf.newDocumentBuilder().parse(in);
    }

    public void sax(InputStream in, DefaultHandler handler) throws Exception {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        SAXParser parser = spf.newSAXParser();
        // ruleid: java-xxe-saxparser
        parser.parse(in, handler);
    }

    public void saxSafe(InputStream in, DefaultHandler handler) throws Exception {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        // ok: java-xxe-saxparser
        spf.newSAXParser().parse(in, handler);
    }

    public void reader(InputStream in) throws Exception {
        XMLReader reader = XMLReaderFactory.createXMLReader();
        // ruleid: java-xxe-xmlreader
        reader.parse(new InputSource(in));
    }

    public void readerSafe(InputStream in) throws Exception {
        XMLReader reader = XMLReaderFactory.createXMLReader();
        reader.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        // ok: java-xxe-xmlreader
        reader.parse(new InputSource(in));
    }

    public XMLStreamReader stax(InputStream in) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        // ruleid: java-xxe-xmlinputfactory
        return xif.createXMLStreamReader(in);
    }

    public XMLStreamReader staxSafe(InputStream in) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newFactory();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // ok: java-xxe-xmlinputfactory
        return xif.createXMLStreamReader(in);
    }

    public void xslt(InputStream xsl, InputStream xml, java.io.OutputStream out) throws Exception {
        TransformerFactory tf = TransformerFactory.newInstance();
        // ruleid: java-xxe-transformerfactory
        Transformer t = tf.newTransformer(new StreamSource(xsl));
        t.transform(new StreamSource(xml), new StreamResult(out));
    }

    public void xsltSafe(InputStream xsl, java.io.OutputStream out) throws Exception {
        TransformerFactory tf = TransformerFactory.newInstance();
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        // ok: java-xxe-transformerfactory
        Transformer t = tf.newTransformer(new StreamSource(xsl));
    }

    public Schema schema(InputStream xsd) throws Exception {
        SchemaFactory sf = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        // ruleid: java-xxe-schemafactory
        return sf.newSchema(new StreamSource(xsd));
    }

    public Schema schemaSafe(InputStream xsd) throws Exception {
        SchemaFactory sf = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        sf.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        sf.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        // ok: java-xxe-schemafactory
        return sf.newSchema(new StreamSource(xsd));
    }
}
