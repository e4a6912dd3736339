package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"io"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
	"github.com/microcosm-cc/bluemonday"
)

type ProfileView struct {
	Name string
	Bio  template.HTML
}

var profileTpl = template.Must(template.New("p").Parse(`<h1>{{.Name}}</h1><div>{{.Bio}}</div>`))

func profileHandler(w http.ResponseWriter, r *http.Request) {
	bio := r.FormValue("bio")
	// ruleid: go-xss-unescaped-template-content
	view := ProfileView{Name: "me", Bio: template.HTML(bio)}
	profileTpl.Execute(w, view)
}

func linkHandler(c *gin.Context) {
	next := c.Query("next")
	// ruleid: go-xss-unescaped-template-content
	c.HTML(200, "link.tmpl", gin.H{"href": template.URL(next)})
}

func scriptHandler(w http.ResponseWriter, r *http.Request) {
	cb := r.URL.Query().Get("callback")
	data := map[string]interface{}{
		// ruleid: go-xss-unescaped-template-content
		"cb": template.JS(cb + "(1)"),
	}
	profileTpl.Execute(w, data)
}

func helloHandler(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: go-xss-response-writer
	fmt.Fprintf(w, "<html><body><h1>Hello, %s!</h1></body></html>", name)
}

func searchHandler(w http.ResponseWriter, r *http.Request) {
	q := r.FormValue("q")
	page := "<div class=\"results\">No results for " + q + "</div>"
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// ruleid: go-xss-response-writer
	w.Write([]byte(page))
}

func echoBack(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	// ruleid: go-xss-response-writer
	w.Write(body)
}

func errorPage(w http.ResponseWriter, r *http.Request) {
	msg := r.URL.Query().Get("msg")
	// ruleid: go-xss-response-writer
	io.WriteString(w, "<p class=\"error\">"+msg+"</p>")
}

func ginRaw(c *gin.Context) {
	title := c.Param("title")
	// ruleid: go-xss-response-writer
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<title>"+title+"</title>"))
}

func echoRaw(c echo.Context) error {
	user := c.QueryParam("user")
	// ruleid: go-xss-response-writer
	return c.HTML(http.StatusOK, "<p>Welcome back, "+user+"</p>")
}

// ---- safe look-alikes ----

func safeEscaped(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ok: go-xss-response-writer
	fmt.Fprintf(w, "<h1>Hello, %s!</h1>", html.EscapeString(name))
}

func safeTemplate(w http.ResponseWriter, r *http.Request) {
	// ok: go-xss-unescaped-template-content
	view := ProfileView{Name: r.FormValue("name"), Bio: template.HTML("<b>static</b>")}
	profileTpl.Execute(w, view)
}

var policy = bluemonday.UGCPolicy()

func safeSanitized(w http.ResponseWriter, r *http.Request) {
	bio := policy.Sanitize(r.FormValue("bio"))
	// ok: go-xss-unescaped-template-content
	profileTpl.Execute(w, ProfileView{Bio: template.HTML(bio)})
}

func safeJSON(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	w.Header().Set("Content-Type", "application/json")
	// ok: go-xss-response-writer
	fmt.Fprintf(w, `{"query": %q}`, q)
	out, _ := json.Marshal(map[string]string{"q": q})
	// ok: go-xss-response-writer
	w.Write(out)
}

func safePlain(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	// ok: go-xss-response-writer
	fmt.Fprintf(w, "<p>%s</p>", r.FormValue("x"))
}

func safeTextPrefix(w http.ResponseWriter, r *http.Request) {
	// ok: go-xss-response-writer
	fmt.Fprintf(w, "Hello %s", r.URL.Query().Get("name"))
	// ok: go-xss-response-writer
	w.Write([]byte("saved item " + r.FormValue("id")))
}

func safeGinString(c *gin.Context) {
	// ok: go-xss-response-writer
	c.String(http.StatusOK, "hello %s", c.Query("name"))
}

func lambdaNotFound(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	name := req.QueryStringParameters["file"]
	page := "<html><body><h2>" + name + " not found</h2></body></html>"
	// ruleid: go-xss-response-writer
	return events.APIGatewayProxyResponse{StatusCode: 404, Headers: map[string]string{"Content-Type": "text/html"}, Body: page}, nil
}

func lambdaNotFoundHeaders(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	hdrs := map[string]string{"content-type": "text/html; charset=utf-8"}
	return events.APIGatewayProxyResponse{
		StatusCode: 404,
		Headers:    hdrs,
		// ruleid: go-xss-response-writer
		Body: "<p>" + req.PathParameters["id"] + "</p>",
	}, nil
}

func lambdaJSON(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	name := req.QueryStringParameters["file"]
	// ok: go-xss-response-writer
	return events.APIGatewayProxyResponse{StatusCode: 404, Headers: map[string]string{"Content-Type": "application/json"}, Body: name}, nil
}

func lambdaEscaped(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	name := html.EscapeString(req.QueryStringParameters["file"])
	// ok: go-xss-response-writer
	return events.APIGatewayProxyResponse{StatusCode: 404, Headers: map[string]string{"Content-Type": "text/html"}, Body: "<p>" + name + "</p>"}, nil
}
