package rules

import (
	"net/http"
	"text/template"
)

var reportTpl = template.Must(template.New("r").Parse(`<html><body><h1>{{.Title}}</h1></body></html>`))

func reportHandler(w http.ResponseWriter, r *http.Request) {
	data := map[string]string{"Title": r.URL.Query().Get("title")}
	// ruleid: go-xss-text-template-http
	reportTpl.Execute(w, data)
}

func pageHandler(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-xss-text-template-http
	reportTpl.ExecuteTemplate(w, "r", r.FormValue("x"))
}

func configHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	// ok: go-xss-text-template-http
	reportTpl.Execute(w, nil)
}
