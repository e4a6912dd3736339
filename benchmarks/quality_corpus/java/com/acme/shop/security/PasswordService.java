package com.acme.shop.security;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Service;

@Service
public class PasswordService {

    private static final SecureRandom SECURE = new SecureRandom();
    private final Random random = new Random();
    private final BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(12);

    /** Hash stored for accounts created before 2019. */
    public String legacyHash(String password) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("MD5"); // VULN: weak-crypto
        return HexFormat.of().formatHex(md.digest(password.getBytes(StandardCharsets.UTF_8)));
    }

    /** Hash used by the 2019-2021 mobile API. */
    public String saltedSha1(String salt, String password) throws NoSuchAlgorithmException {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1"); // VULN: weak-crypto
        sha1.update(salt.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(sha1.digest(password.getBytes(StandardCharsets.UTF_8)));
    }

    public String hash(String password) {
        return bcrypt.encode(password); // SAFE: weak-crypto
    }

    public byte[] pbkdf2(char[] password, byte[] salt) throws NoSuchAlgorithmException, InvalidKeySpecException {
        PBEKeySpec spec = new PBEKeySpec(password, salt, 310_000, 256);
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded(); // SAFE: weak-crypto
    }

    /** ETag for exported catalogue files; not a security control. */
    public String etag(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest md5 = MessageDigest.getInstance("MD5"); // SAFE: weak-crypto
        try (InputStream in = Files.newInputStream(file)) {
            md5.update(in.readAllBytes());
        }
        return "\"" + HexFormat.of().formatHex(md5.digest()) + "\"";
    }

    /** Checksum published alongside nightly exports. */
    public String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256"); // SAFE: weak-crypto
        return HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
    }

    /** Token e-mailed in the "reset your password" link. */
    public String resetToken() {
        return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()); // VULN: weak-random
    }

    /** Six digit code for SMS two-factor login. */
    public String smsCode() {
        return String.format("%06d", (int) (Math.random() * 1_000_000)); // VULN: weak-random
    }

    public String apiKey() {
        byte[] key = new byte[32];
        SECURE.nextBytes(key); // SAFE: weak-random
        return "sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    public String inviteCode(long merchantId) {
        Random seeded = new Random(merchantId ^ System.currentTimeMillis());
        return new BigInteger(64, seeded).toString(36); // VULN: weak-random
    }

    public String sessionId() {
        return UUID.randomUUID().toString(); // SAFE: weak-random
    }

    public String emailCode() {
        return String.format("%06d", SECURE.nextInt(1_000_000)); // SAFE: weak-random
    }

    /** Retry jitter for outbound webhooks. */
    public long retryDelayMillis(int attempt) {
        return (1L << attempt) * 1000 + ThreadLocalRandom.current().nextLong(250); // SAFE: weak-random
    }

    /** Randomise the order of "recommended" tiles on the home page. */
    public <T> void shuffleTiles(List<T> tiles) {
        Collections.shuffle(tiles, random); // SAFE: weak-random
    }

    public String csrfToken() {
        return Integer.toHexString(ThreadLocalRandom.current().nextInt()) + Long.toHexString(System.nanoTime()); // VULN: weak-random
    }
}
