package com.example.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.Jwt;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.SignatureAlgorithm;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.util.Date;

public class TokenService {
    private static final String SECRET = "s3cr3t-signing-key-do-not-share";
    private final Key key;
    private final String configuredSecret;

    public TokenService(Key key, String configuredSecret) {
        this.key = key;
        this.configuredSecret = configuredSecret;
    }

    public Jwt<?, ?> readUnsafe(String token) {
        // ruleid: java-jwt-unverified-parse
        return Jwts.parser().setSigningKey(key).parse(token);
    }

    public Claims readClaimsUnsafe(String token) {
        JwtParser parser = Jwts.parserBuilder().setSigningKey(key).build();
        // ruleid: java-jwt-unverified-parse
        return (Claims) parser.parseClaimsJwt(token).getBody();
    }

    public Claims readSafe(String token) {
        // ok: java-jwt-unverified-parse
        Jws<Claims> jws = Jwts.parserBuilder().setSigningKey(key).build().parseClaimsJws(token);
        return jws.getBody();
    }

    public String issue(String user) {
        // ruleid: java-jwt-hardcoded-secret
        return Jwts.builder()
                .setSubject(user)
                .setExpiration(new Date(System.currentTimeMillis() + 3600_000))
                .signWith(SignatureAlgorithm.HS256, SECRET.getBytes(StandardCharsets.UTF_8))
                .compact();
    }

    public Claims verifyLegacy(String token) {
        // ruleid: java-jwt-hardcoded-secret
        return Jwts.parser().setSigningKey("changeit-legacy-secret").parseClaimsJws(token).getBody();
    }

    public String issueAuth0(String user) {
        // ruleid: java-jwt-hardcoded-secret
        Algorithm alg = Algorithm.HMAC256("my-super-secret");
        return JWT.create().withSubject(user).sign(alg);
    }

    public String issueConfigured(String user) {
        // ok: java-jwt-hardcoded-secret
        Algorithm alg = Algorithm.HMAC256(configuredSecret);
        return JWT.create().withSubject(user).sign(alg);
    }

    public String currentUser(String authHeader) {
        String token = authHeader.substring("Bearer ".length());
        // ruleid: java-jwt-decode-without-verify
        DecodedJWT jwt = JWT.decode(token);
        return jwt.getSubject();
    }

    public String verifiedUser(String token) {
        JWTVerifier verifier = JWT.require(Algorithm.HMAC256(configuredSecret)).build();
        verifier.verify(token);
        // ok: java-jwt-decode-without-verify
        DecodedJWT jwt = JWT.decode(token);
        return jwt.getSubject();
    }
}
