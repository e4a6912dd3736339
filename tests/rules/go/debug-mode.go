package debugmode

import (
	"fmt"
	"log"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/mux"
	"github.com/labstack/echo/v4"
)

func newAPI() *echo.Echo {
	srv := echo.New()
	// ruleid: go-echo-debug-enabled
	srv.Debug = true
	return srv
}

func configure(e *echo.Echo) {
	// ruleid: go-echo-debug-enabled
	e.Debug = true
}

func newInternalAPI() *echo.Echo {
	srv := echo.New()
	// ok: go-echo-debug-enabled
	srv.Debug = os.Getenv("ENV") == "dev"
	// ok: go-echo-debug-enabled
	srv.Debug = false
	return srv
}

type options struct{ Debug bool }

func opts() options {
	o := options{}
	// ok: go-echo-debug-enabled
	o.Debug = true
	return o
}

func ginSetup() {
	// ruleid: go-gin-debug-mode
	gin.SetMode(gin.DebugMode)
	// ruleid: go-gin-debug-mode
	gin.SetMode("debug")
	// ok: go-gin-debug-mode
	gin.SetMode(gin.ReleaseMode)
	// ok: go-gin-debug-mode
	gin.SetMode(os.Getenv("GIN_MODE"))
}

func routes() {
	r := mux.NewRouter()
	// ruleid: go-pprof-handler-exposed
	r.HandleFunc("/debug/pprof/", pprof.Index)
	// ruleid: go-pprof-handler-exposed
	r.PathPrefix("/debug/pprof/profile").HandlerFunc(pprof.Profile)
	// ruleid: go-pprof-handler-exposed
	r.Handle("/debug/pprof/heap", pprof.Handler("heap"))

	g := gin.New()
	// ruleid: go-pprof-handler-exposed
	g.GET("/debug/pprof/", gin.WrapF(pprof.Index))

	// ok: go-pprof-handler-exposed
	r.HandleFunc("/healthz", health)

	internal := http.NewServeMux()
	// ok: go-pprof-handler-exposed
	internal.HandleFunc("/metrics", health)
}

func health(w http.ResponseWriter, r *http.Request) {}

func servers() {
	go func() {
		// ruleid: go-pprof-default-mux-public
		log.Println(http.ListenAndServe(":6060", nil))
	}()
	go func() {
		// ruleid: go-pprof-default-mux-public
		log.Println(http.ListenAndServe("0.0.0.0:6060", nil))
	}()
	go func() {
		// ok: go-pprof-default-mux-public
		log.Println(http.ListenAndServe("127.0.0.1:6060", nil))
	}()
	go func() {
		// ok: go-pprof-default-mux-public
		log.Println(http.ListenAndServe("localhost:6060", nil))
	}()
	app := http.NewServeMux()
	// ok: go-pprof-default-mux-public
	log.Fatal(http.ListenAndServe(":8080", app))
}

func withStack(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if rec := recover(); rec != nil {
				w.WriteHeader(http.StatusInternalServerError)
				// ruleid: go-stack-trace-in-response
				fmt.Fprintf(w, "panic: %v\n%s", rec, debug.Stack())
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func withStack2(w http.ResponseWriter, r *http.Request) {
	if rec := recover(); rec != nil {
		// ruleid: go-stack-trace-in-response
		http.Error(w, fmt.Sprintf("%v\n%s", rec, debug.Stack()), http.StatusInternalServerError)
	}
}

func ginRecover(c *gin.Context) {
	if rec := recover(); rec != nil {
		// ruleid: go-stack-trace-in-response
		c.String(http.StatusInternalServerError, "panic: %v\n%s", rec, debug.Stack())
	}
}

func quietRecover(w http.ResponseWriter, r *http.Request) {
	if rec := recover(); rec != nil {
		// ok: go-stack-trace-in-response
		log.Printf("panic: %v\n%s", rec, debug.Stack())
		// ok: go-stack-trace-in-response
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}
