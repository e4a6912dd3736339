package com.example.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.springframework.http.HttpMethod;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

public class ProxyServlet extends HttpServlet {
    private final HttpClient client = HttpClient.newHttpClient();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String target = request.getParameter("url");
        // ruleid: java-ssrf-http-client
        HttpURLConnection conn = (HttpURLConnection) new URL(target).openConnection();
        conn.getInputStream().transferTo(response.getOutputStream());

        URL u = new URL(request.getParameter("img"));
        // ruleid: java-ssrf-http-client
        try (InputStream in = u.openStream()) {
            in.transferTo(response.getOutputStream());
        }

        // ok: java-ssrf-http-client
        URL fixed = new URL("https://api.example.com/status");
        fixed.openStream().close();
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String callback = request.getParameter("callback");
        try {
            // ruleid: java-ssrf-http-client
            HttpRequest req = HttpRequest.newBuilder(URI.create(callback)).GET().build();
            client.send(req, HttpResponse.BodyHandlers.ofString());

            HttpRequest req2 = HttpRequest.newBuilder()
                    // ruleid: java-ssrf-http-client
                    .uri(URI.create("http://" + request.getHeader("X-Backend") + "/ping"))
                    .build();
            client.send(req2, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }

        try (CloseableHttpClient http = HttpClients.createDefault()) {
            // ruleid: java-ssrf-http-client
            http.execute(new HttpGet(callback));
            // ok: java-ssrf-http-client
            http.execute(new HttpGet("https://hooks.example.com/notify"));
        }

        OkHttpClient ok = new OkHttpClient();
        // ruleid: java-ssrf-http-client
        Request r = new Request.Builder().url(callback).build();
        ok.newCall(r).execute();
    }
}

@RestController
class PreviewController {
    private final RestTemplate restTemplate = new RestTemplate();
    private final WebClient webClient = WebClient.create("https://internal.example.com");

    @GetMapping("/preview")
    public String preview(@RequestParam String url) {
        // ruleid: java-ssrf-spring-client
        return restTemplate.getForObject(url, String.class);
    }

    @GetMapping("/proxy")
    public String proxy(@RequestParam("host") String host) {
        String endpoint = "http://" + host + "/api/data";
        // ruleid: java-ssrf-spring-client
        return restTemplate.exchange(endpoint, HttpMethod.GET, null, String.class).getBody();
    }

    @GetMapping("/user")
    public String user(@RequestParam String id) {
        // ok: java-ssrf-spring-client
        return restTemplate.getForObject("https://users.example.com/api/users/{id}", String.class, id);
    }

    @GetMapping("/reactive")
    public String reactive(@RequestParam String next) {
        // ruleid: java-ssrf-spring-client
        return webClient.get().uri(next).retrieve().bodyToMono(String.class).block();
    }

    @GetMapping("/reactive-safe")
    public String reactiveSafe(@RequestParam String id) {
        // ok: java-ssrf-spring-client
        return webClient.get().uri("/items/{id}", id).retrieve().bodyToMono(String.class).block();
    }
}
