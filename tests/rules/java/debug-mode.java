package com.example.debug;

import android.app.Activity;
import android.os.Bundle;
import android.webkit.WebView;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Properties;
import org.apache.commons.lang3.exception.ExceptionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.error.ErrorAttributeOptions;
import org.springframework.boot.web.servlet.error.ErrorAttributes;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;

class HelpActivity extends Activity {
    private WebView view;

    @Override
    protected void onCreate(Bundle state) {
        super.onCreate(state);
        // ruleid: java-android-webview-debugging-enabled
        WebView.setWebContentsDebuggingEnabled(true);
        view = new WebView(this);
        view.loadUrl("https://help.example.com/");
    }
}

class ReleaseSafeActivity extends Activity {
    @Override
    protected void onCreate(Bundle state) {
        super.onCreate(state);
        if (BuildConfig.DEBUG) {
            // ok: java-android-webview-debugging-enabled
            WebView.setWebContentsDebuggingEnabled(true);
        }
        // ok: java-android-webview-debugging-enabled
        WebView.setWebContentsDebuggingEnabled(false);
    }
}

class AppInit {
    void init(boolean verbose) {
        if (verbose) {
            // ruleid: java-android-webview-debugging-enabled
            WebView.setWebContentsDebuggingEnabled(true);
        }
    }
}

@Configuration
// ruleid: java-spring-security-debug-enabled
@EnableWebSecurity(debug = true)
class DebugSecurityConfig {
}

@Configuration
// ok: java-spring-security-debug-enabled
@EnableWebSecurity(debug = false)
class QuietSecurityConfig {
}

@Configuration
// ok: java-spring-security-debug-enabled
@EnableWebSecurity
class PlainSecurityConfig {
}

@RestControllerAdvice
class ApiErrors {
    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
    private final ErrorAttributes errorAttributes;

    ApiErrors(ErrorAttributes errorAttributes) {
        this.errorAttributes = errorAttributes;
    }

    Map<String, Object> details(WebRequest web) {
        // ruleid: java-stacktrace-exposed-to-client
        return errorAttributes.getErrorAttributes(web, ErrorAttributeOptions.of(ErrorAttributeOptions.Include.STACK_TRACE));
    }

    Map<String, Object> summary(WebRequest web) {
        // ok: java-stacktrace-exposed-to-client
        return errorAttributes.getErrorAttributes(web, ErrorAttributeOptions.of(ErrorAttributeOptions.Include.MESSAGE));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    void badInput(IllegalArgumentException ex, HttpServletResponse resp) throws IOException {
        resp.setStatus(400);
        PrintWriter writer = resp.getWriter();
        writer.println("Request failed");
        // ruleid: java-stacktrace-exposed-to-client
        ex.printStackTrace(writer);
    }

    @ExceptionHandler(IllegalStateException.class)
    void conflict(IllegalStateException ex, HttpServletResponse resp) throws IOException {
        // ruleid: java-stacktrace-exposed-to-client
        ex.printStackTrace(resp.getWriter());
    }

    @ExceptionHandler(UnsupportedOperationException.class)
    ResponseEntity<String> unsupported(UnsupportedOperationException ex) {
        // ruleid: java-stacktrace-exposed-to-client
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(ExceptionUtils.getStackTrace(ex));
    }

    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<String> generic(RuntimeException ex) {
        // ok: java-stacktrace-exposed-to-client
        log.error("request failed", ex);
        // ok: java-stacktrace-exposed-to-client
        ex.printStackTrace();
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body("Internal error");
    }

    void configure(Properties props) {
        // ruleid: java-stacktrace-exposed-to-client
        props.setProperty("server.error.include-stacktrace", "always");
        // ok: java-stacktrace-exposed-to-client
        props.setProperty("server.error.include-stacktrace", "never");
    }
}
