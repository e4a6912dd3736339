// Package archive unpacks theme bundles and data imports uploaded by merchants.
package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// POST /merchants/upload?kind=theme|import|backup|assets  (multipart field "file")
func HandleUpload(w http.ResponseWriter, r *http.Request) {
	f, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "missing file", http.StatusBadRequest)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		http.Error(w, "read failed", http.StatusBadRequest)
		return
	}
	dest, err := os.MkdirTemp("/var/lib/storefront/merchant-uploads", "upload-")
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	switch r.URL.Query().Get("kind") {
	case "theme", "import":
		zr, zerr := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if zerr != nil {
			http.Error(w, "not a zip file", http.StatusBadRequest)
			return
		}
		if r.URL.Query().Get("kind") == "theme" {
			err = ExtractTheme(zr, dest)
		} else {
			err = ExtractImport(zr, dest)
		}
	case "backup":
		err = ExtractBackup(bytes.NewReader(data), dest)
	default:
		err = ExtractAssets(bytes.NewReader(data), dest)
	}
	if err != nil {
		http.Error(w, "extract failed", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// ExtractTheme unpacks a merchant-uploaded theme zip into dest.
func ExtractTheme(zr *zip.Reader, dest string) error {
	for _, f := range zr.File {
		target := filepath.Join(dest, f.Name)
		if f.FileInfo().IsDir() {
			os.MkdirAll(target, 0o755)
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644) // VULN: path-traversal
		if err != nil {
			rc.Close()
			return err
		}
		_, err = io.Copy(out, rc)
		out.Close()
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// ExtractImport is the hardened variant used for CSV data imports.
func ExtractImport(zr *zip.Reader, dest string) error {
	root := filepath.Clean(dest) + string(os.PathSeparator)
	for _, f := range zr.File {
		target := filepath.Join(dest, f.Name)
		if !strings.HasPrefix(target, root) {
			return fmt.Errorf("illegal file path in archive: %q", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		out, err := os.Create(target) // SAFE: path-traversal
		if err != nil {
			rc.Close()
			return err
		}
		io.Copy(out, rc)
		out.Close()
		rc.Close()
	}
	return nil
}

// ExtractBackup restores a tar.gz backup uploaded through the admin panel.
func ExtractBackup(r io.Reader, dest string) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		path := dest + "/" + hdr.Name
		f, err := os.Create(path) // VULN: path-traversal
		if err != nil {
			return err
		}
		io.Copy(f, tr)
		f.Close()
	}
}

// ExtractAssets unpacks a tarball using filepath.IsLocal (Go 1.20+).
func ExtractAssets(r io.Reader, dest string) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg || !filepath.IsLocal(hdr.Name) {
			continue
		}
		f, err := os.OpenFile(filepath.Join(dest, hdr.Name), os.O_CREATE|os.O_WRONLY, 0o644) // SAFE: path-traversal
		if err != nil {
			return err
		}
		io.Copy(f, tr)
		f.Close()
	}
}
