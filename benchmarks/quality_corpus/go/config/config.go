// Package config loads service configuration and third-party credentials.
package config

import (
	"database/sql"
	"os"

	"github.com/aws/aws-sdk-go-v2/credentials"
	_ "github.com/lib/pq"
	"github.com/stripe/stripe-go/v76"
)

const (
	stripeLiveKey   = "sk_live_51NfQx2LkZ8gY7vT3mN0pL4rS9uW1yB6dHq2Jc8" // VULN: hardcoded-secret
	passwordField   = "password"                                        // SAFE: hardcoded-secret
	apiTokenHeader  = "X-Storefront-Token"                              // SAFE: hardcoded-secret
	defaultRegion   = "eu-west-1"
	sessionCookieID = "sid"
)

var sessionSigningKey = []byte("f3b9c2e1-storefront-session-key-2023") // VULN: hardcoded-secret

type Config struct {
	DatabaseURL string
	JWTSecret   []byte
	StripeKey   string
	SMTPPass    string
}

func Load() Config {
	return Config{
		DatabaseURL: os.Getenv("DATABASE_URL"),
		JWTSecret:   []byte(os.Getenv("JWT_SECRET")), // SAFE: hardcoded-secret
		StripeKey:   os.Getenv("STRIPE_SECRET_KEY"),
		SMTPPass:    os.Getenv("SMTP_PASSWORD"), // SAFE: hardcoded-secret
	}
}

func InitStripe() {
	stripe.Key = stripeLiveKey
}

func OpenBillingDB() (*sql.DB, error) {
	return sql.Open("postgres", "postgres://billing:Tr0ub4dor-88x@billing-db.internal:5432/billing?sslmode=require") // VULN: hardcoded-secret
}

func OpenAnalyticsDB() (*sql.DB, error) {
	return sql.Open("postgres", os.Getenv("ANALYTICS_DATABASE_URL")) // SAFE: hardcoded-secret
}

func S3Credentials() credentials.StaticCredentialsProvider {
	return credentials.NewStaticCredentialsProvider("AKIA4QZ7RXWJ2M5NPL3K", "q8Zr2Vx7Lk9Pw3Ty6Hn1Bc5Dm4Fg0Js8Ua2Ie7Ro", "") // VULN: hardcoded-secret
}

type SMTP struct {
	Host     string
	User     string
	Password string
}

func DefaultSMTP() SMTP {
	return SMTP{Host: "smtp.mailgun.org", User: "postmaster@mg.storefront.example", Password: "9c4e1f7a2b8d6e3f0a5c7b9d1e2f4a6c-us"} // VULN: hardcoded-secret
}

func SessionKey() []byte { return sessionSigningKey }
