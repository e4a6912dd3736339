package com.acme.shop.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Connections to the legacy ERP database and the reporting warehouse. */
@Configuration
public class LegacyDataSource {

    private static final Logger log = LoggerFactory.getLogger(LegacyDataSource.class);

    private static final String ERP_URL = "jdbc:sqlserver://erp-db.internal:1433;databaseName=ERP";
    private static final String PASSWORD_PROPERTY = "password"; // SAFE: hardcoded-secret
    private static final String SENDGRID_API_KEY = "SG.q3Lk8Vf2TnQ9xR4wZ1yB7c.Hd6Jm2Np8Qr5St1Uv4Wx7Yz0Ab3Cd6Ef9Gh2Ij5Kl8"; // VULN: hardcoded-secret
    private static final byte[] TOKEN_KEY = "acme-shop-token-key-2021!".getBytes(); // VULN: hardcoded-secret

    @Value("${reporting.db.password}")
    private String reportingPassword; // SAFE: hardcoded-secret

    public Connection erpConnection() throws SQLException {
        return DriverManager.getConnection(ERP_URL, "erp_app", "Erp#Prod2021!"); // VULN: hardcoded-secret
    }

    public Connection erpReadOnlyConnection() throws SQLException {
        String password = System.getenv("ERP_RO_PASSWORD");
        log.info("Connecting to {} as erp_ro with password {}", ERP_URL, password); // VULN: sensitive-logging
        return DriverManager.getConnection(ERP_URL, "erp_ro", password); // SAFE: hardcoded-secret
    }

    public Connection auditConnection() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "audit_writer");
        props.setProperty(PASSWORD_PROPERTY, "4udit-Wr1ter-pw"); // VULN: hardcoded-secret
        props.setProperty("ssl", "true");
        return DriverManager.getConnection("jdbc:postgresql://audit-db.internal:5432/audit", props);
    }

    @Bean
    public HikariDataSource reportingDataSource() {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl("jdbc:postgresql://warehouse.internal:5432/reporting");
        cfg.setUsername("reporting");
        cfg.setPassword(reportingPassword); // SAFE: hardcoded-secret
        log.info("Reporting pool configured for {} as {}", cfg.getJdbcUrl(), cfg.getUsername()); // SAFE: sensitive-logging
        return new HikariDataSource(cfg);
    }

    public SecretKeySpec tokenKey() {
        return new SecretKeySpec(TOKEN_KEY, "HmacSHA256");
    }

    public String sendgridKey() {
        return SENDGRID_API_KEY;
    }

    public SecretKeySpec exportKey() {
        String material = System.getenv("EXPORT_KEY_B64");
        return new SecretKeySpec(java.util.Base64.getDecoder().decode(material), "AES"); // SAFE: hardcoded-secret
    }
}
