package rules

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
)

func pingHandler(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	// ruleid: go-command-injection-taint
	out, err := exec.Command("sh", "-c", "ping -c 1 "+host).CombinedOutput()
	if err != nil {
		http.Error(w, "ping failed", 500)
		return
	}
	w.Write(out)
}

func convertHandler(w http.ResponseWriter, r *http.Request) {
	file := r.FormValue("file")
	cmdline := fmt.Sprintf("convert %s /tmp/out.png", file)
	// ruleid: go-command-injection-taint
	cmd := exec.CommandContext(r.Context(), "bash", "-c", cmdline)
	cmd.Run()
}

func toolHandler(c *gin.Context) {
	tool := c.Query("tool")
	// ruleid: go-command-injection-taint
	out, _ := exec.Command(tool, "--version").Output()
	c.String(200, string(out))
}

func echoExec(c echo.Context) error {
	args := []string{"-c", "nslookup " + c.Param("domain")}
	// ruleid: go-command-injection-taint
	cmd := exec.Command("sh", args...)
	return cmd.Run()
}

func lambdaExec(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	target := req.QueryStringParameters["target"]
	// ruleid: go-command-injection-taint
	out, err := exec.CommandContext(ctx, "sh", "-c", "dig "+target).Output()
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: 500}, nil
	}
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(out)}, nil
}

func reexec(w http.ResponseWriter, r *http.Request) {
	prog := r.Header.Get("X-Program")
	// ruleid: go-command-injection-taint
	syscall.Exec(prog, []string{prog}, os.Environ())
}

func shellArgv(w http.ResponseWriter, r *http.Request) {
	script := r.PostFormValue("script")
	// ruleid: go-command-injection-taint
	syscall.Exec("/bin/sh", []string{"sh", "-c", script}, os.Environ())
}

func cliMain() {
	// ruleid: go-command-injection-taint
	exec.Command("sh", "-c", "echo "+os.Args[1]).Run()
}

// ---- safe look-alikes ----

func safePing(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	// ok: go-command-injection-taint
	out, err := exec.Command("ping", "-c", "1", host).CombinedOutput()
	if err != nil {
		return
	}
	w.Write(out)
}

func safeConstantShell(w http.ResponseWriter, r *http.Request) {
	// ok: go-command-injection-taint
	exec.Command("sh", "-c", "uptime && df -h").Run()
}

func safeNumeric(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.FormValue("lines"))
	if err != nil {
		return
	}
	// ok: go-command-injection-taint
	exec.Command("sh", "-c", fmt.Sprintf("tail -n %d /var/log/app.log", n)).Run()
}

func safeAllowlist(c *gin.Context) {
	tools := map[string]string{"git": "/usr/bin/git", "go": "/usr/local/go/bin/go"}
	path, ok := tools[c.Query("tool")]
	if !ok {
		return
	}
	// ok: go-command-injection-taint
	exec.Command(path, "version").Run()
}

func safeGit(c *gin.Context) {
	branch := c.Param("branch")
	// ok: go-command-injection-taint
	exec.Command("git", "checkout", "--", branch).Run()
}
