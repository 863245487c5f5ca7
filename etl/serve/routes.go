package serve

import (
	"net/http"
	"os"
)

// routes: the API under /api/ and the site everywhere else, both behind
// the token (when set), the rate limit and the request log.
func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/models", s.listModels)
	api.HandleFunc("GET /api/models/{name}", s.getModel)
	api.HandleFunc("GET /api/models/{name}/rows", s.getRows)
	api.HandleFunc("/api/", s.otherAPI)

	mux := http.NewServeMux()
	mux.Handle("/api/", s.requireToken(api, false))
	mux.Handle("/", s.requireToken(s.site(), true))
	return s.logRequests(s.limitRate(headers(mux)))
}

// site serves the folder `etl docs generate` writes. It is looked up on
// every request: the site may be generated, or swapped for a new one,
// while the server runs.
func (s *Server) site() http.Handler {
	files := http.FileServer(http.Dir(s.opts.DocsDir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "the site is read-only", http.StatusMethodNotAllowed)
			return
		}
		if st, err := os.Stat(s.opts.DocsDir); err != nil || !st.IsDir() {
			http.Error(w, "No documentation site yet: run etl docs generate first.", http.StatusNotFound)
			return
		}
		files.ServeHTTP(w, r)
	})
}

func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}
