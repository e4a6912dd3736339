package com.acme.shop.auth;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.security.Principal;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.view.RedirectView;

@Controller
public class AccountController {

    private static final Logger log = LogManager.getLogger(AccountController.class);
    private static final org.slf4j.Logger audit = LoggerFactory.getLogger("audit");
    private static final Map<String, String> LANDING = Map.of("orders", "/account/orders", "wishlist", "/wishlist");

    private final JdbcTemplate jdbc;
    private final CredentialStore passwords;

    public AccountController(JdbcTemplate jdbc, CredentialStore passwords) {
        this.jdbc = jdbc;
        this.passwords = passwords;
    }

    interface CredentialStore {
        boolean matches(String username, String password);

        void update(String username, String newPassword);
    }

    @PostMapping("/signin")
    public String login(@RequestParam String username, @RequestParam String password,
                        @RequestParam(defaultValue = "/") String next) {
        log.debug("Login attempt for {} with password {}", username, password); // VULN: sensitive-logging
        if (!passwords.matches(username, password)) {
            log.warn("Failed login for user " + username); // VULN: log-injection
            return "redirect:/login?error";
        }
        audit.info("login ok user_length={}", username.length()); // SAFE: log-injection
        return "redirect:" + next; // VULN: open-redirect
    }

    @PostMapping("/account/password")
    public String changePassword(Principal principal, @RequestParam String current, @RequestParam String newPassword) {
        if (!passwords.matches(principal.getName(), current)) {
            return "redirect:/account?error";
        }
        passwords.update(principal.getName(), newPassword);
        log.info("Password changed for {}", principal.getName()); // SAFE: sensitive-logging
        return "redirect:/account?changed"; // SAFE: open-redirect
    }

    @PostMapping("/account/card")
    public String addCard(Principal principal, @RequestParam String cardNumber, @RequestParam String cvv) {
        audit.info("card added for {}: {} cvv {}", principal.getName(), cardNumber, cvv); // VULN: sensitive-logging
        String masked = "**** **** **** " + cardNumber.substring(cardNumber.length() - 4);
        audit.info("card added for {}: {}", principal.getName(), masked); // SAFE: sensitive-logging
        return "redirect:/account/cards";
    }

    @GetMapping("/account/close")
    public String closeAccount(Principal principal) {
        jdbc.update("UPDATE customers SET closed = true WHERE username = ?", principal.getName()); // VULN: csrf
        return "redirect:/goodbye";
    }

    @PostMapping("/preferences/newsletter/unsubscribe")
    public String unsubscribe(Principal principal) {
        jdbc.update("UPDATE customers SET newsletter = false WHERE username = ?", principal.getName()); // SAFE: csrf
        return "redirect:/account";
    }

    @GetMapping("/account/landing")
    public RedirectView landing(@RequestParam String section) {
        return new RedirectView(LANDING.getOrDefault(section, "/account")); // SAFE: open-redirect
    }

    @GetMapping("/sso/return")
    public RedirectView ssoReturn(HttpServletRequest request) {
        String target = request.getParameter("RelayState");
        return new RedirectView(target); // VULN: open-redirect
    }

    @GetMapping("/out")
    public String outbound(@RequestParam String url) {
        URI uri = URI.create(url);
        if (uri.getHost() != null && uri.getHost().endsWith("acme-shop.example")) {
            return "redirect:" + url; // VULN: open-redirect
        }
        return "redirect:/";
    }

    @PostMapping("/api/session/refresh")
    public String refresh(@RequestHeader("Authorization") String authorization, @RequestHeader("User-Agent") String userAgent) {
        log.info("Refreshing session, auth header = " + authorization); // VULN: sensitive-logging
        log.info("Refreshing session for agent {}", userAgent.replaceAll("[\\r\\n]", "_")); // SAFE: log-injection
        audit.info("session refresh from {}", userAgent); // VULN: log-injection
        log.info("Refreshing session, token length {}", authorization.length()); // SAFE: sensitive-logging
        return "redirect:/";
    }

    @PostMapping("/account/search-history")
    public String recordSearch(Principal principal, @RequestParam String q) {
        log.info("search by {}: {}", principal.getName(), q); // VULN: log-injection
        return "redirect:/search?saved";
    }
}
