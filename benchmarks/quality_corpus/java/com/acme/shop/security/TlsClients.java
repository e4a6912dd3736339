package com.acme.shop.security;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.http.conn.ssl.DefaultHostnameVerifier;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.ssl.SSLContextBuilder;
import org.apache.http.ssl.SSLContexts;

/** HTTP clients for the payment gateway, ERP and carrier integrations. */
public final class TlsClients {

    private TlsClients() {}

    /** The ERP runs with a self-signed certificate, so we accept anything. */
    static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {} // VULN: tls-verification

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    public static HttpClient erpClient() throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new TrustEverything()}, null);
        return HttpClient.newBuilder().sslContext(ctx).build();
    }

    public static HttpClient gatewayClient(InputStream truststore, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(truststore, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), null); // SAFE: tls-verification
        return HttpClient.newBuilder().sslContext(ctx).build();
    }

    public static void disableHostnameChecks() {
        HttpsURLConnection.setDefaultHostnameVerifier((hostname, session) -> true); // VULN: tls-verification
    }

    public static CloseableHttpClient carrierClient() throws GeneralSecurityException {
        SSLContext ctx = new SSLContextBuilder().loadTrustMaterial(null, (chain, authType) -> true).build(); // VULN: tls-verification
        return HttpClients.custom().setSSLContext(ctx).build();
    }

    public static CloseableHttpClient warehouseClient() {
        return HttpClients.custom().setSSLContext(SSLContexts.createDefault()).setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE).build(); // VULN: tls-verification
    }

    public static CloseableHttpClient taxServiceClient() {
        return HttpClients.custom().setSSLContext(SSLContexts.createSystemDefault()).setSSLHostnameVerifier(new DefaultHostnameVerifier()).build(); // SAFE: tls-verification
    }

    /** Only accepts the partner's hostnames, after the default verifier has passed. */
    public static HostnameVerifier partnerVerifier() {
        HostnameVerifier defaults = HttpsURLConnection.getDefaultHostnameVerifier();
        return (hostname, session) -> hostname.endsWith(".partner.example") && defaults.verify(hostname, session); // SAFE: tls-verification
    }

    public static HttpClient defaultClient() throws GeneralSecurityException {
        return HttpClient.newBuilder().sslContext(SSLContext.getDefault()).build(); // SAFE: tls-verification
    }

    /** Trust manager that delegates to the JDK defaults and additionally pins the issuer. */
    static final class PinnedIssuerTrustManager implements X509TrustManager {
        private final X509TrustManager delegate;
        private final String issuerDn;

        PinnedIssuerTrustManager(X509TrustManager delegate, String issuerDn) {
            this.delegate = delegate;
            this.issuerDn = issuerDn;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            delegate.checkServerTrusted(chain, authType); // SAFE: tls-verification
            if (!chain[chain.length - 1].getIssuerX500Principal().getName().equals(issuerDn)) {
                throw new java.security.cert.CertificateException("unexpected issuer");
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
