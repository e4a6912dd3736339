package rules

import (
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/golang-jwt/jwt/v5"
)

// ruleid: go-hardcoded-credential
const dbPassword = "Sup3rS3cret!"

// ruleid: go-hardcoded-credential
var stripeAPIKey = "sk_live_51HxQ2eKj8vQ"

type Config struct {
	Host     string
	Password string
	APIKey   string
}

func connect() (*sql.DB, error) {
	cfg := Config{
		Host: "db.internal",
		// ruleid: go-hardcoded-credential
		Password: "admin12345",
	}
	return sql.Open("postgres", fmt.Sprintf("host=%s password=%s", cfg.Host, cfg.Password))
}

func setup(c *Config) {
	// ruleid: go-hardcoded-credential
	c.APIKey = "a8f5f167f44f4964e6c998dee827110c"
}

func checkAdmin(user, password string) bool {
	// ruleid: go-hardcoded-credential
	return user == "admin" && password == "letmein2024"
}

func awsCreds() *credentials.Credentials {
	// ruleid: go-hardcoded-aws-key
	return credentials.NewStaticCredentials("AKIAZ7QWERTYUIOPASDF", os.Getenv("AWS_SECRET"), "")
}

// ruleid: go-hardcoded-credential
var jwtSecret = []byte("my-very-secret-signing-key")

func issueToken(user string) (string, error) {
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": user,
		"exp": time.Now().Add(time.Hour).Unix(),
	})
	// ruleid: go-jwt-hardcoded-key
	return token.SignedString([]byte("s3cr3t-key-123"))
}

func issueToken2(user string) (string, error) {
	key := []byte("another-hardcoded-key")
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": user})
	// ruleid: go-jwt-hardcoded-key
	return token.SignedString(key)
}

func verify(tokenString string) (*jwt.Token, error) {
	return jwt.Parse(tokenString, func(t *jwt.Token) (interface{}, error) {
		if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
			return nil, fmt.Errorf("unexpected alg")
		}
		// ruleid: go-jwt-hardcoded-key
		return []byte("shared-secret"), nil
	})
}

// ---- safe look-alikes ----

func fromEnv() Config {
	// ok: go-hardcoded-credential
	password := os.Getenv("DB_PASSWORD")
	// ok: go-hardcoded-credential
	apiKey := ""
	// ok: go-hardcoded-credential
	const passwordEnv = "DB_PASSWORD"
	// ok: go-hardcoded-credential
	secret := "changeme"
	// ok: go-hardcoded-credential
	passwordField := "password"
	_, _, _ = passwordEnv, secret, passwordField
	return Config{Password: password, APIKey: apiKey}
}

func emptyCheck(password string) bool {
	// ok: go-hardcoded-credential
	return password == ""
}

func signFromEnv(user string) (string, error) {
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": user})
	// ok: go-jwt-hardcoded-key
	return token.SignedString([]byte(os.Getenv("JWT_SECRET")))
}

func docsExample() {
	// ok: go-hardcoded-aws-key
	fmt.Println("AKIAIOSFODNN7EXAMPLE")
}
