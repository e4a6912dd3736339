package com.example.data;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

public class Database {
    // ruleid: java-hardcoded-password-constant
    private static final String DB_PASSWORD = "Pr0d#Passw0rd!";
    // ok: java-hardcoded-password-constant
    private static final String PASSWORD_PARAM = "password";
    // ok: java-hardcoded-password-constant
    private static final String API_KEY = "X-Api-Key";
    // ruleid: java-hardcoded-password-constant
    private static final String AES_KEY = "0123456789abcdef";

    public Connection connect() throws SQLException {
        // ruleid: java-hardcoded-db-password
        return DriverManager.getConnection("jdbc:mysql://db:3306/app", "app", "s3cr3tP@ss");
    }

    public Connection connectFromEnv() throws SQLException {
        // ok: java-hardcoded-db-password
        return DriverManager.getConnection(System.getenv("DB_URL"), System.getenv("DB_USER"), System.getenv("DB_PASS"));
    }

    public HikariDataSource pool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://localhost/app");
        config.setUsername("app");
        // ruleid: java-hardcoded-db-password
        config.setPassword("hunter2-prod");
        return new HikariDataSource(config);
    }

    public byte[] encrypt(byte[] data) throws Exception {
        // ruleid: java-hardcoded-crypto-key
        SecretKeySpec key = new SecretKeySpec(AES_KEY.getBytes(StandardCharsets.UTF_8), "AES");
        // ruleid: java-hardcoded-crypto-key
        SecretKeySpec key2 = new SecretKeySpec("another-16b-key!".getBytes(), "AES");
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, key);
        return c.doFinal(data);
    }

    public SecretKeySpec fromConfig(byte[] keyBytes) {
        // ok: java-hardcoded-crypto-key
        return new SecretKeySpec(keyBytes, "AES");
    }

    public void login(User u) {
        // ok: java-hardcoded-password-constant
        String password = u.getPassword();
    }
}

class User {
    String getPassword() { return ""; }
}

class MailerConfig {
    private static final String SMTP_PASSWORD_PROP = "mail.smtp.password";
    // ruleid: java-hardcoded-password-constant
    private static final byte[] SIGNING_KEY = "mailer-signing-key-2020".getBytes();
    // ok: java-hardcoded-password-constant
    private static final byte[] BANNER = "Welcome to the mailer".getBytes();

    java.util.Properties smtp() {
        java.util.Properties props = new java.util.Properties();
        // ok: java-hardcoded-password-property
        props.setProperty("mail.smtp.user", "mailer");
        // ruleid: java-hardcoded-password-property
        props.setProperty(SMTP_PASSWORD_PROP, "Sm7p-s3cret!");
        // ruleid: java-hardcoded-password-property
        props.setProperty("password", "pg-Pr0d-2022");
        // ok: java-hardcoded-password-property
        props.setProperty("password", System.getenv("PG_PASSWORD"));
        // ok: java-hardcoded-password-property
        props.setProperty("password", "${PG_PASSWORD}");
        return props;
    }
}
