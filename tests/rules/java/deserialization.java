package com.example.serial;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import com.thoughtworks.xstream.XStream;
import com.thoughtworks.xstream.security.NoTypePermission;
import java.beans.XMLDecoder;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Base64;
import java.util.Map;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

public class SessionServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // ruleid: java-deserialization-objectinputstream
        try (ObjectInputStream ois = new ObjectInputStream(request.getInputStream())) {
            Object cart = ois.readObject();
            request.getSession().setAttribute("cart", cart);
        } catch (ClassNotFoundException e) {
            throw new IOException(e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] raw = Base64.getDecoder().decode(request.getParameter("state"));
        // ruleid: java-deserialization-objectinputstream
        ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(raw));
        try {
            in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException(e);
        }

        byte[] raw2 = Base64.getDecoder().decode(request.getParameter("state2"));
        // ok: java-deserialization-objectinputstream
        ObjectInputStream filtered = new ObjectInputStream(new ByteArrayInputStream(raw2));
        filtered.setObjectInputFilter(ObjectInputFilter.Config.createFilter("com.example.model.*;!*"));
    }

    public void server() throws Exception {
        ServerSocket ss = new ServerSocket(9000);
        Socket s = ss.accept();
        // ruleid: java-deserialization-objectinputstream
        ObjectInputStream ois = new ObjectInputStream(s.getInputStream());
        Object msg = ois.readObject();
    }

    public Object loadCache() throws Exception {
        // ok: java-deserialization-objectinputstream
        try (ObjectInputStream ois = new ObjectInputStream(new FileInputStream("/var/cache/app.bin"))) {
            return ois.readObject();
        }
    }
}

class XmlImporter {
    public Object importXml(String xml) {
        XStream xstream = new XStream();
        // ruleid: java-deserialization-xstream
        return xstream.fromXML(xml);
    }

    public Object importSafe(String xml) {
        XStream xstream = new XStream();
        xstream.addPermission(NoTypePermission.NONE);
        xstream.allowTypesByWildcard(new String[] {"com.example.model.**"});
        // ok: java-deserialization-xstream
        return xstream.fromXML(xml);
    }
}

class FieldImporter {
    private final XStream xstream = new XStream();

    public Object parse(String xml) {
        // ruleid: java-deserialization-xstream
        return xstream.fromXML(xml);
    }
}

class SafeFieldImporter {
    private final XStream xstream = new XStream();

    SafeFieldImporter() {
        xstream.allowTypes(new Class[] {Order.class});
    }

    public Object parse(String xml) {
        // ok: java-deserialization-xstream
        return xstream.fromXML(xml);
    }
}

class Order {}

class JsonConfig {
    public ObjectMapper legacyMapper() {
        ObjectMapper mapper = new ObjectMapper();
        // ruleid: java-deserialization-jackson-default-typing
        mapper.enableDefaultTyping();
        return mapper;
    }

    public ObjectMapper laxMapper() {
        ObjectMapper mapper = new ObjectMapper();
        // ruleid: java-deserialization-jackson-default-typing
        mapper.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
        return mapper;
    }

    public ObjectMapper strictMapper() {
        BasicPolymorphicTypeValidator ptv = BasicPolymorphicTypeValidator.builder()
                .allowIfSubType("com.example.model.")
                .build();
        ObjectMapper mapper = new ObjectMapper();
        // ok: java-deserialization-jackson-default-typing
        mapper.activateDefaultTyping(ptv, ObjectMapper.DefaultTyping.NON_FINAL);
        return mapper;
    }
}

class Event {
    // ruleid: java-deserialization-jackson-default-typing
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
    public Object payload;

    // ok: java-deserialization-jackson-default-typing
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    public Object typed;
}

class ConfigLoader {
    private final Yaml yaml = new Yaml();

    public Map<String, Object> load(InputStream in) {
        // ruleid: java-deserialization-snakeyaml
        return yaml.load(in);
    }

    public Object parse(String doc) {
        // ruleid: java-deserialization-snakeyaml
        return new Yaml().load(doc);
    }

    public Object parseSafe(String doc) {
        Yaml safe = new Yaml(new SafeConstructor(new LoaderOptions()));
        // ok: java-deserialization-snakeyaml
        return safe.load(doc);
    }

    public Object decode(InputStream body) {
        try (XMLDecoder decoder = new XMLDecoder(body)) {
            // ruleid: java-deserialization-xmldecoder
            return decoder.readObject();
        }
    }
}
