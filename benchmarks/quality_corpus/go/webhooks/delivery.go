// Package webhooks delivers merchant webhooks and fetches remote assets.
package webhooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

type Service struct {
	client        *http.Client
	statusPageURL string
}

var allowedHosts = map[string]bool{
	"hooks.slack.com":      true,
	"events.pagerduty.com": true,
}

func NewService() *Service {
	return &Service{
		client: &http.Client{
			Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		statusPageURL: "https://status.storefront.example/api/v2/summary.json",
	}
}

func validateTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "https" || !allowedHosts[u.Hostname()] {
		return nil, errors.New("destination not allowed")
	}
	return u, nil
}

// POST /webhooks/test  {"url": "..."}
func (s *Service) TestWebhook(w http.ResponseWriter, r *http.Request) {
	var req struct {
		URL string `json:"url"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	payload := []byte(`{"event":"ping"}`)
	resp, err := http.Post(req.URL, "application/json", bytes.NewReader(payload)) // VULN: ssrf
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

// POST /webhooks/slack/test  {"url": "https://hooks.slack.com/services/..."}
func (s *Service) TestSlack(w http.ResponseWriter, r *http.Request) {
	var req struct {
		URL string `json:"url"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	u, err := validateTarget(req.URL)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := s.client.Post(u.String(), "application/json", bytes.NewBufferString(`{"text":"test"}`)) // SAFE: ssrf
	if err != nil {
		http.Error(w, "delivery failed", http.StatusBadGateway)
		return
	}
	resp.Body.Close()
}

// GET /preview?url=...  link unfurling for the chat widget
func (s *Service) Preview(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("url")
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, target, nil) // VULN: ssrf
	if err != nil {
		http.Error(w, "bad url", http.StatusBadRequest)
		return
	}
	resp, err := s.client.Do(req)
	if err != nil {
		http.Error(w, "fetch failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, io.LimitReader(resp.Body, 1<<20))
}

// GET /avatar?user=...
func (s *Service) Avatar(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	resp, err := s.client.Get("https://avatars.storefront-cdn.example/u/" + url.PathEscape(user) + ".png") // SAFE: ssrf
	if err != nil {
		http.Error(w, "no avatar", http.StatusNotFound)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

// GET /cluster/health?node=10.0.3.4
func (s *Service) NodeHealth(w http.ResponseWriter, r *http.Request) {
	node := r.URL.Query().Get("node")
	resp, err := http.Get(fmt.Sprintf("http://%s:8080/healthz", node)) // VULN: ssrf
	if err != nil {
		http.Error(w, "unreachable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func regionalEndpoint(region string) string {
	return "https://" + region + ".api.shipping-partner.example/v1/rates"
}

// GET /shipping/rates?region=eu
func (s *Service) Rates(w http.ResponseWriter, r *http.Request) {
	endpoint := regionalEndpoint(r.URL.Query().Get("region"))
	resp, err := s.client.Get(endpoint) // VULN: ssrf
	if err != nil {
		http.Error(w, "rates unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

// GET /status
func (s *Service) Status(w http.ResponseWriter, r *http.Request) {
	resp, err := s.client.Get(s.statusPageURL) // SAFE: ssrf
	if err != nil {
		http.Error(w, "status unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

// GET /customers/lookup?id=cus_123
func (s *Service) StripeCustomer(w http.ResponseWriter, r *http.Request) {
	endpoint := fmt.Sprintf("https://api.stripe.com/v1/customers/%s", url.PathEscape(r.URL.Query().Get("id")))
	req, _ := http.NewRequest(http.MethodGet, endpoint, nil) // SAFE: ssrf
	resp, err := s.client.Do(req)
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}
