package rules

import (
	"crypto/tls"
	"net/http"
	"os"
)

func insecureClient() *http.Client {
	tr := &http.Transport{
		// ruleid: go-tls-insecure-skip-verify
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}
	return &http.Client{Transport: tr}
}

func patchDefault() {
	http.DefaultTransport.(*http.Transport).TLSClientConfig = &tls.Config{
		// ruleid: go-tls-insecure-skip-verify
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS12,
	}
}

func setLater(cfg *tls.Config) {
	// ruleid: go-tls-insecure-skip-verify
	cfg.InsecureSkipVerify = true
}

func legacyServer() *http.Server {
	return &http.Server{
		Addr: ":443",
		// ruleid: go-tls-weak-version
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS10},
	}
}

func legacyCiphers() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			// ruleid: go-tls-weak-cipher-suites
			tls.TLS_RSA_WITH_RC4_128_SHA,
			// ruleid: go-tls-weak-cipher-suites
			tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
		},
	}
}

// ---- safe look-alikes ----

func secureClient() *http.Client {
	// ok: go-tls-insecure-skip-verify, go-tls-weak-version
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: false}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}

func configurable() *tls.Config {
	// ok: go-tls-insecure-skip-verify
	return &tls.Config{InsecureSkipVerify: os.Getenv("DEV_INSECURE") == "1", MinVersion: tls.VersionTLS13}
}

func multiLineConfig(addr string) (*tls.Conn, error) {
	conf := &tls.Config{
		// ruleid: go-tls-insecure-skip-verify
		InsecureSkipVerify: true,
		// ok: go-tls-insecure-skip-verify
		ServerName: "pos.internal",
	}
	return tls.Dial("tcp", addr, conf)
}

func multiLineVerified(addr string) (*tls.Conn, error) {
	conf := &tls.Config{
		// ok: go-tls-insecure-skip-verify
		InsecureSkipVerify: false,
		MinVersion:         tls.VersionTLS12,
	}
	return tls.Dial("tcp", addr, conf)
}
