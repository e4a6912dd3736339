package rules

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

var signingKey = []byte(os.Getenv("JWT_SECRET"))

func authMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		claims := jwt.MapClaims{}
		// ruleid: go-jwt-parse-unverified
		_, _, err := jwt.NewParser().ParseUnverified(raw, claims)
		if err != nil {
			http.Error(w, "unauthorized", 401)
			return
		}
		if claims["role"] == "admin" {
			next.ServeHTTP(w, r)
		}
	})
}

func userFromToken(raw string) string {
	// ruleid: go-jwt-parse-unverified
	tok, _ := jwt.Parse(raw, nil)
	claims, _ := tok.Claims.(jwt.MapClaims)
	return fmt.Sprint(claims["sub"])
}

func parseNoAlgCheck(raw string) (*jwt.Token, error) {
	// ruleid: go-jwt-keyfunc-no-alg-check
	return jwt.Parse(raw, func(token *jwt.Token) (interface{}, error) {
		return signingKey, nil
	})
}

type Claims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
}

func parseClaimsNoAlgCheck(raw string) (*Claims, error) {
	claims := &Claims{}
	// ruleid: go-jwt-keyfunc-no-alg-check
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (interface{}, error) {
		return signingKey, nil
	})
	return claims, err
}

func issueUnsigned(sub string) (string, error) {
	// ruleid: go-jwt-none-algorithm
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": sub})
	// ruleid: go-jwt-none-algorithm
	return tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
}

// ---- safe look-alikes ----

func parseChecked(raw string) (*jwt.Token, error) {
	// ok: go-jwt-keyfunc-no-alg-check, go-jwt-parse-unverified
	return jwt.Parse(raw, func(token *jwt.Token) (interface{}, error) {
		if _, ok := token.Method.(*jwt.SigningMethodHMAC); !ok {
			return nil, fmt.Errorf("unexpected signing method: %v", token.Header["alg"])
		}
		return signingKey, nil
	})
}

func parseValidMethods(raw string) (*jwt.Token, error) {
	// ok: go-jwt-keyfunc-no-alg-check
	return jwt.Parse(raw, func(token *jwt.Token) (interface{}, error) {
		return signingKey, nil
	}, jwt.WithValidMethods([]string{"HS256"}))
}

func parseKidThenVerify(raw string, keys map[string][]byte) (*jwt.Token, error) {
	// ok: go-jwt-parse-unverified
	unverified, _, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
	if err != nil {
		return nil, err
	}
	kid, _ := unverified.Header["kid"].(string)
	key, ok := keys[kid]
	if !ok {
		return nil, errors.New("unknown kid")
	}
	return jwt.Parse(raw, func(t *jwt.Token) (interface{}, error) { return key, nil }, jwt.WithValidMethods([]string{"HS256"}))
}

func issueSigned(sub string) (string, error) {
	// ok: go-jwt-none-algorithm
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": sub})
	return tok.SignedString(signingKey)
}

func isAdminIgnoringError(raw string, keyFn jwt.Keyfunc) bool {
	// ruleid: go-jwt-parse-error-ignored
	token, _ := jwt.Parse(raw, keyFn)
	if token == nil {
		return false
	}
	claims, ok := token.Claims.(jwt.MapClaims)
	return ok && claims["role"] == "admin"
}

func subjectIgnoringError(raw string, keyFn jwt.Keyfunc) string {
	claims := jwt.MapClaims{}
	// ruleid: go-jwt-parse-error-ignored
	tok, _ := jwt.ParseWithClaims(raw, claims, keyFn, jwt.WithValidMethods([]string{"HS256"}))
	_ = tok
	return claims["sub"].(string)
}

func isAdminChecked(raw string, keyFn jwt.Keyfunc) bool {
	// ok: go-jwt-parse-error-ignored
	token, _ := jwt.Parse(raw, keyFn)
	if token == nil || !token.Valid {
		return false
	}
	return true
}

func isAdminErr(raw string, keyFn jwt.Keyfunc) bool {
	// ok: go-jwt-parse-error-ignored
	token, err := jwt.Parse(raw, keyFn)
	return err == nil && token.Valid
}

func mobile(raw string, keyFn jwt.Keyfunc) error {
	claims := jwt.MapClaims{}
	// ruleid: go-jwt-claims-validation-disabled
	_, err := jwt.ParseWithClaims(raw, claims, keyFn, jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
	return err
}

func legacyParser() *jwt.Parser {
	p := &jwt.Parser{}
	// ruleid: go-jwt-claims-validation-disabled
	p.SkipClaimsValidation = true
	return p
}

func strict(raw string, keyFn jwt.Keyfunc) error {
	claims := jwt.MapClaims{}
	// ok: go-jwt-claims-validation-disabled
	_, err := jwt.ParseWithClaims(raw, claims, keyFn, jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired())
	return err
}
