// Command api starts the public storefront API.
package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/rand"
	"crypto/rc4"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"
	"github.com/gorilla/mux"
)

// encryptCardLegacy is still used by the POS sync job.
func encryptCardLegacy(key, pan []byte) ([]byte, error) {
	block, err := des.NewCipher(key[:8]) // VULN: weak-crypto
	if err != nil {
		return nil, err
	}
	iv := make([]byte, des.BlockSize)
	out := make([]byte, len(pan))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, pan)
	return out, nil
}

func obfuscateGiftCard(key, code []byte) []byte {
	c, _ := rc4.NewCipher(key) // VULN: weak-crypto
	out := make([]byte, len(code))
	c.XORKeyStream(out, code)
	return out
}

func encryptCard(key, pan []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block) // SAFE: weak-crypto
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, pan, nil), nil
}

// etag gives static assets a cache validator.
func etag(body []byte) string {
	return fmt.Sprintf(`"%x"`, md5.Sum(body)) // SAFE: weak-crypto
}

// checksum is published next to exported CSV files.
func checksum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New() // SAFE: weak-crypto
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func recoverWithStack(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if rec := recover(); rec != nil {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprintf(w, "panic: %v\n\n%s", rec, debug.Stack()) // VULN: debug-mode
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func recoverQuietly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if rec := recover(); rec != nil {
				log.Printf("panic: %v\n%s", rec, debug.Stack()) // SAFE: debug-mode
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func main() {
	// Importing net/http/pprof registers /debug/pprof/* on http.DefaultServeMux.
	go func() {
		log.Println(http.ListenAndServe(":6060", nil)) // VULN: debug-mode
	}()
	go func() {
		log.Println(http.ListenAndServe("127.0.0.1:6061", nil)) // SAFE: debug-mode
	}()

	gin.SetMode(gin.ReleaseMode) // SAFE: debug-mode
	g := gin.New()
	g.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })

	r := mux.NewRouter()
	r.PathPrefix("/debug/pprof/").HandlerFunc(pprof.Index) // VULN: debug-mode
	r.PathPrefix("/api/").Handler(g)

	csrfKey := []byte(os.Getenv("CSRF_KEY"))
	protect := csrf.Protect(csrfKey, csrf.Secure(true), csrf.Path("/")) // SAFE: csrf
	admin := mux.NewRouter()
	admin.PathPrefix("/").Handler(g)
	go func() {
		log.Println(http.ListenAndServe(":8081", recoverQuietly(protect(admin))))
	}()
	log.Fatal(http.ListenAndServe(":8080", recoverWithStack(protect(r))))
}
