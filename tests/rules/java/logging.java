package com.example.web;

import java.io.IOException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

public class LoginServlet extends HttpServlet {
    private static final Logger log = LoggerFactory.getLogger(LoginServlet.class);

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String user = request.getParameter("username");
        String password = request.getParameter("password");
        // ruleid: java-log-injection
        log.info("Login attempt for user " + user);
        // ruleid: java-log-injection, java-sensitive-logging
        log.debug("Credentials: {} / {}", user, password);
        String clean = user.replaceAll("[\r\n]", "_");
        // ok: java-log-injection
        log.info("Login attempt for user {}", clean);
        // ok: java-log-injection, java-sensitive-logging
        log.info("Login request received");
    }
}

@RestController
class PaymentController {
    private static final Logger logger = LoggerFactory.getLogger(PaymentController.class);

    @PostMapping("/pay")
    public String pay(@RequestParam String cardNumber, @RequestParam int amount, Account account) {
        // ruleid: java-sensitive-logging
        logger.warn("Charging card {}", account.getCardNumber());
        // ok: java-sensitive-logging, java-log-injection
        logger.info("Charging amount {}", amount);
        // ruleid: java-sensitive-logging
        logger.debug("Using api token " + account.getApiKey());
        // ok: java-sensitive-logging
        logger.info("Token expires in {} seconds", account.getTokenTtl());
        return "ok";
    }
}

class Account {
    String getCardNumber() { return ""; }
    String getApiKey() { return ""; }
    long getTokenTtl() { return 0; }
}

@RestController
class ProfileController {
    private static final org.slf4j.Logger audit = LoggerFactory.getLogger("audit");

    @PostMapping("/profile/phone")
    public String phone(@RequestParam String phone, @RequestParam String pin) {
        // ruleid: java-log-injection
        audit.info("phone changed to {}", phone);
        // ok: java-log-injection
        audit.info("phone number has {} digits", phone.length());
        // ruleid: java-sensitive-logging
        audit.info("verifying with pin {} and password {}", phone.length(), acct.getPassword());
        // ok: java-sensitive-logging
        audit.info("password was updated");
        return "ok";
    }

    private final Acct acct = new Acct();
}

class Acct {
    String getPassword() { return ""; }
}
