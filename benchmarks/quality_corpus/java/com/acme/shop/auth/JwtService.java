package com.acme.shop.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.Jwt;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import javax.crypto.SecretKey;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/** Storefront tokens (jjwt 0.11.5) and partner SSO tokens (auth0 java-jwt 4.x). */
@Service
public class JwtService {

    private final SecretKey signingKey;
    private final JWTVerifier partnerVerifier;

    public JwtService(@Value("${shop.jwt.secret}") String secret, RSAPublicKey partnerKey) {
        this.signingKey = Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8));
        this.partnerVerifier = JWT.require(Algorithm.RSA256(partnerKey, null)).withIssuer("https://idp.partner.example").build();
    }

    private static String bearer(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        return header != null && header.startsWith("Bearer ") ? header.substring(7) : "";
    }

    /** jjwt 0.11: parse() also accepts unsigned (alg=none) tokens. */
    @SuppressWarnings("rawtypes")
    public String customerId(HttpServletRequest request) {
        Jwt jwt = Jwts.parserBuilder().setSigningKey(signingKey).build().parse(bearer(request)); // VULN: jwt
        return ((Claims) jwt.getBody()).getSubject();
    }

    public String customerIdChecked(HttpServletRequest request) {
        Jws<Claims> jws = Jwts.parserBuilder().setSigningKey(signingKey).build().parseClaimsJws(bearer(request)); // SAFE: jwt
        return jws.getBody().getSubject();
    }

    public Claims guestCart(String token) {
        return Jwts.parserBuilder().build().parseClaimsJwt(token).getBody(); // VULN: jwt
    }

    public String role(HttpServletRequest request) {
        Claims claims = Jwts.parser().setSigningKey(signingKey).parseClaimsJws(bearer(request)).getBody(); // SAFE: jwt
        return claims.get("role", String.class);
    }

    /** Partner SSO tokens (auth0 java-jwt). */
    public String partnerId(String token) {
        DecodedJWT decoded = JWT.decode(token); // VULN: jwt
        return decoded.getClaim("partner_id").asString();
    }

    public String partnerIdVerified(String token) {
        DecodedJWT verified = partnerVerifier.verify(token); // SAFE: jwt
        return verified.getClaim("partner_id").asString();
    }

    public String issue(String subject) {
        return Jwts.builder().setSubject(subject).signWith(signingKey).compact();
    }
}
