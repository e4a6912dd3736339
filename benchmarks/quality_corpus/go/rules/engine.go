// Package rules evaluates merchant-defined pricing and automation rules.
package rules

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/Knetic/govaluate"
	"github.com/dop251/goja"
	"github.com/expr-lang/expr"
	"github.com/robertkrimen/otto"
	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

type Ledger interface {
	Credit(account string, cents int64) error
	Debit(account string, cents int64) error
	Balance(account string) int64
}

type Cart struct {
	Total    float64
	Items    int
	Country  string
	Customer string
}

type Engine struct {
	ledger     Ledger
	discountJS string // bundled with the binary via go:embed
}

func (e *Engine) newVM(cart Cart) *goja.Runtime {
	vm := goja.New()
	vm.Set("cart", cart)
	vm.Set("ledger", e.ledger)
	return vm
}

func runRule(vm *goja.Runtime, src string) (goja.Value, error) {
	return vm.RunString(src) // VULN: code-injection
}

// POST /rules/preview  {"script": "...", "cart": {...}}
func (e *Engine) Preview(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Script string `json:"script"`
		Cart   Cart   `json:"cart"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	v, err := runRule(e.newVM(body.Cart), body.Script)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	fmt.Fprint(w, v.Export())
}

// GET /rules/apply?rule=...
func (e *Engine) Apply(w http.ResponseWriter, r *http.Request) {
	vm := e.newVM(Cart{Total: 120, Items: 3})
	v, err := vm.RunString(r.URL.Query().Get("rule")) // VULN: code-injection
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	fmt.Fprint(w, v.Export())
}

// Discount runs the bundled discount script with the customer's cart as data.
func (e *Engine) Discount(cart Cart) (float64, error) {
	vm := goja.New()
	vm.Set("cart", cart)
	v, err := vm.RunString(e.discountJS) // SAFE: code-injection
	if err != nil {
		return 0, err
	}
	return v.ToFloat(), nil
}

// POST /automation/run  body = Go source of the automation hook
func RunAutomation(w http.ResponseWriter, r *http.Request) {
	src, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	i := interp.New(interp.Options{GoPath: os.Getenv("GOPATH")})
	i.Use(stdlib.Symbols)
	if _, err := i.Eval(string(src)); err != nil { // VULN: code-injection
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
	}
}

// GET /reports/formula?f=...
func Formula(w http.ResponseWriter, r *http.Request) {
	vm := otto.New()
	vm.Set("readFile", func(call otto.FunctionCall) otto.Value {
		b, _ := os.ReadFile(call.Argument(0).String())
		v, _ := vm.ToValue(string(b))
		return v
	})
	val, err := vm.Run(r.FormValue("f")) // VULN: code-injection
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	fmt.Fprint(w, val.String())
}

// GET /shipping/estimate?formula=weight*0.8+2
func ShippingEstimate(w http.ResponseWriter, r *http.Request) {
	ex, err := govaluate.NewEvaluableExpression(r.URL.Query().Get("formula")) // SAFE: code-injection
	if err != nil {
		http.Error(w, "bad formula", http.StatusBadRequest)
		return
	}
	res, err := ex.Evaluate(map[string]interface{}{"weight": 2.5, "distance": 40.0})
	if err != nil {
		http.Error(w, "bad formula", http.StatusBadRequest)
		return
	}
	fmt.Fprint(w, res)
}

// POST /segments/match  {"condition": "Total > 100 && Country == 'DE'"}
func SegmentMatch(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Condition string `json:"condition"`
		Cart      Cart   `json:"cart"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	program, err := expr.Compile(body.Condition, expr.Env(Cart{}), expr.AsBool()) // SAFE: code-injection
	if err != nil {
		http.Error(w, "bad condition", http.StatusBadRequest)
		return
	}
	out, _ := expr.Run(program, body.Cart)
	fmt.Fprint(w, out)
}

// Greeting runs a constant script; only data comes from the request.
func Greeting(w http.ResponseWriter, r *http.Request) {
	vm := otto.New()
	vm.Set("name", r.URL.Query().Get("name"))
	val, _ := vm.Run(`"Hello, " + name.trim()`) // SAFE: code-injection
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprint(w, val.String())
}
