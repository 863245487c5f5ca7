package serve

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// requireToken lets a request through when no token is set or when it
// carries the token: "Authorization: Bearer <token>". The site also takes
// HTTP Basic credentials with the token as password (any user name), so a
// browser can open it: it asks for them on the 401. Both are checked in
// constant time, over hashes so the token's length does not show either.
func (s *Server) requireToken(next http.Handler, site bool) http.Handler {
	if s.opts.Token == "" {
		return next
	}
	want := sha256.Sum256([]byte(s.opts.Token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, given := presented(r, site)
		sum := sha256.Sum256([]byte(got))
		if given && subtle.ConstantTimeCompare(sum[:], want[:]) == 1 {
			next.ServeHTTP(w, r)
			return
		}
		challenge := `Bearer realm="etl"`
		if given {
			challenge += `, error="invalid_token"`
		}
		if site {
			w.Header().Set("WWW-Authenticate", `Basic realm="etl docs", charset="UTF-8"`)
			http.Error(w, "This site needs the server's token.", http.StatusUnauthorized)
			return
		}
		w.Header().Set("WWW-Authenticate", challenge)
		writeJSONError(w, http.StatusUnauthorized, "missing or wrong token: send Authorization: Bearer <token>")
	})
}

// presented is the token a request carries, and whether it carries one.
func presented(r *http.Request, basic bool) (string, bool) {
	h := r.Header.Get("Authorization")
	if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		tok = strings.TrimSpace(tok)
		return tok, tok != ""
	}
	if basic {
		if _, pw, ok := r.BasicAuth(); ok {
			return pw, pw != ""
		}
	}
	return "", false
}
