package scripts

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/dop251/goja"
	"github.com/gin-gonic/gin"
	"github.com/robertkrimen/otto"
	"github.com/traefik/yaegi/interp"
	lua "github.com/yuin/gopher-lua"
)

type Engine struct{ bundled string }

func (e *Engine) vm() *goja.Runtime { return goja.New() }

func (e *Engine) Apply(w http.ResponseWriter, r *http.Request) {
	vm := e.vm()
	// ruleid: go-script-eval-injection
	v, _ := vm.RunString(r.URL.Query().Get("rule"))
	_ = v
	// ok: go-script-eval-injection
	vm.RunString(e.bundled)
	vm.Set("input", r.URL.Query().Get("rule"))
	// ok: go-script-eval-injection
	vm.RunString("input.toUpperCase()")
}

func Preview(c *gin.Context) {
	var body struct {
		Script string `json:"script"`
	}
	if err := c.ShouldBindJSON(&body); err != nil {
		return
	}
	vm := goja.New()
	// ruleid: go-script-eval-injection
	vm.RunScript("preview.js", body.Script)
}

func Automation(w http.ResponseWriter, r *http.Request) {
	src, _ := io.ReadAll(r.Body)
	i := interp.New(interp.Options{})
	// ruleid: go-script-eval-injection
	i.Eval(string(src))
	// ok: go-script-eval-injection
	i.Eval(`fmt.Println("hello")`)
}

func Formula(w http.ResponseWriter, r *http.Request) {
	vm := otto.New()
	f := r.FormValue("f")
	// ruleid: go-script-eval-injection
	val, _ := vm.Run(f)
	_ = val
	vm.Set("name", r.FormValue("name"))
	// ok: go-script-eval-injection
	vm.Run(`"Hello, " + name`)
}

func Lua(w http.ResponseWriter, r *http.Request) {
	L := lua.NewState()
	defer L.Close()
	var req struct{ Code string }
	json.NewDecoder(r.Body).Decode(&req)
	// ruleid: go-script-eval-injection
	L.DoString(req.Code)
	// ok: go-script-eval-injection
	L.DoString("print('ready')")
}

type job struct{}

func (job) Run(s string) error { return nil }

func notOtto(w http.ResponseWriter, r *http.Request) {
	j := job{}
	// ok: go-script-eval-injection
	j.Run(r.FormValue("x"))
}
