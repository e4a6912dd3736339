// Package render renders the public profile and review pages.
package render

import (
	"html/template"
	"io"
	"net/http"
	texttemplate "text/template"

	"github.com/microcosm-cc/bluemonday"
)

var profileTmpl = template.Must(template.New("profile").Parse(
	`<h1>{{.Name}}</h1><div class="bio">{{.Bio}}</div><a href="{{.Website}}">website</a>`))

var emailPreviewTmpl = texttemplate.Must(texttemplate.New("preview").Parse(
	`<html><body><p>Hi {{.Name}},</p><p>{{.Message}}</p></body></html>`))

type profileView struct {
	Name    string
	Bio     template.HTML
	Website template.URL
}

var ugc = bluemonday.UGCPolicy()

// GET /profile?name=...&bio=...&website=...  (preview before saving)
func ProfilePreview(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	view := profileView{
		Name:    q.Get("name"),
		Bio:     template.HTML(q.Get("bio")),    // VULN: xss
		Website: template.URL(q.Get("website")), // VULN: xss
	}
	profileTmpl.Execute(w, view)
}

// GET /profile/v2?name=...&bio=...
func ProfilePreviewV2(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	view := profileView{
		Name: q.Get("name"),
		Bio:  template.HTML(ugc.Sanitize(q.Get("bio"))), // SAFE: xss
	}
	profileTmpl.Execute(w, view)
}

// GET /profile/plain?name=...&bio=...
func ProfilePlain(w http.ResponseWriter, r *http.Request) {
	data := map[string]string{"Name": r.FormValue("name"), "Bio": r.FormValue("bio"), "Website": r.FormValue("website")}
	profileTmpl.Execute(w, data) // SAFE: xss
}

// POST /emails/preview  name=...&message=...
func EmailPreview(w http.ResponseWriter, r *http.Request) {
	data := struct{ Name, Message string }{r.FormValue("name"), r.FormValue("message")}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	emailPreviewTmpl.Execute(w, data) // VULN: xss
}

// GET /reviews/quote?text=...
func ReviewQuote(w http.ResponseWriter, r *http.Request) {
	text := r.URL.Query().Get("text")
	w.Header().Set("Content-Type", "text/html")
	io.WriteString(w, "<blockquote>"+text+"</blockquote>") // VULN: xss
}

// GET /reviews/raw?text=...
func ReviewRaw(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write([]byte(r.URL.Query().Get("text"))) // SAFE: xss
}

// GET /search?q=...
func SearchPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, "<p>Results for "+template.HTMLEscapeString(q)+"</p>") // SAFE: xss
}
