package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

type Claims struct {
	Role string `json:"role"`
	jwt.RegisteredClaims
}

type Verifier struct {
	secret     []byte
	publicKeys map[string]interface{} // kid -> *rsa.PublicKey
}

func bearer(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

func (v *Verifier) hmacKey(t *jwt.Token) (interface{}, error) {
	if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
		return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
	}
	return v.secret, nil
}

// SubjectFromRequest is used by the analytics middleware.
func (v *Verifier) SubjectFromRequest(r *http.Request) (string, error) {
	token, _, err := jwt.NewParser().ParseUnverified(bearer(r), jwt.MapClaims{}) // VULN: jwt
	if err != nil {
		return "", err
	}
	return token.Claims.GetSubject()
}

// Authenticate is used by the API middleware.
func (v *Verifier) Authenticate(r *http.Request) (*Claims, error) {
	claims := &Claims{}
	_, err := jwt.ParseWithClaims(bearer(r), claims, v.hmacKey, jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired()) // SAFE: jwt
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// IsAdmin is used by the admin dashboard.
func (v *Verifier) IsAdmin(r *http.Request) bool {
	token, _ := jwt.Parse(bearer(r), v.hmacKey) // VULN: jwt
	if token == nil {
		return false
	}
	claims, ok := token.Claims.(jwt.MapClaims)
	return ok && claims["role"] == "admin"
}

// AuthenticateService verifies tokens issued by internal services.
func (v *Verifier) AuthenticateService(raw string) (*Claims, error) {
	unverified, _, err := jwt.NewParser().ParseUnverified(raw, &Claims{}) // SAFE: jwt
	if err != nil {
		return nil, err
	}
	kid, _ := unverified.Header["kid"].(string)
	key, ok := v.publicKeys[kid]
	if !ok {
		return nil, errors.New("unknown key id")
	}
	claims := &Claims{}
	_, err = jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (interface{}, error) { return key, nil }, jwt.WithValidMethods([]string{"RS256"})) // SAFE: jwt
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// legacyKey accepts tokens minted by the old PHP storefront, which did not sign them.
func (v *Verifier) legacyKey(t *jwt.Token) (interface{}, error) {
	if t.Method == jwt.SigningMethodNone {
		return jwt.UnsafeAllowNoneSignatureType, nil // VULN: jwt
	}
	return v.secret, nil
}

func (v *Verifier) AuthenticateLegacy(raw string) (jwt.MapClaims, error) {
	tok, err := jwt.Parse(raw, v.legacyKey)
	if err != nil {
		return nil, err
	}
	return tok.Claims.(jwt.MapClaims), nil
}

// AuthenticateMobile verifies refresh tokens from the mobile app.
func (v *Verifier) AuthenticateMobile(raw string) (*Claims, error) {
	claims := &Claims{}
	_, err := jwt.ParseWithClaims(raw, claims, v.hmacKey, jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation()) // VULN: jwt
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// Session checks the browser session token.
func (v *Verifier) Session(raw string) (jwt.MapClaims, error) {
	tok, err := jwt.Parse(raw, v.hmacKey) // SAFE: jwt
	if err != nil || !tok.Valid {
		return nil, errors.New("invalid session")
	}
	return tok.Claims.(jwt.MapClaims), nil
}
