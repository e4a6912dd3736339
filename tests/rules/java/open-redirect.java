package com.example.auth;

import java.io.IOException;
import java.net.URI;
import java.util.Set;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.view.RedirectView;

public class LoginServlet extends HttpServlet {
    private static final Set<String> ALLOWED = Set.of("/home", "/account");

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String next = request.getParameter("next");
        // ruleid: java-open-redirect
        response.sendRedirect(next);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String target = request.getParameter("returnUrl");
        if (ALLOWED.contains(target)) {
            // ok: java-open-redirect
            response.sendRedirect(target);
        } else {
            // ok: java-open-redirect
            response.sendRedirect("/home");
        }
    }

    protected void legacy(HttpServletRequest req, HttpServletResponse resp) {
        resp.setStatus(302);
        // ruleid: java-open-redirect
        resp.setHeader("Location", req.getParameter("url"));
    }

    protected void relativeOnly(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String next = req.getParameter("next");
        if (next == null || !next.startsWith("/") || next.startsWith("//")) {
            next = "/";
        }
        // ok: java-open-redirect
        resp.sendRedirect(next);
    }
}

@Controller
class SsoController {
    @GetMapping("/sso/callback")
    public String callback(@RequestParam("redirect_uri") String redirectUri) {
        // ruleid: java-open-redirect
        return "redirect:" + redirectUri;
    }

    @GetMapping("/sso/logout")
    public RedirectView logout(@RequestParam String returnTo) {
        // ruleid: java-open-redirect
        return new RedirectView(returnTo);
    }

    @GetMapping("/sso/home")
    public String home(@RequestParam String tab) {
        // ok: java-open-redirect
        return "redirect:/dashboard";
    }

    @PostMapping("/sso/continue")
    public ModelAndView cont(@RequestParam String url) {
        // ruleid: java-open-redirect
        return new ModelAndView("redirect:" + url);
    }

    @GetMapping("/go")
    public ResponseEntity<Void> go(@RequestParam String to) {
        // ruleid: java-open-redirect
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(to)).build();
    }
}
