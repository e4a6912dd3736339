package com.acme.shop.catalog;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.util.HtmlUtils;

@Controller
public class ProductController {

    private static final Logger log = LoggerFactory.getLogger(ProductController.class);

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final RestTemplate rest;

    public ProductController(JdbcTemplate jdbc, NamedParameterJdbcTemplate named, RestTemplate rest) {
        this.jdbc = jdbc;
        this.named = named;
        this.rest = rest;
    }

    public record ProductFilter(String category, String brand, Integer maxPrice) {}

    @GetMapping("/products/search")
    @ResponseBody
    public List<Map<String, Object>> search(@RequestParam String q) {
        log.info("product search: " + q); // VULN: log-injection
        return jdbc.queryForList("SELECT id, name, price FROM products WHERE name LIKE '%" + q + "%'"); // VULN: sql-injection
    }

    @GetMapping("/products/category/{slug}")
    @ResponseBody
    public List<Map<String, Object>> byCategory(@PathVariable String slug) {
        return jdbc.queryForList("SELECT id, name, price FROM products WHERE category_slug = ?", slug); // SAFE: sql-injection
    }

    @PostMapping("/products/filter")
    @ResponseBody
    public List<Map<String, Object>> filter(@RequestBody ProductFilter filter) {
        StringBuilder sql = new StringBuilder("SELECT id, name, price FROM products WHERE 1=1");
        if (filter.category() != null) {
            sql.append(" AND category = '").append(filter.category()).append("'");
        }
        if (filter.maxPrice() != null) {
            sql.append(" AND price <= ").append(filter.maxPrice());
        }
        return jdbc.queryForList(sql.toString()); // VULN: sql-injection
    }

    @PostMapping("/products/filter/v2")
    @ResponseBody
    public List<Map<String, Object>> filterV2(@RequestBody ProductFilter filter) {
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("category", filter.category())
                .addValue("brand", filter.brand());
        return named.queryForList("SELECT id, name, price FROM products WHERE category = :category AND brand = :brand", params); // SAFE: sql-injection
    }

    @GetMapping("/products/{id}/stock")
    @ResponseBody
    public Integer stock(@PathVariable long id) {
        return jdbc.queryForObject("SELECT qty FROM stock WHERE product_id = " + id, Integer.class); // SAFE: sql-injection
    }

    @GetMapping(value = "/products/compare", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public String compare(@RequestParam String a, @RequestParam String b) {
        return "<h1>Comparing " + a + " and " + b + "</h1>"; // VULN: xss
    }

    @GetMapping(value = "/products/tag", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public String tag(@RequestParam String name) {
        return "<span class=\"tag\">" + HtmlUtils.htmlEscape(name) + "</span>"; // SAFE: xss
    }

    @GetMapping("/products/{id}/continue")
    public String continueShopping(@PathVariable long id, @RequestParam(required = false) String next) {
        if (next != null) {
            return "redirect:" + next; // VULN: open-redirect
        }
        return "redirect:/products/" + id; // SAFE: open-redirect
    }

    @GetMapping("/products/{id}/reviews/external")
    @ResponseBody
    public String externalReviews(@PathVariable String id, @RequestParam String source) {
        return rest.getForObject(source + "/api/reviews?product=" + id, String.class); // VULN: ssrf
    }

    @GetMapping("/products/{id}/reviews")
    @ResponseBody
    public String reviews(@PathVariable String id) {
        return rest.getForObject("https://reviews.acme-partner.example/api/products/{id}/reviews", String.class, id); // SAFE: ssrf
    }

    @GetMapping("/products/image-proxy")
    @ResponseBody
    public byte[] imageProxy(@RequestParam("src") String src) {
        return rest.getForObject(URI.create(src), byte[].class); // VULN: ssrf
    }
}
