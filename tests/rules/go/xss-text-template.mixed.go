package rules

import (
	"html/template"
	"net/http"
	texttemplate "text/template"
)

var pageTpl = template.Must(template.New("p").Parse(`<h1>{{.Name}}</h1>`))

var mailTpl = texttemplate.Must(texttemplate.New("m").Parse(`<p>Hi {{.Name}}</p>`))

func pageHandler2(w http.ResponseWriter, r *http.Request) {
	data := map[string]string{"Name": r.FormValue("name")}
	// ok: go-xss-text-template-http
	pageTpl.Execute(w, data)
}

func mailPreview(w http.ResponseWriter, r *http.Request) {
	data := map[string]string{"Name": r.FormValue("name")}
	// ruleid: go-xss-text-template-http
	mailTpl.Execute(w, data)
}

func localTpl(w http.ResponseWriter, r *http.Request) {
	t := texttemplate.New("x")
	t.Parse(`<b>{{.}}</b>`)
	// ruleid: go-xss-text-template-http
	t.Execute(w, r.FormValue("x"))
	h := template.New("y")
	// ok: go-xss-text-template-http
	h.Execute(w, r.FormValue("x"))
}
