package com.example.crypto;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.digest.DigestUtils;

public class PasswordService {
    private static final byte[] FIXED_IV = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private final SecureRandom random = new SecureRandom();

    public String hashPassword(String password) throws Exception {
        // ruleid: java-weak-hash-md5-sha1
        MessageDigest md = MessageDigest.getInstance("MD5");
        byte[] digest = md.digest(password.getBytes(StandardCharsets.UTF_8));
        return toHex(digest);
    }

    public String resetToken(String email) throws Exception {
        // ruleid: java-weak-hash-md5-sha1
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        return toHex(sha1.digest((email + System.nanoTime()).getBytes()));
    }

    public String apiKeyHash(String key) {
        // ruleid: java-weak-hash-md5-sha1
        return DigestUtils.md5Hex(key);
    }

    public String strongHash(String password) throws Exception {
        // ok: java-weak-hash-md5-sha1
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        return toHex(md.digest(password.getBytes()));
    }

    public String fileChecksum(byte[] content) throws Exception {
        // ok: java-weak-hash-md5-sha1
        MessageDigest md = MessageDigest.getInstance("MD5");
        return toHex(md.digest(content));
    }

    public String computeEtag(byte[] body) {
        // ok: java-weak-hash-md5-sha1
        return "\"" + DigestUtils.md5Hex(body) + "\"";
    }

    public byte[] encryptLegacy(byte[] key, byte[] data) throws Exception {
        // ruleid: java-weak-cipher-algorithm
        Cipher c = Cipher.getInstance("DES/CBC/PKCS5Padding");
        // ruleid: java-weak-cipher-algorithm
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
        return c.doFinal(data);
    }

    public byte[] encryptEcb(SecretKeySpec key, byte[] data) throws Exception {
        // ruleid: java-weak-cipher-ecb-mode
        Cipher c = Cipher.getInstance("AES");
        c.init(Cipher.ENCRYPT_MODE, key);
        // ruleid: java-weak-cipher-ecb-mode
        Cipher c2 = Cipher.getInstance("AES/ECB/PKCS5Padding");
        // ruleid: java-weak-cipher-algorithm
        Cipher rc4 = Cipher.getInstance("RC4");
        return c.doFinal(data);
    }

    public byte[] encryptGcm(SecretKeySpec key, byte[] data) throws Exception {
        byte[] iv = new byte[12];
        random.nextBytes(iv);
        // ok: java-weak-cipher-ecb-mode
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        // ok: java-static-iv
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
        // ok: java-weak-cipher-ecb-mode
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        return c.doFinal(data);
    }

    public byte[] encryptStaticIv(SecretKeySpec key, byte[] data) throws Exception {
        Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
        // ruleid: java-static-iv
        c.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(FIXED_IV));
        byte[] zero = new byte[16];
        // ruleid: java-static-iv
        IvParameterSpec spec = new IvParameterSpec(zero);
        // ruleid: java-static-iv
        IvParameterSpec spec2 = new IvParameterSpec(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        return c.doFinal(data);
    }

    public void keys() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
        // ruleid: java-weak-rsa-key-size
        kpg.initialize(1024);
        KeyPairGenerator strong = KeyPairGenerator.getInstance("RSA");
        // ok: java-weak-rsa-key-size
        strong.initialize(3072);
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        // ok: java-weak-rsa-key-size
        ec.initialize(256);
    }

    private static String toHex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
