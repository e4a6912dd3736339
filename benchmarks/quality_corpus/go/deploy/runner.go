// Package deploy contains the internal build/deploy dashboard handlers.
package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
)

const repoDir = "/srv/repos/storefront"

var refPattern = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,100}$`)

var tools = map[string][]string{
	"disk":   {"df", "-h", "/srv"},
	"uptime": {"uptime"},
	"memory": {"free", "-m"},
}

func gitLog(ctx context.Context, ref string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", "log", "--oneline", "-n", "20", "--end-of-options", ref) // SAFE: command-injection
	cmd.Dir = repoDir
	return cmd.Output()
}

// GET /deploy/log?ref=...
func HandleLog(w http.ResponseWriter, r *http.Request) {
	out, err := gitLog(r.Context(), r.URL.Query().Get("ref"))
	if err != nil {
		http.Error(w, "git failed", http.StatusBadRequest)
		return
	}
	w.Write(out)
}

// POST /deploy/build  branch=...
func HandleBuild(w http.ResponseWriter, r *http.Request) {
	branch := r.FormValue("branch")
	script := "cd " + repoDir + " && git fetch origin && git checkout " + branch + " && make build"
	out, err := exec.Command("sh", "-c", script).CombinedOutput() // VULN: command-injection
	if err != nil {
		http.Error(w, string(out), http.StatusInternalServerError)
		return
	}
	w.Write(out)
}

// POST /deploy/archive  tag=...
func HandleArchive(w http.ResponseWriter, r *http.Request) {
	tag := r.FormValue("tag")
	if !refPattern.MatchString(tag) || strings.HasPrefix(tag, "-") {
		http.Error(w, "invalid tag", http.StatusBadRequest)
		return
	}
	cmd := exec.Command("git", "archive", "--format=tar.gz", "-o", "/tmp/release.tgz", tag) // SAFE: command-injection
	cmd.Dir = repoDir
	if err := cmd.Run(); err != nil {
		http.Error(w, "archive failed", http.StatusInternalServerError)
		return
	}
	http.ServeFile(w, r, "/tmp/release.tgz")
}

// GET /deploy/ping?host=...
func HandlePing(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	if r.URL.Query().Get("mode") == "legacy" {
		out, _ := exec.Command("/bin/bash", "-c", fmt.Sprintf("ping -c 3 %s", host)).Output() // VULN: command-injection
		w.Write(out)
		return
	}
	if net.ParseIP(host) == nil {
		http.Error(w, "host must be an IP address", http.StatusBadRequest)
		return
	}
	out, _ := exec.Command("ping", "-c", "3", host).Output() // SAFE: command-injection
	w.Write(out)
}

// GET /deploy/tool?name=disk
func HandleTool(w http.ResponseWriter, r *http.Request) {
	argv, ok := tools[r.URL.Query().Get("name")]
	if !ok {
		http.Error(w, "unknown tool", http.StatusNotFound)
		return
	}
	out, _ := exec.Command(argv[0], argv[1:]...).Output() // SAFE: command-injection
	w.Write(out)
}

// GET /deploy/run?bin=...&arg=...
func HandleRun(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	out, _ := exec.Command(q.Get("bin"), q["arg"]...).CombinedOutput() // VULN: command-injection
	w.Write(out)
}

type Notifier struct {
	Hook string // e.g. "/usr/local/bin/notify-slack"
}

func (n Notifier) Send(msg string) error {
	return exec.Command("sh", "-c", n.Hook+" '"+msg+"'").Run() // VULN: command-injection
}

func (n Notifier) Health() ([]byte, error) {
	return exec.Command("sh", "-c", "systemctl is-active storefront && uptime").Output() // SAFE: command-injection
}

// POST /deploy/announce  {"message": "..."}
func HandleAnnounce(n Notifier) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Message string `json:"message"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		if err := n.Send(body.Message); err != nil {
			http.Error(w, "notify failed", http.StatusBadGateway)
		}
	}
}
