package rules

import (
	"archive/tar"
	"archive/zip"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
)

const uploadDir = "/srv/uploads"

func downloadHandler(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("file")
	p := filepath.Join(uploadDir, name)
	// ruleid: go-path-traversal-taint
	data, err := os.ReadFile(p)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

func serveHandler(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-path-traversal-taint
	http.ServeFile(w, r, "./static/"+r.FormValue("path"))
}

func deleteHandler(c *gin.Context) {
	name := c.Param("name")
	// ruleid: go-path-traversal-taint
	if err := os.Remove(filepath.Join("/var/data", name)); err != nil {
		c.AbortWithStatus(500)
	}
}

func ginDownload(c *gin.Context) {
	// ruleid: go-path-traversal-taint
	c.File("reports/" + c.Query("report"))
}

func uploadHandler(w http.ResponseWriter, r *http.Request) {
	file, header, err := r.FormFile("upload")
	if err != nil {
		return
	}
	defer file.Close()
	// ruleid: go-path-traversal-taint
	out, err := os.Create(filepath.Join(uploadDir, header.Filename))
	if err != nil {
		return
	}
	defer out.Close()
	io.Copy(out, file)
}

func echoOpen(c echo.Context) error {
	doc := c.QueryParam("doc")
	// ruleid: go-path-traversal-taint
	f, err := os.OpenFile("/docs/"+doc, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

func saveNote(w http.ResponseWriter, r *http.Request) {
	title := r.PostFormValue("title")
	// ruleid: go-path-traversal-taint
	os.WriteFile(filepath.Join("notes", title+".txt"), []byte(r.PostFormValue("body")), 0o644)
}

// ---- safe look-alikes ----

func safeBase(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Query().Get("file"))
	// ok: go-path-traversal-taint
	data, err := os.ReadFile(filepath.Join(uploadDir, name))
	if err == nil {
		w.Write(data)
	}
}

func safePrefixCheck(w http.ResponseWriter, r *http.Request) {
	p := filepath.Join(uploadDir, r.URL.Query().Get("file"))
	if !strings.HasPrefix(filepath.Clean(p), uploadDir+string(os.PathSeparator)) {
		http.Error(w, "invalid path", http.StatusBadRequest)
		return
	}
	// ok: go-path-traversal-taint
	http.ServeFile(w, r, p)
}

func safeIsLocal(c *gin.Context) {
	name := c.Query("name")
	if !filepath.IsLocal(name) {
		c.AbortWithStatus(400)
		return
	}
	// ok: go-path-traversal-taint
	os.Open(filepath.Join("/data", name))
}

func safeConstant(w http.ResponseWriter, r *http.Request) {
	// ok: go-path-traversal-taint
	data, _ := os.ReadFile("/etc/app/config.json")
	w.Write(data)
}

// ---- archive extraction ----

func unzip(src, dest string) error {
	r, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer r.Close()
	for _, f := range r.File {
		fpath := filepath.Join(dest, f.Name)
		if f.FileInfo().IsDir() {
			// ruleid: go-zip-slip
			os.MkdirAll(fpath, os.ModePerm)
			continue
		}
		// ruleid: go-zip-slip
		out, err := os.OpenFile(fpath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, f.Mode())
		if err != nil {
			return err
		}
		rc, _ := f.Open()
		io.Copy(out, rc)
		out.Close()
		rc.Close()
	}
	return nil
}

func untar(r io.Reader, dest string) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		target := filepath.Join(dest, hdr.Name)
		// ruleid: go-zip-slip
		f, err := os.Create(target)
		if err != nil {
			return err
		}
		io.Copy(f, tr)
		f.Close()
	}
	return nil
}

func safeUnzip(src, dest string) error {
	r, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer r.Close()
	for _, f := range r.File {
		fpath := filepath.Join(dest, f.Name)
		if !strings.HasPrefix(fpath, filepath.Clean(dest)+string(os.PathSeparator)) {
			return os.ErrPermission
		}
		// ok: go-zip-slip
		out, err := os.Create(fpath)
		if err != nil {
			return err
		}
		out.Close()
	}
	return nil
}

func safeUnzipContains(zr *zip.Reader, dest string) error {
	for _, f := range zr.File {
		if strings.Contains(f.Name, "..") {
			continue
		}
		// ok: go-zip-slip
		os.MkdirAll(filepath.Join(dest, f.Name), 0o755)
	}
	return nil
}

func safeUnzipBase(zr *zip.Reader, dest string) {
	for _, f := range zr.File {
		// ok: go-zip-slip
		os.Create(filepath.Join(dest, filepath.Base(f.Name)))
	}
}

func untarIsLocal(r io.Reader, dest string) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg || !filepath.IsLocal(hdr.Name) {
			continue
		}
		// ok: go-zip-slip
		f, err := os.Create(filepath.Join(dest, hdr.Name))
		if err != nil {
			return err
		}
		io.Copy(f, tr)
		f.Close()
	}
}

func untarConcat(r io.Reader, dest string) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		// ruleid: go-zip-slip
		f, err := os.Create(dest + "/" + hdr.Name)
		if err != nil {
			return err
		}
		f.Close()
	}
}

// insideBase joins a user-supplied path onto base and refuses anything outside it.
func insideBase(base, userPath string) (string, error) {
	full := filepath.Join(base, userPath)
	if !strings.HasPrefix(full, base+string(os.PathSeparator)) {
		return "", errors.New("outside base")
	}
	return full, nil
}

func previewChecked(w http.ResponseWriter, r *http.Request) {
	p, err := insideBase("/srv/reports", r.FormValue("path"))
	if err != nil {
		return
	}
	// ok: go-path-traversal-taint
	f, _ := os.Open(p)
	defer f.Close()
}

func joinOnly(base, userPath string) (string, error) {
	return filepath.Join(base, userPath), nil
}

func previewUnchecked(w http.ResponseWriter, r *http.Request) {
	p, err := joinOnly("/srv/reports", r.FormValue("path"))
	if err != nil {
		return
	}
	// ruleid: go-path-traversal-taint
	f, _ := os.Open(p)
	defer f.Close()
}
