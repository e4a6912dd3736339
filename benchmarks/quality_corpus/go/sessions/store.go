// Package sessions stores browser sessions and imports merchant settings files.
package sessions

import (
	"bytes"
	"encoding/gob"
	"encoding/hex"
	"encoding/xml"
	"io"
	"log"
	"math/rand"
	"net/http"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

type Session struct {
	ID        string
	UserID    int64
	CSRFToken string
	Expires   time.Time
}

type Settings struct {
	StoreName string            `yaml:"store_name" xml:"storeName"`
	Currency  string            `yaml:"currency" xml:"currency"`
	Taxes     map[string]string `yaml:"taxes" xml:"-"`
}

var rng = rand.New(rand.NewSource(time.Now().UnixNano()))

// newCSRFToken is embedded in every form rendered for the session.
func newCSRFToken() string {
	b := make([]byte, 16)
	rng.Read(b) // VULN: weak-random
	return hex.EncodeToString(b)
}

func New(userID int64) *Session {
	s := &Session{
		ID:        strconv.FormatInt(time.Now().UnixNano(), 36) + strconv.FormatInt(rng.Int63(), 36), // VULN: weak-random
		UserID:    userID,
		CSRFToken: newCSRFToken(),
		Expires:   time.Now().Add(12 * time.Hour),
	}
	log.Printf("session created for user %d, expires %s", userID, s.Expires.Format(time.RFC3339)) // SAFE: sensitive-logging
	return s
}

// Encode serialises a session for the Redis store.
func Encode(s *Session) ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(s)
	return buf.Bytes(), err
}

// Decode reads a session back from Redis.
func Decode(b []byte) (*Session, error) {
	var s Session
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&s); err != nil { // SAFE: deserialization
		return nil, err
	}
	return &s, nil
}

// POST /settings/import  (YAML or XML upload)
func ImportSettings(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read failed", http.StatusBadRequest)
		return
	}
	var s Settings
	if r.Header.Get("Content-Type") == "application/xml" {
		err = xml.Unmarshal(body, &s) // SAFE: xxe
	} else {
		err = yaml.Unmarshal(body, &s) // SAFE: deserialization
	}
	if err != nil {
		http.Error(w, "invalid settings file", http.StatusBadRequest)
		return
	}
	log.Printf("settings imported: store=%q currency=%q", s.StoreName, s.Currency) // SAFE: log-injection
	w.WriteHeader(http.StatusNoContent)
}

// POST /feeds/products  (XML product feed from the merchant's ERP)
func ImportFeed(w http.ResponseWriter, r *http.Request) {
	dec := xml.NewDecoder(r.Body)
	dec.Strict = true
	for {
		tok, err := dec.Token() // SAFE: xxe
		if err == io.EOF {
			break
		}
		if err != nil {
			http.Error(w, "bad feed", http.StatusBadRequest)
			return
		}
		_ = tok
	}
	w.WriteHeader(http.StatusAccepted)
}
