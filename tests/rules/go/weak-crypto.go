package rules

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rc4"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

type User struct {
	Password string
	Token    string
}

func HashPassword(password string) string {
	// ruleid: go-weak-hash-for-security
	sum := md5.Sum([]byte(password))
	return hex.EncodeToString(sum[:])
}

func storeUser(u *User) {
	// ruleid: go-weak-hash-for-security
	u.Password = fmt.Sprintf("%x", sha1.Sum([]byte(u.Password)))
}

func (s *AuthService) makeSessionID(userID string) string {
	// ruleid: go-weak-hash-for-security
	h := md5.New()
	h.Write([]byte(userID))
	return hex.EncodeToString(h.Sum(nil))
}

type AuthService struct{}

func resetToken(email string, secret string) string {
	// ruleid: go-weak-hash-for-security
	h := sha1.New()
	// ruleid: go-weak-hash-for-security
	io.WriteString(h, email+secret)
	return hex.EncodeToString(h.Sum(nil))
}

// ---- non-security hashing ----

func fileChecksum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	// ok: go-weak-hash-for-security
	h := md5.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func cacheKey(url string) string {
	// ok: go-weak-hash-for-security
	return fmt.Sprintf("%x", sha1.Sum([]byte(url)))
}

func gravatarURL(email string) string {
	// ok: go-weak-hash-for-security
	return fmt.Sprintf("https://www.gravatar.com/avatar/%x", md5.Sum([]byte(email)))
}

func signPayload(key, payload []byte) []byte {
	// ok: go-weak-hash-for-security
	mac := hmac.New(sha1.New, key)
	mac.Write(payload)
	return mac.Sum(nil)
}

func hashPasswordSafe(password string) [32]byte {
	// ok: go-weak-hash-for-security
	return sha256.Sum256([]byte(password))
}

// ---- ciphers ----

func legacyEncrypt(key, data []byte) ([]byte, error) {
	// ruleid: go-weak-cipher
	block, err := des.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(data))
	// ruleid: go-cipher-ecb-mode
	block.Encrypt(out, data)
	return out, nil
}

func tripleDES(key []byte) (cipher.Block, error) {
	// ruleid: go-weak-cipher
	return des.NewTripleDESCipher(key)
}

func streamObfuscate(key, data []byte) []byte {
	// ruleid: go-weak-cipher
	c, _ := rc4.NewCipher(key)
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out
}

func modernCipher(key []byte) (cipher.Block, error) {
	// ok: go-weak-cipher
	return aes.NewCipher(key)
}

func genKeys() {
	// ruleid: go-rsa-key-too-small
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)
	// ok: go-rsa-key-too-small
	strong, _ := rsa.GenerateKey(rand.Reader, 2048)
	// ok: go-rsa-key-too-small
	big, _ := rsa.GenerateKey(rand.Reader, 4096)
	_, _, _ = weak, strong, big
}

func ecbEncrypt(key, plaintext []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(plaintext))
	for bs := 0; bs < len(plaintext); bs += aes.BlockSize {
		// ruleid: go-cipher-ecb-mode
		block.Encrypt(out[bs:bs+aes.BlockSize], plaintext[bs:bs+aes.BlockSize])
	}
	return out, nil
}

func staticIV(key, plaintext []byte) []byte {
	block, _ := aes.NewCipher(key)
	iv := []byte("0123456789abcdef")
	out := make([]byte, len(plaintext))
	// ruleid: go-cipher-static-iv
	mode := cipher.NewCBCEncrypter(block, iv)
	mode.CryptBlocks(out, plaintext)
	return out
}

func zeroNonce(key, plaintext []byte) []byte {
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, gcm.NonceSize())
	// ruleid: go-cipher-static-iv
	return gcm.Seal(nil, nonce, plaintext, nil)
}

func randomNonce(key, plaintext []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, err
	}
	// ok: go-cipher-static-iv, go-cipher-ecb-mode
	return gcm.Seal(nonce, nonce, plaintext, nil), nil
}

func randomIV(key, plaintext []byte) []byte {
	block, _ := aes.NewCipher(key)
	iv := make([]byte, aes.BlockSize)
	rand.Read(iv)
	out := make([]byte, len(plaintext))
	// ok: go-cipher-static-iv
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, plaintext)
	return append(iv, out...)
}
