package com.acme.shop.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Encrypts stored card numbers and gift card codes. */
public class CardVault {

    private final SecretKey key;
    private final SecureRandom rng = new SecureRandom();

    public CardVault(SecretKey key) {
        this.key = key;
    }

    /** Format used by the POS sync job. */
    public byte[] encryptForPos(String pan, byte[] desKey) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("DES/CBC/PKCS5Padding"); // VULN: weak-crypto
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(desKey, "DES"), new IvParameterSpec(new byte[8]));
        return cipher.doFinal(pan.getBytes(StandardCharsets.US_ASCII));
    }

    public byte[] encryptGiftCode(String code) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding"); // VULN: weak-crypto
        cipher.init(Cipher.ENCRYPT_MODE, key);
        return cipher.doFinal(code.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] encryptLegacy(byte[] data) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES"); // VULN: weak-crypto
        cipher.init(Cipher.ENCRYPT_MODE, key);
        return cipher.doFinal(data);
    }

    public byte[] encrypt(String pan) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        rng.nextBytes(iv);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding"); // SAFE: weak-crypto
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(pan.getBytes(StandardCharsets.US_ASCII));
        return ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array();
    }

    public byte[] sign(byte[] payload, byte[] macKey) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256"); // SAFE: weak-crypto
        mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
        return mac.doFinal(payload);
    }

    public static SecretKey newKey() throws GeneralSecurityException {
        KeyGenerator kg = KeyGenerator.getInstance("AES");
        kg.init(256);
        return kg.generateKey();
    }

    public byte[] wrapForHsm(SecretKey dataKey, SecretKey kek) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AESWrap"); // SAFE: weak-crypto
        cipher.init(Cipher.WRAP_MODE, kek);
        return cipher.wrap(dataKey);
    }

    public byte[] encryptBackup(byte[] data, SecretKey tripleDesKey) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("DESede/ECB/PKCS5Padding"); // VULN: weak-crypto
        cipher.init(Cipher.ENCRYPT_MODE, tripleDesKey);
        return cipher.doFinal(data);
    }
}
