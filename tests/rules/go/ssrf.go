package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
)

var client = &http.Client{}

func fetchHandler(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("url")
	// ruleid: go-ssrf-taint
	resp, err := http.Get(target)
	if err != nil {
		http.Error(w, "fetch failed", 502)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

type webhookReq struct {
	CallbackURL string `json:"callback_url"`
}

func webhookHandler(w http.ResponseWriter, r *http.Request) {
	var req webhookReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return
	}
	// ruleid: go-ssrf-taint
	httpReq, _ := http.NewRequestWithContext(r.Context(), "POST", req.CallbackURL, strings.NewReader("{}"))
	client.Do(httpReq)
}

func imageProxy(c *gin.Context) {
	src := c.Query("src")
	// ruleid: go-ssrf-taint
	resp, err := client.Get(src)
	if err != nil {
		c.AbortWithStatus(502)
		return
	}
	defer resp.Body.Close()
	c.DataFromReader(200, resp.ContentLength, "image/png", resp.Body, nil)
}

func hostHandler(c echo.Context) error {
	host := c.QueryParam("host")
	u := fmt.Sprintf("http://%s/status", host)
	// ruleid: go-ssrf-taint
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	_, err := http.DefaultClient.Do(req)
	return err
}

func lambdaFetch(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	// ruleid: go-ssrf-taint
	resp, err := http.Post(ev.QueryStringParameters["endpoint"], "application/json", nil)
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: 502}, nil
	}
	resp.Body.Close()
	return events.APIGatewayProxyResponse{StatusCode: 200}, nil
}

func proxyHandler(w http.ResponseWriter, r *http.Request) {
	backend, _ := url.Parse(r.Header.Get("X-Backend"))
	// ruleid: go-ssrf-taint
	proxy := httputil.NewSingleHostReverseProxy(backend)
	proxy.ServeHTTP(w, r)
}

func portCheck(w http.ResponseWriter, r *http.Request) {
	addr := r.FormValue("addr")
	// ruleid: go-ssrf-taint
	conn, err := net.Dial("tcp", addr)
	if err == nil {
		conn.Close()
	}
}

// ---- safe look-alikes ----

func safeFixedHost(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	// ok: go-ssrf-taint
	resp, err := http.Get("https://api.example.com/users/" + url.PathEscape(id))
	if err == nil {
		resp.Body.Close()
	}
	// ok: go-ssrf-taint
	resp2, err := http.Get(fmt.Sprintf("https://api.example.com/search?q=%s", url.QueryEscape(r.FormValue("q"))))
	if err == nil {
		resp2.Body.Close()
	}
	// ok: go-ssrf-taint
	http.Get("https://internal.example.com/items/" + id)
}

var allowedHosts = map[string]bool{"images.example.com": true, "cdn.example.com": true}

func safeAllowlist(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.Query().Get("url")
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	if u.Scheme != "https" || !allowedHosts[u.Hostname()] {
		http.Error(w, "host not allowed", 400)
		return
	}
	// ok: go-ssrf-taint
	resp, err := http.Get(u.String())
	if err == nil {
		resp.Body.Close()
	}
}

func isAllowedURL(s string) bool { return strings.HasPrefix(s, "https://cdn.example.com/") }

func safeValidator(c *gin.Context) {
	target := c.Query("url")
	if !isAllowedURL(target) {
		c.AbortWithStatus(400)
		return
	}
	// ok: go-ssrf-taint
	client.Get(target)
}

func safeConstant(w http.ResponseWriter, r *http.Request) {
	// ok: go-ssrf-taint
	http.Get("https://example.com/health")
}
