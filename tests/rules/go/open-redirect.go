package rules

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
)

func loginHandler(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if next == "" {
		next = "/"
	}
	// ruleid: go-open-redirect-taint
	http.Redirect(w, r, next, http.StatusFound)
}

func logoutHandler(c *gin.Context) {
	returnTo := c.DefaultQuery("return_to", "/")
	// ruleid: go-open-redirect-taint
	c.Redirect(http.StatusFound, returnTo)
}

func echoCallback(c echo.Context) error {
	// ruleid: go-open-redirect-taint
	return c.Redirect(http.StatusSeeOther, c.FormValue("redirect_uri"))
}

func headerRedirect(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("Referer")
	// ruleid: go-open-redirect-taint
	w.Header().Set("Location", target)
	w.WriteHeader(http.StatusFound)
}

func prefixOnly(w http.ResponseWriter, r *http.Request) {
	dest := r.FormValue("dest")
	// ruleid: go-open-redirect-taint
	http.Redirect(w, r, "/"+dest, http.StatusFound)
}

func lambdaRedirect(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{
		StatusCode: 302,
		// ruleid: go-open-redirect-taint
		Headers: map[string]string{"Location": req.QueryStringParameters["url"]},
	}, nil
}

// ---- safe look-alikes ----

func safeRelative(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = "/"
	}
	// ok: go-open-redirect-taint
	http.Redirect(w, r, next, http.StatusFound)
}

func safeParsed(w http.ResponseWriter, r *http.Request) {
	next := r.FormValue("next")
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" {
		next = "/"
	}
	// ok: go-open-redirect-taint
	http.Redirect(w, r, next, http.StatusFound)
}

var allowedRedirects = map[string]bool{"/dashboard": true, "/settings": true}

func safeAllowlist(c *gin.Context) {
	next := c.Query("next")
	if !allowedRedirects[next] {
		next = "/"
	}
	// ok: go-open-redirect-taint
	c.Redirect(http.StatusFound, next)
}

func safeFixedPath(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	// ok: go-open-redirect-taint
	http.Redirect(w, r, "/orders/"+id, http.StatusSeeOther)
	// ok: go-open-redirect-taint
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusFound)
}

func safeConstant(w http.ResponseWriter, r *http.Request) {
	// ok: go-open-redirect-taint
	http.Redirect(w, r, "/home", http.StatusMovedPermanently)
}
