package com.example.web;

import java.io.IOException;
import java.io.PrintWriter;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.commons.text.StringEscapeUtils;
import org.owasp.encoder.Encode;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

public class GreetingServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        response.setContentType("text/html");
        PrintWriter out = response.getWriter();
        // ruleid: java-xss-servlet-writer
        out.println("<h1>Hello, " + name + "</h1>");
        // ok: java-xss-servlet-writer
        out.println("<p>Welcome back " + Encode.forHtml(name) + "</p>");
        String safe = StringEscapeUtils.escapeHtml4(request.getParameter("comment"));
        // ok: java-xss-servlet-writer
        out.println("<div>" + safe + "</div>");
        // ok: java-xss-servlet-writer
        out.println("<footer>static</footer>");
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String q = req.getParameter("q");
        // ruleid: java-xss-servlet-writer
        resp.getWriter().write("No results for " + q);
        try (PrintWriter w = resp.getWriter()) {
            // ruleid: java-xss-servlet-writer
            w.print(req.getHeader("Referer"));
            // ok: java-xss-servlet-writer
            w.print(HtmlUtils.htmlEscape(q));
        }
    }

    protected void page(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int page = Integer.parseInt(req.getParameter("page"));
        // ok: java-xss-servlet-writer
        resp.getWriter().println("<p>Page " + page + "</p>");
    }

    protected void api(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("application/json");
        String id = req.getParameter("id");
        // ok: java-xss-servlet-writer
        resp.getWriter().write("{\"id\": \"" + id + "\"}");
    }
}

@RestController
class SearchController {
    @GetMapping("/search")
    public String search(@RequestParam("q") String query) {
        // ruleid: java-xss-spring-responsebody-html
        return "<html><body>Results for " + query + "</body></html>";
    }

    @GetMapping("/hello")
    public String hello(@RequestParam String name) {
        // ruleid: java-xss-spring-responsebody-html
        String html = String.format("<p>Hi %s</p>", name);
        return html;
    }

    @GetMapping("/hello-safe")
    public String helloSafe(@RequestParam String name) {
        // ok: java-xss-spring-responsebody-html
        return "<p>Hi " + HtmlUtils.htmlEscape(name) + "</p>";
    }

    @GetMapping("/count")
    public String count(@RequestParam int n) {
        // ok: java-xss-spring-responsebody-html
        return "<p>Count: " + n + "</p>";
    }
}

@Controller
class ProfileController {
    @GetMapping("/profile")
    @ResponseBody
    public String profile(@RequestParam String bio) {
        // ruleid: java-xss-spring-responsebody-html
        return "<div class=\"bio\">" + bio + "</div>";
    }

    @GetMapping("/profile-view")
    public String view(@RequestParam String bio) {
        // ok: java-xss-spring-responsebody-html
        return "profile";
    }
}

class GuestbookServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/html");
        PrintWriter out = response.getWriter();
        String author = request.getParameter("author");
        String text = request.getParameter("text");
        // ok: java-xss-servlet-writer
        out.println("<b>" + HTMLFilter.filter(author) + "</b>");
        // ok: java-xss-servlet-writer
        out.println("<p>" + Markup.escapeHtml(text) + "</p>");
        // ok: java-xss-servlet-writer
        out.println("<p>" + sanitize(text) + "</p>");
        // ok: java-xss-servlet-writer
        out.println(HTMLFilter.filter(request.getHeader("User-Agent")));
        // ruleid: java-xss-servlet-writer
        out.println("<p>" + TextFilter.filter(text) + "</p>");
        // ruleid: java-xss-servlet-writer
        out.println("<i>" + decorate(author) + "</i>");
        // ruleid: java-xss-servlet-writer
        out.println("<small>" + request.getHeader("Referer") + "</small>");
    }

    private String sanitize(String s) {
        return s.replace("<", "&lt;").replace(">", "&gt;");
    }

    private String decorate(String s) {
        return "~" + s + "~";
    }
}
