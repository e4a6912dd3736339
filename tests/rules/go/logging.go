package logging

import (
	"log"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
)

type Server struct {
	zl     *zap.Logger
	Logger *slog.Logger
}

func search(w http.ResponseWriter, r *http.Request) {
	term := r.URL.Query().Get("q")
	// ruleid: go-log-injection
	log.Printf("search for %s", term)
	// ok: go-log-injection
	log.Printf("search for %q", term)
	// ok: go-log-injection
	log.Printf("search for %s", strconv.Quote(term))
	clean := strings.ReplaceAll(strings.ReplaceAll(term, "\n", " "), "\r", " ")
	// ok: go-log-injection
	log.Printf("search for %s", clean)
	// ok: go-log-injection
	log.Printf("search took %d ms", 12)
}

func impersonate(c echo.Context) error {
	target := c.FormValue("user")
	// ruleid: go-log-injection
	log.Println("impersonation of " + target + " by " + c.Request().Header.Get("X-Admin"))
	// ok: go-log-injection
	logrus.WithField("target", target).Info("impersonation")
	return nil
}

func refund(c *gin.Context) {
	reason := c.PostForm("reason")
	// ruleid: go-log-injection
	logrus.Infof("refund: %v", reason)
	// ruleid: go-log-injection
	logrus.WithField("order", 1).Warnf("refund reason %s", reason)
	// ok: go-log-injection
	slog.Info("refund", "reason", reason)
}

func login(w http.ResponseWriter, r *http.Request) {
	user := r.FormValue("username")
	pass := r.FormValue("password")
	// ruleid: go-log-injection, go-sensitive-logging
	log.Printf("login user=%d password=%s", 1, pass)
	// ok: go-sensitive-logging
	log.Printf("login attempt for user id %d", 42)
	// ok: go-sensitive-logging
	log.Printf("password length %d", len(pass))
	_ = user
}

type creds struct{ User, Password string }

func apply(c creds, token string) {
	// ruleid: go-sensitive-logging
	logrus.Debugf("applying creds for %s/%s", c.User, c.Password)
	// ruleid: go-sensitive-logging
	log.Println("using token", token)
	// ok: go-sensitive-logging
	log.Println("using token prefix", token[:4])
}

func (s *Server) rotate(r *http.Request) {
	key := r.Header.Get("X-Api-Key")
	// ruleid: go-sensitive-logging
	s.zl.Info("rotated", zap.String("api_key", key))
	// ok: go-sensitive-logging
	s.zl.Info("rotated", zap.Int("key_len", len(key)))
	// ok: go-sensitive-logging
	s.zl.Info("rotated", zap.String("user", r.FormValue("user")))
	// ruleid: go-sensitive-logging
	logrus.WithField("form", r.PostForm).Debug("form received")
	// ruleid: go-log-injection, go-sensitive-logging
	log.Printf("headers: %v", r.Header)
	// ok: go-sensitive-logging
	log.Printf("agent: %q", r.Header.Get("User-Agent"))
}

func handler(req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	// ruleid: go-sensitive-logging
	log.Printf("request: %+v", req)
	// ok: go-sensitive-logging
	log.Printf("request path: %q", req.Path)
	return events.APIGatewayProxyResponse{StatusCode: 200}, nil
}
