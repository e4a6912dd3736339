// Package auth implements login, logout and password handling for the storefront.
package auth

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

type Handler struct {
	DB     *sql.DB
	Logger *slog.Logger // configured with slog.NewJSONHandler in main
}

func legacyHash(password string) string {
	sum := md5.Sum([]byte(password)) // VULN: weak-crypto
	return hex.EncodeToString(sum[:])
}

func saltedSHA1(salt, password string) string {
	h := sha1.New() // VULN: weak-crypto
	h.Write([]byte(salt + password))
	return hex.EncodeToString(h.Sum(nil))
}

func HashPassword(password string) ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost) // SAFE: weak-crypto
}

// safeNext only accepts local absolute paths such as "/orders/42".
func safeNext(raw string) string {
	if raw == "" || strings.ContainsAny(raw, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return u.RequestURI()
}

// POST /login
func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
	user := r.FormValue("username")
	pass := r.FormValue("password")
	log.Printf("login attempt user=%s password=%s", user, pass) // VULN: sensitive-logging

	var stored, legacy string
	var salt sql.NullString
	h.DB.QueryRow("SELECT password_hash, legacy_md5, salt FROM users WHERE username = $1", user).Scan(&stored, &legacy, &salt)

	ok := false
	switch {
	case stored != "":
		ok = bcrypt.CompareHashAndPassword([]byte(stored), []byte(pass)) == nil
	case salt.Valid:
		ok = subtle.ConstantTimeCompare([]byte(saltedSHA1(salt.String, pass)), []byte(legacy)) == 1
	default:
		ok = legacyHash(pass) == legacy
	}
	if !ok {
		log.Printf("login failed for user %s from %s", user, r.RemoteAddr) // VULN: log-injection
		http.Redirect(w, r, "/login?error=1", http.StatusSeeOther)         // SAFE: open-redirect
		return
	}
	h.Logger.Info("login succeeded", "user", user, "ip", r.RemoteAddr)      // SAFE: log-injection
	http.Redirect(w, r, safeNext(r.FormValue("next")), http.StatusSeeOther) // SAFE: open-redirect
}

// GET /logout?return_to=...
func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "", MaxAge: -1, Path: "/"})
	returnTo := r.URL.Query().Get("return_to")
	http.Redirect(w, r, returnTo, http.StatusFound) // VULN: open-redirect
}

// GET /sso/callback?state=...&continue=...
func (h *Handler) SSOCallback(w http.ResponseWriter, r *http.Request) {
	dest := r.URL.Query().Get("continue")
	if !strings.HasPrefix(dest, "/") {
		dest = "/account"
	}
	http.Redirect(w, r, dest, http.StatusFound) // VULN: open-redirect
}

// GET /go?to=...  marketing links must stay on our own domain
func (h *Handler) Go(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if !strings.Contains(to, "storefront.example") {
		to = "https://storefront.example/"
	}
	http.Redirect(w, r, to, http.StatusFound) // VULN: open-redirect
}

// POST /orders/reorder?id=...
func (h *Handler) Reorder(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, "/orders/"+strconv.FormatInt(id, 10), http.StatusSeeOther) // SAFE: open-redirect
}

// POST /password/reset
func (h *Handler) ResetPassword(w http.ResponseWriter, r *http.Request) {
	email := r.FormValue("email")
	token := r.FormValue("token")
	newPass := r.FormValue("new_password")
	log.Printf("password reset for %q with token %s", email, token) // VULN: sensitive-logging
	hash, err := HashPassword(newPass)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var uid int64
	h.DB.QueryRow("UPDATE users SET password_hash = $1 WHERE email = $2 RETURNING id", hash, email).Scan(&uid)
	log.Printf("password reset completed for user id %d", uid)                                            // SAFE: sensitive-logging
	log.Printf("password reset requested for email %q", email)                                            // SAFE: log-injection
	h.Logger.Info("reset token consumed", "user_id", uid, "token_prefix", token[:min(4, len(token))]+"…") // SAFE: sensitive-logging
	http.Redirect(w, r, "/login?reset=1", http.StatusSeeOther)
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
