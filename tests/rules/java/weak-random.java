package com.example.security;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.commons.lang3.RandomStringUtils;

public class AccountService {
    private static final Random RANDOM = new Random();
    private final SecureRandom secureRandom = new SecureRandom();

    public String generateResetToken() {
        // ruleid: java-weak-random-security
        Random r = new Random();
        return Long.toHexString(r.nextLong());
    }

    public String createSessionId() {
        // ruleid: java-weak-random-security
        return String.valueOf(Math.random()).substring(2);
    }

    public String register(String email) {
        // ruleid: java-weak-random-security
        String tempPassword = RandomStringUtils.randomAlphanumeric(10);
        // ruleid: java-weak-random-security
        int otp = ThreadLocalRandom.current().nextInt(100000, 999999);
        return email + tempPassword + otp;
    }

    public String activationCode() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            // ruleid: java-weak-random-security
            sb.append(RANDOM.nextInt(10));
        }
        return sb.toString();
    }

    public String generateApiKey() {
        byte[] buf = new byte[32];
        // ok: java-weak-random-security
        secureRandom.nextBytes(buf);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buf);
    }

    public <T> T pickBanner(List<T> banners) {
        // ok: java-weak-random-security
        return banners.get(new Random().nextInt(banners.size()));
    }

    public long retryDelayMillis(int attempt) {
        // ok: java-weak-random-security
        double jitter = Math.random() * 100;
        return (long) (Math.pow(2, attempt) * 100 + jitter);
    }
}

class PasswordHashingService {
    private final Random random = new Random();

    public long backoffMillis(int attempt) {
        // ok: java-weak-random-security
        return (1L << attempt) * 500 + ThreadLocalRandom.current().nextLong(100);
    }

    public void reset() {
        // ok: java-weak-random-security
        int answer = Math.abs(random.nextInt() % 100) + 1;
    }

    public String sessionTimeoutLabel() {
        // ok: java-weak-random-security
        return "expires in " + (30 + random.nextInt(5)) + " min";
    }

    public String invitationCode(long teamId) {
        // ruleid: java-weak-random-security
        Random r = new Random(teamId);
        // ruleid: java-weak-random-security
        return new BigInteger(80, r).toString(32);
    }

    public String smsLoginCode() {
        // ruleid: java-weak-random-security
        return String.format("%06d", random.nextInt(1_000_000));
    }
}

class VoucherCodeGenerator {
    // ruleid: java-weak-random-security
    private final Random rnd = new Random();

    String next() {
        // ruleid: java-weak-random-security
        return Long.toString(rnd.nextLong() & Long.MAX_VALUE, 36);
    }
}
