package com.acme.shop.config;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.error.ErrorAttributeOptions;
import org.springframework.boot.web.servlet.error.ErrorAttributes;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.ServletWebRequest;

/** Error rendering for the storefront (public) and the internal status pages. */
@RestController
public class ErrorPages {

    private static final Logger log = LoggerFactory.getLogger(ErrorPages.class);

    private final ErrorAttributes errorAttributes;

    public ErrorPages(ErrorAttributes errorAttributes) {
        this.errorAttributes = errorAttributes;
    }

    @GetMapping("/error")
    public ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        ServletWebRequest web = new ServletWebRequest(request);
        Map<String, Object> body = errorAttributes.getErrorAttributes(web, ErrorAttributeOptions.of(ErrorAttributeOptions.Include.STACK_TRACE, ErrorAttributeOptions.Include.MESSAGE)); // VULN: debug-mode
        return ResponseEntity.status((Integer) body.getOrDefault("status", 500)).body(body);
    }

    @GetMapping("/status/error")
    public ResponseEntity<Map<String, Object>> statusError(HttpServletRequest request) {
        Map<String, Object> body = errorAttributes.getErrorAttributes(new ServletWebRequest(request), ErrorAttributeOptions.defaults()); // SAFE: debug-mode
        return ResponseEntity.status(500).body(body);
    }
}

@ControllerAdvice
class CheckoutErrorAdvice {

    private static final Logger log = LoggerFactory.getLogger(CheckoutErrorAdvice.class);

    @ExceptionHandler(IllegalStateException.class)
    public void onCheckoutFailure(IllegalStateException e, HttpServletResponse response) throws IOException {
        response.setStatus(500);
        response.setContentType("text/plain");
        PrintWriter out = response.getWriter();
        out.println("Checkout failed:");
        e.printStackTrace(out); // VULN: debug-mode
    }

    @ExceptionHandler(RuntimeException.class)
    public void onUnexpected(RuntimeException e, HttpServletResponse response) throws IOException {
        log.error("unexpected error during checkout", e); // SAFE: debug-mode
        response.sendError(500, "Something went wrong. Please try again.");
    }
}
