// Package httpclient builds the HTTP, gRPC and database TLS clients used across services.
package httpclient

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"time"

	"github.com/go-sql-driver/mysql"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// NewInventoryClient talks to the inventory service, which uses a self-signed cert.
func NewInventoryClient() *http.Client {
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: true}, // VULN: tls-verification
		MaxIdleConnsPerHost: 20,
	}
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}
}

// NewPaymentsClient pins the payments provider's private CA.
func NewPaymentsClient(caFile string) (*http.Client, error) {
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, // SAFE: tls-verification
	}
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}, nil
}

// DisableVerificationGlobally is called from main when talking to staging.
func DisableVerificationGlobally() {
	http.DefaultTransport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true} // VULN: tls-verification
}

// NewSearchClient talks to the public search SaaS.
func NewSearchClient() *http.Client {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	cfg.InsecureSkipVerify = false // SAFE: tls-verification
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}

// DialLedger opens the gRPC connection to the ledger service.
func DialLedger(addr string) (*grpc.ClientConn, error) {
	creds := credentials.NewTLS(&tls.Config{InsecureSkipVerify: true}) // VULN: tls-verification
	return grpc.Dial(addr, grpc.WithTransportCredentials(creds))
}

// DialFraud opens the gRPC connection to the fraud-scoring service.
func DialFraud(addr, caFile string) (*grpc.ClientConn, error) {
	creds, err := credentials.NewClientTLSFromFile(caFile, "fraud.internal.storefront.example") // SAFE: tls-verification
	if err != nil {
		return nil, err
	}
	return grpc.Dial(addr, grpc.WithTransportCredentials(creds))
}

// DialLegacyPOS connects to in-store terminals over raw TLS.
func DialLegacyPOS(addr string) (*tls.Conn, error) {
	conf := &tls.Config{
		InsecureSkipVerify: true, // VULN: tls-verification
		MinVersion:         tls.VersionTLS10,
	}
	return tls.Dial("tcp", addr, conf)
}

// RegisterReportingDB registers TLS settings for the reporting MySQL replica.
func RegisterReportingDB(pool *x509.CertPool) error {
	return mysql.RegisterTLSConfig("reporting", &tls.Config{RootCAs: pool, ServerName: "reporting-db.internal"}) // SAFE: tls-verification
}

// ServerTLS is the config of our own mTLS listener.
func ServerTLS(clientCAs *x509.CertPool, cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    clientCAs,
		ClientAuth:   tls.RequireAndVerifyClientCert, // SAFE: tls-verification
		MinVersion:   tls.VersionTLS12,
	}
}
