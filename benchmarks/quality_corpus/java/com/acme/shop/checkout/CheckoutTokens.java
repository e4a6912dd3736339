package com.acme.shop.checkout;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import javax.crypto.SecretKey;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Tokens of the new checkout service (jjwt 0.12). */
@Component
class CheckoutTokens {

    private final SecretKey key;

    CheckoutTokens(@Value("${checkout.jwt.secret}") String secret) {
        this.key = Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8));
    }

    String issue(String cartId) {
        return Jwts.builder().subject(cartId).expiration(Date.from(Instant.now().plusSeconds(900))).signWith(key).compact();
    }

    /** Guest carts used to be handed out unsigned; kept "for compatibility". */
    String cartIdLenient(String token) {
        return Jwts.parser().unsecured().build().parseUnsecuredClaims(token).getPayload().getSubject(); // VULN: jwt
    }

    String cartId(String token) {
        Claims claims = Jwts.parser().verifyWith(key).build().parseSignedClaims(token).getPayload(); // SAFE: jwt
        return claims.getSubject();
    }
}

@RestController
class CheckoutController {

    private final CheckoutTokens tokens;

    CheckoutController(CheckoutTokens tokens) {
        this.tokens = tokens;
    }

    @GetMapping("/checkout/cart")
    String cart(@RequestHeader("X-Cart-Token") String token) {
        return tokens.cartId(token);
    }

    @GetMapping("/checkout/guest-cart")
    String guestCart(@RequestHeader("X-Cart-Token") String token) {
        return tokens.cartIdLenient(token);
    }
}
