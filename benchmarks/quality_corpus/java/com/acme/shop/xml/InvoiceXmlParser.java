package com.acme.shop.xml;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;
import org.dom4j.DocumentException;
import org.dom4j.io.SAXReader;
import org.w3c.dom.Document;
import org.xml.sax.SAXException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.xml.sax.helpers.DefaultHandler;

/** Parses supplier invoices (UBL XML) uploaded through the partner portal. */
public class InvoiceXmlParser {

    private static final String STYLESHEET = "/xslt/invoice-to-html.xsl";
    private static final String DISALLOW_DOCTYPE = "http://apache.org/xml/features/disallow-doctype-decl";

    public Document parseUpload(InputStream upload) throws ParserConfigurationException, IOException, SAXException {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        return builder.parse(upload); // VULN: xxe
    }

    public Document parseUploadHardened(InputStream upload) throws ParserConfigurationException, IOException, SAXException {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature(DISALLOW_DOCTYPE, true);
        dbf.setXIncludeAware(false);
        dbf.setExpandEntityReferences(false);
        return dbf.newDocumentBuilder().parse(upload); // SAFE: xxe
    }

    public void scanLines(InputStream upload, DefaultHandler handler) throws ParserConfigurationException, SAXException, IOException {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        SAXParser parser = spf.newSAXParser();
        parser.parse(upload, handler); // VULN: xxe
    }

    public void scanLinesHardened(InputStream upload, DefaultHandler handler) throws ParserConfigurationException, SAXException, IOException {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setFeature(DISALLOW_DOCTYPE, true);
        spf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        spf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        spf.newSAXParser().parse(upload, handler); // SAFE: xxe
    }

    public XMLStreamReader stream(InputStream upload) throws XMLStreamException {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        return xif.createXMLStreamReader(upload); // VULN: xxe
    }

    public XMLStreamReader streamHardened(InputStream upload) throws XMLStreamException {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return xif.createXMLStreamReader(upload); // SAFE: xxe
    }

    public String toHtml(String invoiceXml) throws TransformerException {
        TransformerFactory tf = TransformerFactory.newInstance();
        Transformer t = tf.newTransformer(new StreamSource(getClass().getResourceAsStream(STYLESHEET)));
        StringWriter out = new StringWriter();
        t.transform(new StreamSource(new StringReader(invoiceXml)), new StreamResult(out)); // VULN: xxe
        return out.toString();
    }

    public org.dom4j.Document readLegacy(InputStream upload) throws DocumentException {
        SAXReader reader = new SAXReader();
        return reader.read(upload); // VULN: xxe
    }

    public org.dom4j.Document readLegacyHardened(InputStream upload) throws DocumentException, SAXException {
        SAXReader reader = new SAXReader();
        reader.setFeature(DISALLOW_DOCTYPE, true);
        return reader.read(upload); // SAFE: xxe
    }

    public String toHtmlHardened(String invoiceXml) throws TransformerException {
        TransformerFactory tf = TransformerFactory.newInstance();
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        Transformer t = tf.newTransformer(new StreamSource(getClass().getResourceAsStream(STYLESHEET)));
        StringWriter out = new StringWriter();
        t.transform(new StreamSource(new StringReader(invoiceXml)), new StreamResult(out)); // SAFE: xxe
        return out.toString();
    }
}

@RestController
class InvoiceUploadController {

    private final InvoiceXmlParser parser = new InvoiceXmlParser();

    @PostMapping("/partners/invoices")
    String upload(@RequestParam("file") MultipartFile file) throws Exception {
        return parser.parseUpload(file.getInputStream()).getDocumentElement().getAttribute("id");
    }

    @PostMapping("/partners/v2/invoices")
    String uploadV2(@RequestParam("file") MultipartFile file) throws Exception {
        return parser.parseUploadHardened(file.getInputStream()).getDocumentElement().getAttribute("id");
    }

    @PostMapping("/partners/invoices/scan")
    void scan(@RequestParam("file") MultipartFile file) throws Exception {
        parser.scanLines(file.getInputStream(), new DefaultHandler());
        parser.scanLinesHardened(file.getInputStream(), new DefaultHandler());
    }

    @PostMapping("/partners/invoices/stream")
    int stream(@RequestParam("file") MultipartFile file) throws Exception {
        XMLStreamReader a = parser.stream(file.getInputStream());
        XMLStreamReader b = parser.streamHardened(file.getInputStream());
        return a.next() + b.next();
    }

    @PostMapping(value = "/partners/invoices/render", consumes = "application/xml")
    String render(@org.springframework.web.bind.annotation.RequestBody String xml) throws Exception {
        return parser.toHtml(xml) + parser.toHtmlHardened(xml);
    }

    @PostMapping("/partners/invoices/legacy")
    String legacy(@RequestParam("file") MultipartFile file) throws Exception {
        return parser.readLegacy(file.getInputStream()).getRootElement().getName()
                + parser.readLegacyHardened(file.getInputStream()).getRootElement().getName();
    }
}
