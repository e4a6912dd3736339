package rules

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"
)

type Job struct {
	Name string
	Args []string
}

func importHandler(w http.ResponseWriter, r *http.Request) {
	var payload interface{}
	// ruleid: go-gob-decode-untrusted
	if err := gob.NewDecoder(r.Body).Decode(&payload); err != nil {
		http.Error(w, "bad payload", 400)
		return
	}
}

func restoreHandler(c *gin.Context) {
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return
	}
	var job Job
	// ruleid: go-gob-decode-untrusted
	dec := gob.NewDecoder(bytes.NewReader(data))
	dec.Decode(&job)
}

// ---- safe look-alikes ----

func jsonHandler(w http.ResponseWriter, r *http.Request) {
	var job Job
	// ok: go-gob-decode-untrusted
	json.NewDecoder(r.Body).Decode(&job)
	// ok: go-gob-decode-untrusted
	xml.NewDecoder(r.Body).Decode(&job)
}

func yamlHandler(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var job Job
	// ok: go-gob-decode-untrusted
	yaml.Unmarshal(body, &job)
}

func loadCache(path string) (map[string]Job, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m map[string]Job
	// ok: go-gob-decode-untrusted
	err = gob.NewDecoder(f).Decode(&m)
	return m, err
}
