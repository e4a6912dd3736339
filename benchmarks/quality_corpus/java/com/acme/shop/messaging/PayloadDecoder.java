package com.acme.shop.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import com.google.gson.Gson;
import com.thoughtworks.xstream.XStream;
import com.thoughtworks.xstream.security.AnyTypePermission;
import com.thoughtworks.xstream.security.NoTypePermission;
import jakarta.servlet.http.HttpServletRequest;
import java.beans.XMLDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.util.Base64;
import java.util.Map;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Endpoints that accept carts, settings and events from the POS terminals and partner systems. */
@RestController
public class PayloadDecoder {

    private final ObjectMapper plainMapper = new ObjectMapper();
    private final ObjectMapper polymorphicMapper = new ObjectMapper();
    private final XStream openXStream = new XStream();
    private final XStream strictXStream = new XStream();
    private final Gson gson = new Gson();

    public PayloadDecoder() {
        openXStream.addPermission(AnyTypePermission.ANY);
        strictXStream.addPermission(NoTypePermission.NONE);
        strictXStream.allowTypes(new Class<?>[] {CartSnapshot.class, CartLine.class});
        polymorphicMapper.activateDefaultTyping(
                BasicPolymorphicTypeValidator.builder().allowIfSubType("com.acme.shop.messaging.events.").build(),
                ObjectMapper.DefaultTyping.NON_FINAL);
    }

    public static class CartSnapshot implements java.io.Serializable {
        public String customerId;
        public java.util.List<CartLine> lines;
    }

    public static class CartLine implements java.io.Serializable {
        public String sku;
        public int qty;
    }

    /** The POS sends the cart as a base64-encoded Java-serialized object in a cookie. */
    @PostMapping("/pos/cart")
    public Object restoreCart(@CookieValue("cart") String cookie) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getDecoder().decode(cookie);
        try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(raw))) {
            return ois.readObject(); // VULN: deserialization
        }
    }

    @PostMapping("/pos/v2/cart")
    public Object restoreCartV2(HttpServletRequest request) throws IOException, ClassNotFoundException {
        try (ObjectInputStream ois = new ObjectInputStream(request.getInputStream())) {
            ois.setObjectInputFilter(ObjectInputFilter.Config.createFilter(
                    "com.acme.shop.messaging.PayloadDecoder$CartSnapshot;com.acme.shop.messaging.PayloadDecoder$CartLine;java.util.ArrayList;java.lang.Object;java.lang.String;maxdepth=5;!*"));
            return ois.readObject(); // SAFE: deserialization
        }
    }

    @PostMapping(value = "/partners/cart", consumes = "application/xml")
    public Object partnerCart(@RequestBody String xml) {
        return openXStream.fromXML(xml); // VULN: deserialization
    }

    @PostMapping(value = "/partners/v2/cart", consumes = "application/xml")
    public Object partnerCartV2(@RequestBody String xml) {
        return strictXStream.fromXML(xml); // SAFE: deserialization
    }

    @PostMapping(value = "/events", consumes = "application/json")
    public Object event(@RequestBody String json) throws IOException {
        return new ObjectMapper().activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.EVERYTHING).readValue(json, Object.class); // VULN: deserialization
    }

    @PostMapping(value = "/events/v2", consumes = "application/json")
    public Object eventV2(@RequestBody String json) throws IOException {
        return polymorphicMapper.readValue(json, Object.class); // SAFE: deserialization
    }

    @PostMapping(value = "/carts/import", consumes = "application/json")
    public CartSnapshot importCart(@RequestBody String json) throws IOException {
        return plainMapper.readValue(json, CartSnapshot.class); // SAFE: deserialization
    }

    @PostMapping(value = "/settings/import", consumes = "application/x-yaml")
    public Object importSettings(@RequestBody String yaml) {
        // snakeyaml 1.33 (pinned by the legacy settings module)
        return new Yaml().load(yaml); // VULN: deserialization
    }

    @PostMapping(value = "/settings/v2/import", consumes = "application/x-yaml")
    public Map<String, Object> importSettingsV2(@RequestBody String yaml) {
        Yaml safe = new Yaml(new SafeConstructor(new LoaderOptions()));
        return safe.load(yaml); // SAFE: deserialization
    }

    @PostMapping(value = "/layouts/import", consumes = "application/xml")
    public Object importLayout(HttpServletRequest request) throws IOException {
        InputStream body = request.getInputStream();
        try (XMLDecoder decoder = new XMLDecoder(body)) {
            return decoder.readObject(); // VULN: deserialization
        }
    }

    @PostMapping(value = "/layouts/v2/import", consumes = "application/json")
    public CartSnapshot importLayoutV2(@RequestBody String json) {
        return gson.fromJson(json, CartSnapshot.class); // SAFE: deserialization
    }
}
