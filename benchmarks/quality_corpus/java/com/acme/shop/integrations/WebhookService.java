package com.acme.shop.integrations;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class WebhookService {

    private static final Set<String> ALLOWED_HOSTS = Set.of("hooks.slack.com", "events.pagerduty.com");

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    @Value("${shop.status-page-url}")
    private String statusPageUrl;

    public record WebhookTest(String callbackUrl, String event) {}

    @PostMapping("/webhooks/test")
    public int test(@RequestBody WebhookTest req) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(req.callbackUrl())).POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"ping\"}")).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode(); // VULN: ssrf
    }

    @PostMapping("/webhooks/slack/test")
    public int testSlack(@RequestBody WebhookTest req) throws IOException, InterruptedException {
        URI target = URI.create(req.callbackUrl());
        if (!"https".equals(target.getScheme()) || !ALLOWED_HOSTS.contains(target.getHost())) {
            throw new IllegalArgumentException("destination not allowed");
        }
        HttpRequest request = HttpRequest.newBuilder(target).POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"test\"}")).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode(); // SAFE: ssrf
    }

    @GetMapping("/unfurl")
    public String unfurl(@RequestParam String link) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) new URL(link).openConnection(); // VULN: ssrf
        conn.setConnectTimeout(3000);
        try (InputStream in = conn.getInputStream()) {
            return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
    }

    private String partnerEndpoint(HttpServletRequest request) {
        String region = request.getHeader("X-Partner-Region");
        return "https://" + region + ".rates.shipping-partner.example/v1/quote";
    }

    @GetMapping("/shipping/quote")
    public String quote(HttpServletRequest request) throws IOException, InterruptedException {
        String endpoint = partnerEndpoint(request);
        HttpRequest req = HttpRequest.newBuilder(URI.create(endpoint)).GET().build();
        return client.send(req, HttpResponse.BodyHandlers.ofString()).body(); // VULN: ssrf
    }

    @GetMapping("/carriers/track")
    public String track(@RequestParam String trackingNumber) throws IOException, InterruptedException {
        String q = URLEncoder.encode(trackingNumber, StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(URI.create("https://api.carrier.example/v2/track?number=" + q)).GET().build();
        return client.send(req, HttpResponse.BodyHandlers.ofString()).body(); // SAFE: ssrf
    }

    @GetMapping("/status")
    public String status() throws IOException {
        try (InputStream in = new URL(statusPageUrl).openStream()) { // SAFE: ssrf
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @GetMapping("/feeds/import")
    public String importFeed(@RequestParam("feedUrl") String feedUrl) throws IOException {
        URL url = new URL(feedUrl);
        try (InputStream in = url.openStream()) { // VULN: ssrf
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
