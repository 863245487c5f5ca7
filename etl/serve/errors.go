package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// apiError is an answer about the request itself (4xx).
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &apiError{status: http.StatusNotFound, msg: fmt.Sprintf(format, args...)}
}

// fail answers an error as {"error": "..."}. Errors of the server itself
// are logged in full and answered without detail (paths, DuckDB's text).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, errPublishing):
		w.Header().Set("Retry-After", "1")
		ae = &apiError{status: http.StatusServiceUnavailable, msg: err.Error()}
	case r.Context().Err() != nil:
		return // the client went away
	default:
		s.opts.Logger.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
		ae = &apiError{status: http.StatusInternalServerError, msg: "internal error; the server's log has the details"}
	}
	writeJSONError(w, ae.status, ae.msg)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	data, _ := json.Marshal(map[string]string{"error": msg}) // a map of strings always marshals
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
}
