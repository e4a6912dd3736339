package auth

import (
	crand "crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"
	"math/rand"
	"time"
)

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// tokenRNG is shared by the token helpers below.
var tokenRNG = rand.New(rand.NewSource(time.Now().UnixNano()))

// NewResetToken returns the token e-mailed in password reset links.
func NewResetToken() string {
	b := make([]byte, 32)
	for i := range b {
		b[i] = letters[tokenRNG.Intn(len(letters))] // VULN: weak-random
	}
	return string(b)
}

// NewSessionID returns a 256-bit session identifier.
func NewSessionID() (string, error) {
	b := make([]byte, 32)
	if _, err := crand.Read(b); err != nil { // SAFE: weak-random
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewLoginOTP returns the 6-digit code sent by SMS for 2FA.
func NewLoginOTP() string {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	return fmt.Sprintf("%06d", rng.Intn(1000000)) // VULN: weak-random
}

// NewEmailOTP is the replacement for NewLoginOTP.
func NewEmailOTP() (string, error) {
	n, err := crand.Int(crand.Reader, big.NewInt(1000000)) // SAFE: weak-random
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// retryDelay adds jitter to webhook retry back-off.
func retryDelay(attempt int) time.Duration {
	base := time.Duration(1<<attempt) * time.Second
	return base + time.Duration(rand.Int63n(int64(500*time.Millisecond))) // SAFE: weak-random
}

// NewAPIKey issues merchant API keys.
func NewAPIKey(merchantID int64) string {
	src := rand.New(rand.NewSource(merchantID + time.Now().Unix()))
	return fmt.Sprintf("sk_%d_%x", merchantID, src.Uint64()) // VULN: weak-random
}

// shuffleBanners randomises the order of home page banners.
func shuffleBanners(ids []int) {
	rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] }) // SAFE: weak-random
}
