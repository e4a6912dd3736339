package com.example.http;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;

public class InsecureClientFactory {
    public SSLContext trustAll() throws Exception {
        TrustManager[] trustAllCerts = new TrustManager[] {
            new X509TrustManager() {
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }

                public void checkClientTrusted(X509Certificate[] certs, String authType) {
                }

                // ruleid: java-tls-trust-all-certificates
                public void checkServerTrusted(X509Certificate[] certs, String authType) {
                }
            }
        };
        // ruleid: java-tls-insecure-protocol
        SSLContext sc = SSLContext.getInstance("SSL");
        sc.init(null, trustAllCerts, new java.security.SecureRandom());
        HttpsURLConnection.setDefaultSSLSocketFactory(sc.getSocketFactory());
        // ruleid: java-tls-hostname-verification-disabled
        HttpsURLConnection.setDefaultHostnameVerifier((hostname, session) -> true);
        return sc;
    }

    public CloseableHttpClient apacheClient() {
        return HttpClients.custom()
                // ruleid: java-tls-hostname-verification-disabled
                .setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE)
                .build();
    }

    public SSLContext modern() throws Exception {
        // ok: java-tls-insecure-protocol
        SSLContext sc = SSLContext.getInstance("TLSv1.3");
        sc.init(null, null, null);
        return sc;
    }
}

class PinningTrustManager implements X509TrustManager {
    private final X509TrustManager delegate;

    PinningTrustManager(X509TrustManager delegate) {
        this.delegate = delegate;
    }

    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    // ok: java-tls-trust-all-certificates
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}

class AllowAll implements HostnameVerifier {
    // ruleid: java-tls-hostname-verification-disabled
    @Override
    public boolean verify(String hostname, SSLSession session) {
        return true;
    }
}

class StrictVerifier implements HostnameVerifier {
    // ok: java-tls-hostname-verification-disabled
    @Override
    public boolean verify(String hostname, SSLSession session) {
        return "api.example.com".equals(hostname);
    }
}
