package rules

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/sessions"
)

func setSession(w http.ResponseWriter, sid string) {
	http.SetCookie(w, &http.Cookie{
		Name:  "session_id",
		Value: sid,
		Path:  "/",
		// ruleid: go-cookie-secure-false
		Secure:   false,
		HttpOnly: true,
		Expires:  time.Now().Add(24 * time.Hour),
	})
}

func setPref(w http.ResponseWriter, token string) {
	// ruleid: go-cookie-httponly-false
	c := http.Cookie{Name: "auth", Value: token, HttpOnly: false, Secure: true}
	http.SetCookie(w, &c)
}

func ginLogin(c *gin.Context, token string) {
	// ruleid: go-cookie-secure-false
	c.SetCookie("token", token, 3600, "/", "example.com", false, true)
	// ruleid: go-cookie-httponly-false
	c.SetCookie("token2", token, 3600, "/", "example.com", true, false)
}

var store = sessions.NewCookieStore([]byte("k"))

func configureStore() {
	store.Options = &sessions.Options{
		Path:   "/",
		MaxAge: 86400,
		// ruleid: go-cookie-httponly-false
		HttpOnly: false,
	}
}

// ---- safe look-alikes ----

func secureCookie(w http.ResponseWriter, sid string) {
	// ok: go-cookie-secure-false, go-cookie-httponly-false
	http.SetCookie(w, &http.Cookie{Name: "session_id", Value: sid, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	// ok: go-cookie-secure-false
	c := &http.Cookie{Name: "x", Value: "y"}
	c.Secure = true
	http.SetCookie(w, c)
}

func ginSecure(c *gin.Context, token string) {
	// ok: go-cookie-secure-false, go-cookie-httponly-false
	c.SetCookie("token", token, 3600, "/", "example.com", true, true)
}
