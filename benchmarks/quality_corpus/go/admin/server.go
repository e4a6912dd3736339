// Package admin is the back-office server (echo).
package admin

import (
	"html"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/sirupsen/logrus"
)

var allowedReturn = map[string]string{
	"orders":   "/admin/orders",
	"refunds":  "/admin/refunds",
	"settings": "/admin/settings",
}

func New() *echo.Echo {
	e := echo.New()
	e.Debug = true // VULN: debug-mode
	e.Use(middleware.Recover())
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{TokenLookup: "form:_csrf", CookieSecure: true, CookieHTTPOnly: true})) // SAFE: csrf

	e.GET("/admin/jump", func(c echo.Context) error {
		return c.Redirect(http.StatusFound, c.QueryParam("to")) // VULN: open-redirect
	})
	e.GET("/admin/back", func(c echo.Context) error {
		dest, ok := allowedReturn[c.QueryParam("section")]
		if !ok {
			dest = "/admin"
		}
		return c.Redirect(http.StatusFound, dest) // SAFE: open-redirect
	})
	e.GET("/admin/greet", func(c echo.Context) error {
		return c.HTML(http.StatusOK, "<p>Welcome back, "+c.QueryParam("name")+"</p>") // VULN: xss
	})
	e.GET("/admin/greet/v2", func(c echo.Context) error {
		return c.HTML(http.StatusOK, "<p>Welcome back, "+html.EscapeString(c.QueryParam("name"))+"</p>") // SAFE: xss
	})
	e.GET("/admin/note", func(c echo.Context) error {
		return c.String(http.StatusOK, c.QueryParam("note")) // SAFE: xss
	})
	e.POST("/admin/refund", func(c echo.Context) error {
		orderID := c.FormValue("order_id")
		reason := c.FormValue("reason")
		logrus.Infof("refund issued for order %s: %s", orderID, reason)                                                                                          // VULN: log-injection
		logrus.WithFields(logrus.Fields{"order": orderID, "reason": strings.ReplaceAll(strings.ReplaceAll(reason, "\n", " "), "\r", " ")}).Info("refund issued") // SAFE: log-injection
		return c.NoContent(http.StatusAccepted)
	})
	e.POST("/admin/impersonate", func(c echo.Context) error {
		target := c.FormValue("user")
		log.Println("impersonation started by " + c.Request().Header.Get("X-Admin-User") + " for " + target) // VULN: log-injection
		return c.Redirect(http.StatusSeeOther, "/admin/users")                                               // SAFE: open-redirect
	})
	e.POST("/admin/login", func(c echo.Context) error {
		if err := c.Request().ParseForm(); err != nil {
			return err
		}
		logrus.WithField("form", c.Request().PostForm).Debug("admin login form") // VULN: sensitive-logging
		return c.NoContent(http.StatusOK)
	})
	return e
}

// NewReporting is the read-only reporting server, deployed to the same cluster.
func NewReporting() *echo.Echo {
	e := echo.New()
	e.Debug = os.Getenv("APP_ENV") == "development" // SAFE: debug-mode
	return e
}
