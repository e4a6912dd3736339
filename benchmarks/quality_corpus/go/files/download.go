// Package files serves user uploads and generated reports.
package files

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/gin-gonic/gin"
)

const (
	uploadDir = "/var/lib/storefront/uploads"
	reportDir = "/var/lib/storefront/reports"
)

var errOutside = errors.New("path escapes base directory")

// resolveInside joins a user-supplied relative path onto base and refuses
// anything that ends up outside of it.
func resolveInside(base, userPath string) (string, error) {
	full := filepath.Join(base, filepath.Clean("/"+userPath))
	if !strings.HasPrefix(full, base+string(os.PathSeparator)) {
		return "", errOutside
	}
	return full, nil
}

// GET /files/download?file=invoice-1.pdf
func Download(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("file")
	http.ServeFile(w, r, filepath.Join(uploadDir, name)) // VULN: path-traversal
}

// GET /files/v2/download?file=invoice-1.pdf
func DownloadV2(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Query().Get("file"))
	if name == "." || name == ".." || name == string(os.PathSeparator) {
		http.Error(w, "bad file name", http.StatusBadRequest)
		return
	}
	http.ServeFile(w, r, filepath.Join(uploadDir, name)) // SAFE: path-traversal
}

// GET /files/preview?path=2024/05/summary.txt
func Preview(w http.ResponseWriter, r *http.Request) {
	p := filepath.Join(reportDir, r.FormValue("path"))
	f, err := os.Open(p) // VULN: path-traversal
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	io.Copy(w, f)
}

// GET /files/v2/preview?path=2024/05/summary.txt
func PreviewV2(w http.ResponseWriter, r *http.Request) {
	p, err := resolveInside(reportDir, r.FormValue("path"))
	if err != nil {
		http.Error(w, "invalid path", http.StatusBadRequest)
		return
	}
	f, err := os.Open(p) // SAFE: path-traversal
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	io.Copy(w, f)
}

// GET /files/shared?doc=reports/q1.csv  (only the reports/ subtree is meant to be public)
func Shared(w http.ResponseWriter, r *http.Request) {
	doc := r.URL.Query().Get("doc")
	if !strings.HasPrefix(doc, "reports/") {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	data, err := os.ReadFile("/var/lib/storefront/" + doc) // VULN: path-traversal
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

func loadTemplate(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("/etc/storefront/templates", name))
}

// GET /files/template?name=...
func Template(w http.ResponseWriter, r *http.Request) {
	data, err := loadTemplate(r.URL.Query().Get("name")) // VULN: path-traversal
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

func Static(mux *http.ServeMux) {
	mux.Handle("/static/", http.StripPrefix("/static/", http.FileServer(http.Dir("./public")))) // SAFE: path-traversal
}

// RegisterGin wires the gin variants used by the admin UI.
func RegisterGin(r *gin.Engine) {
	r.GET("/admin/export", func(c *gin.Context) {
		c.File(filepath.Join(reportDir, c.Query("name"))) // VULN: path-traversal
	})
	r.GET("/admin/export/v2", func(c *gin.Context) {
		c.FileAttachment(filepath.Join(reportDir, "exports", filepath.Base(filepath.Clean("/"+c.Query("name")))), "export.csv") // SAFE: path-traversal
	})
	r.DELETE("/admin/tmp", func(c *gin.Context) {
		target, err := resolveInside("/var/tmp/storefront", c.Query("name"))
		if err != nil {
			c.AbortWithStatus(http.StatusBadRequest)
			return
		}
		os.Remove(target) // SAFE: path-traversal
		c.Status(http.StatusNoContent)
	})
}
