package serve

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limitRate answers 429 to a client address that goes over the rate, with
// Retry-After in seconds. It comes before the token check, so guessing
// tokens is slowed down as well. Behind a reverse proxy every client has
// the proxy's address; the proxy should then limit.
func (s *Server) limitRate(next http.Handler) http.Handler {
	if s.opts.Rate <= 0 {
		return next
	}
	burst := s.opts.Burst
	if burst < 1 {
		burst = max(1, int(math.Ceil(2*s.opts.Rate)))
	}
	l := &limiter{rate: rate.Limit(s.opts.Rate), burst: burst, clients: map[string]*client{}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wait := l.allow(clientIP(r), time.Now()); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeJSONError(w, http.StatusTooManyRequests, "too many requests: slow down")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limiter keeps a token bucket per client address, forgetting those idle
// long enough for their bucket to be full again.
type limiter struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	clients map[string]*client
	swept   time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

// allow takes one token for ip, or returns how long until one is there.
func (l *limiter) allow(ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	idle := max(time.Minute, time.Duration(float64(l.burst)/float64(l.rate)*float64(time.Second)))
	if now.Sub(l.swept) > idle {
		for k, c := range l.clients {
			if now.Sub(c.seen) > idle {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c := l.clients[ip]
	if c == nil {
		c = &client{lim: rate.NewLimiter(l.rate, l.burst)}
		l.clients[ip] = c
	}
	c.seen = now
	res := c.lim.ReserveN(now, 1)
	if !res.OK() {
		return time.Second
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
