package rules

import (
	crand "crypto/rand"
	"encoding/base64"
	"math/rand"
	"time"
)

var jitterRNG = rand.New(rand.NewSource(time.Now().UnixNano()))

func NewSessionKey() (string, error) {
	b := make([]byte, 32)
	// ok: go-weak-random-security
	if _, err := crand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func NewNonceWeak() []byte {
	b := make([]byte, 12)
	// ruleid: go-weak-random-security
	jitterRNG.Read(b)
	return b
}
