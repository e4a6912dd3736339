package rules

import (
	"fmt"
	"math/rand"
	"net/http"
	"strconv"
	"time"
)

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func GenerateToken(n int) string {
	b := make([]byte, n)
	for i := range b {
		// ruleid: go-weak-random-security
		b[i] = letters[rand.Intn(len(letters))]
	}
	return string(b)
}

func newSessionID() string {
	rand.Seed(time.Now().UnixNano())
	// ruleid: go-weak-random-security
	return fmt.Sprintf("%x", rand.Int63())
}

func (s *Store) resetPassword(userID int) {
	// ruleid: go-weak-random-security
	code := fmt.Sprintf("%06d", rand.Intn(1000000))
	s.codes[userID] = code
}

type Store struct{ codes map[int]string }

func issueCookie(w http.ResponseWriter) {
	// ruleid: go-weak-random-security
	csrfToken := fmt.Sprint(rand.Uint64())
	http.SetCookie(w, &http.Cookie{Name: "csrf", Value: csrfToken})
}

func randomSecretKey() []byte {
	key := make([]byte, 32)
	// ruleid: go-weak-random-security
	rand.Read(key)
	return key
}

// ---- non-security randomness ----

func backoff(attempt int) time.Duration {
	// ok: go-weak-random-security
	jitter := time.Duration(rand.Intn(100)) * time.Millisecond
	return time.Duration(attempt)*time.Second + jitter
}

func shuffleServers(servers []string) {
	// ok: go-weak-random-security
	rand.Shuffle(len(servers), func(i, j int) { servers[i], servers[j] = servers[j], servers[i] })
}

func pickColor(colors []string) string {
	// ok: go-weak-random-security
	return colors[rand.Intn(len(colors))]
}

func sampleRate() bool {
	// ok: go-weak-random-security
	return rand.Float64() < 0.1
}

var sharedRNG = rand.New(rand.NewSource(time.Now().UnixNano()))

func NewResetTokenShared() string {
	b := make([]byte, 32)
	for i := range b {
		// ruleid: go-weak-random-security
		b[i] = letters[sharedRNG.Intn(len(letters))]
	}
	return string(b)
}

func newCSRFTokenShared() []byte {
	b := make([]byte, 16)
	// ruleid: go-weak-random-security
	sharedRNG.Read(b)
	return b
}

type Session struct {
	ID      string
	Retries int
}

func create() *Session {
	return &Session{
		// ruleid: go-weak-random-security
		ID: strconv.FormatInt(sharedRNG.Int63(), 36),
		// ok: go-weak-random-security
		Retries: sharedRNG.Intn(3),
	}
}

type banner struct{ ID int }

func pickBanner() banner {
	// ok: go-weak-random-security
	return banner{ID: sharedRNG.Intn(10)}
}

func jitterShared() int {
	// ok: go-weak-random-security
	return sharedRNG.Intn(500)
}
