package rules

import (
	"html/template"
	"net/http"
	texttemplate "text/template"

	"github.com/gin-gonic/gin"
)

type Page struct {
	Title string
	User  string
}

func previewHandler(w http.ResponseWriter, r *http.Request) {
	body := r.FormValue("template")
	// ruleid: go-template-injection-taint
	tmpl, err := template.New("preview").Parse(body)
	if err != nil {
		http.Error(w, "bad template", 400)
		return
	}
	tmpl.Execute(w, Page{Title: "Preview"})
}

func greetingHandler(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	tpl := "<h1>Hello " + name + "</h1>{{.Title}}"
	// ruleid: go-template-injection-taint
	t := template.Must(template.New("greet").Parse(tpl))
	t.Execute(w, Page{Title: "Home"})
}

func emailPreview(c *gin.Context) {
	t := texttemplate.New("mail").Funcs(texttemplate.FuncMap{})
	subject := c.PostForm("subject")
	// ruleid: go-template-injection-taint
	t, err := t.Parse("Subject: " + subject + "\n{{.User}}")
	if err != nil {
		return
	}
	t.Execute(c.Writer, Page{User: "bob"})
}

func customTemplate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Layout string `json:"layout"`
	}
	base := template.New("base")
	if err := decodeJSON(r, &req); err != nil {
		return
	}
	// ruleid: go-template-injection-taint
	base.New("layout").Parse(r.PostFormValue("layout"))
}

func decodeJSON(r *http.Request, v interface{}) error { return nil }

// ---- safe look-alikes ----

const pageTpl = `<h1>{{.Title}}</h1><p>Hello {{.User}}</p>`

func safeHandler(w http.ResponseWriter, r *http.Request) {
	// ok: go-template-injection-taint
	t := template.Must(template.New("page").Parse(pageTpl))
	t.Execute(w, Page{Title: "Welcome", User: r.URL.Query().Get("name")})
}

func safeLiteral(w http.ResponseWriter, r *http.Request) {
	// ok: go-template-injection-taint
	t, _ := template.New("x").Parse("<p>{{.}}</p>")
	t.Execute(w, r.FormValue("msg"))
}
