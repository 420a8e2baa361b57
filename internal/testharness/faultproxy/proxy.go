// Package faultproxy is a small TCP proxy for tests that breaks links the
// way field links break: it cuts a connection mid-request or mid-reply
// (including "the reply lost after the server committed"), slows a link to
// a trickle, adds latency, or refuses everything (HQ unreachable).
//
// Faults apply per exchange: an exchange starts when the client sends after
// the server has answered (or on a new connection), so a fault queued with
// Next hits the next request whether it travels on a new or a kept-alive
// connection.
package faultproxy

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Never is a cut offset that never cuts.
const Never = -1

// Fault is what happens to one exchange (request and reply).
type Fault struct {
	// CutRequestAfter closes both sides after this many request bytes were
	// forwarded (0: before any; Never: no cut).
	CutRequestAfter int64
	// CutReplyAfter closes both sides after this many reply bytes were
	// forwarded; 0 loses the whole reply after the server has handled the
	// request.
	CutReplyAfter int64
	// CutReplyBodyAfter closes both sides after this many bytes of the
	// reply's body (counted from the end of its HTTP headers): the
	// headers arrive whole, the body does not.
	CutReplyBodyAfter int64
	// BytesPerSecond limits each direction (0: no limit).
	BytesPerSecond int
	// Latency delays each direction's first bytes of the exchange.
	Latency time.Duration
}

// Pass is a fault that does nothing.
var Pass = Fault{CutRequestAfter: Never, CutReplyAfter: Never, CutReplyBodyAfter: Never}

// CutRequest cuts the request after n bytes.
func CutRequest(n int64) Fault { f := Pass; f.CutRequestAfter = n; return f }

// CutReply cuts the reply after n bytes (0: the whole reply is lost).
func CutReply(n int64) Fault { f := Pass; f.CutReplyAfter = n; return f }

// CutReplyBody cuts the reply n bytes into its body.
func CutReplyBody(n int64) Fault { f := Pass; f.CutReplyBodyAfter = n; return f }

// Slow limits the link to bytesPerSecond each way, with latency.
func Slow(bytesPerSecond int, latency time.Duration) Fault {
	f := Pass
	f.BytesPerSecond, f.Latency = bytesPerSecond, latency
	return f
}

// Proxy forwards connections from its address to a target address.
type Proxy struct {
	ln     net.Listener
	target atomic.Value // string

	targetsMu sync.Mutex
	targets   []string // when set, new connections go to these in turn
	nextT     int

	mu       sync.Mutex
	queue    []Fault    // for the next exchanges, in order
	onPath   []pathRule // faults for the nth request for a path
	standing Fault      // for every other exchange
	down     bool
	conns    map[*link]struct{}

	exchanges atomic.Int64
	cuts      atomic.Int64
	wg        sync.WaitGroup

	// afterWrite, when set (tests only), runs after each forwarded write
	// and before its bytes are counted.
	afterWrite func(up bool)
}

// Start listens on 127.0.0.1 (a free port) and forwards to target
// (host:port).
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, standing: Pass, conns: map[*link]struct{}{}}
	p.target.Store(target)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL is http://Addr.
func (p *Proxy) URL() string { return "http://" + p.Addr() }

// Spread sends each new connection to the next of targets (host:port) in
// turn: clients spread over several servers, as behind a load balancer.
func (p *Proxy) Spread(targets ...string) {
	p.targetsMu.Lock()
	p.targets = append([]string(nil), targets...)
	p.targetsMu.Unlock()
}

// dialTarget is where a new connection goes.
func (p *Proxy) dialTarget() string {
	p.targetsMu.Lock()
	defer p.targetsMu.Unlock()
	if len(p.targets) == 0 {
		return p.target.Load().(string)
	}
	t := p.targets[p.nextT%len(p.targets)]
	p.nextT++
	return t
}

// Next queues faults for the next exchanges, one each.
func (p *Proxy) Next(f ...Fault) {
	p.mu.Lock()
	p.queue = append(p.queue, f...)
	p.mu.Unlock()
}

// pathRule gives a fault to the left-th next exchange for a path.
type pathRule struct {
	path  string
	left  int
	fault Fault
}

// OnPath gives f to the nth exchange from now (1: the next) whose request
// is for path (its query aside), however many other requests come between
// and whichever connection they travel on. It goes before the faults of
// Next: an exchange it hits does not take one from that queue. The request
// line must come in the exchange's first read (Go's HTTP client writes it
// with the headers in one go).
func (p *Proxy) OnPath(path string, nth int, f Fault) {
	p.mu.Lock()
	p.onPath = append(p.onPath, pathRule{path: path, left: max(nth, 1), fault: f})
	p.mu.Unlock()
}

// requestPath is the path of the request line at the start of b ("" if
// there is none).
func requestPath(b []byte) string {
	line, _, ok := bytes.Cut(b, []byte("\r\n"))
	if !ok {
		return ""
	}
	parts := bytes.Split(line, []byte(" "))
	if len(parts) != 3 || !bytes.HasPrefix(parts[2], []byte("HTTP/")) {
		return ""
	}
	target, _, _ := bytes.Cut(parts[1], []byte("?"))
	return string(target)
}

// Always sets the fault of every exchange not given one by Next.
func (p *Proxy) Always(f Fault) {
	p.mu.Lock()
	p.standing = f
	p.mu.Unlock()
}

// SetDown makes the proxy refuse (accept and close at once) every new
// connection, and cuts the open ones: HQ unreachable. SetDown(false)
// brings it back.
func (p *Proxy) SetDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
	if down {
		p.CutAll()
	}
}

// CutAll closes every open connection now.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	links := make([]*link, 0, len(p.conns))
	for l := range p.conns {
		links = append(links, l)
	}
	p.mu.Unlock()
	for _, l := range links {
		l.cut()
	}
}

// Exchanges is the number of exchanges (requests) seen so far.
func (p *Proxy) Exchanges() int { return int(p.exchanges.Load()) }

// Cuts is the number of connections cut by a fault.
func (p *Proxy) Cuts() int { return int(p.cuts.Load()) }

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.CutAll()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// nextFault takes the fault of a new exchange whose request starts with
// first.
func (p *Proxy) nextFault(first []byte) Fault {
	p.exchanges.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.onPath) > 0 {
		path := requestPath(first)
		var hit *Fault
		kept := p.onPath[:0]
		for _, r := range p.onPath {
			if r.path == path {
				if r.left--; r.left == 0 {
					if hit == nil {
						hit = &r.fault
					}
					continue // two for one exchange: the first given wins
				}
			}
			kept = append(kept, r)
		}
		p.onPath = kept
		if hit != nil {
			return *hit
		}
	}
	if len(p.queue) > 0 {
		f := p.queue[0]
		p.queue = p.queue[1:]
		return f
	}
	return p.standing
}

type link struct {
	client, server net.Conn
	p              *Proxy

	mu      sync.Mutex
	fault   Fault
	up      int64  // request bytes of this exchange
	down    int64  // reply bytes of this exchange
	replied bool   // the server has sent in this exchange
	seen    []byte // the reply's bytes while its headers are not yet complete
	bodyAt  int64  // where the reply's body starts (0: not yet known)
	started bool
	gen     int64 // which exchange of this link is under way (1, 2, ...)
	once    sync.Once
}

func (l *link) cut() {
	l.once.Do(func() {
		l.client.Close()
		l.server.Close()
	})
}

func (p *Proxy) serve(c net.Conn) {
	defer p.wg.Done()
	s, err := net.DialTimeout("tcp", p.dialTarget(), 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	l := &link{client: c, server: s, p: p}
	p.mu.Lock()
	p.conns[l] = struct{}{}
	p.mu.Unlock()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); l.pump(c, s, true) }()
	go func() { defer wg.Done(); l.pump(s, c, false) }()
	wg.Wait()
	l.cut()
	p.mu.Lock()
	delete(p.conns, l)
	p.mu.Unlock()
}

// pump copies one direction, applying the exchange's fault.
func (l *link) pump(src, dst net.Conn, up bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !l.forward(dst, buf[:n], up) {
				l.cut()
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				l.cut()
				return
			}
			// Half-close: pass the EOF on.
			if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			} else {
				l.cut()
			}
			return
		}
	}
}

// forward writes b to dst under the exchange's fault; false means cut.
func (l *link) forward(dst net.Conn, b []byte, up bool) bool {
	l.mu.Lock()
	if up && (!l.started || l.replied) {
		// A new exchange: the client speaks first, or again after a reply.
		l.started, l.replied = true, false
		l.gen++
		l.up, l.down = 0, 0
		l.seen, l.bodyAt = l.seen[:0], 0
		l.fault = l.p.nextFault(b)
	}
	first := false
	if up {
		first = l.up == 0
	} else {
		first = l.down == 0
		l.replied = true
	}
	f := l.fault
	gen := l.gen
	done := l.up
	limit := f.CutRequestAfter
	if !up {
		done, limit = l.down, f.CutReplyAfter
		if f.CutReplyBodyAfter >= 0 {
			if l.bodyAt == 0 {
				l.seen = append(l.seen, b...)
				if i := bytes.Index(l.seen, []byte("\r\n\r\n")); i >= 0 {
					l.bodyAt = int64(i) + 4
				}
			}
			if l.bodyAt > 0 && (limit < 0 || l.bodyAt+f.CutReplyBodyAfter < limit) {
				limit = l.bodyAt + f.CutReplyBodyAfter
			}
		}
	}
	l.mu.Unlock()

	if first && f.Latency > 0 {
		time.Sleep(f.Latency)
	}
	cutHere := false
	if limit >= 0 && done+int64(len(b)) > limit {
		b = b[:max(0, limit-done)]
		cutHere = true
	}
	chunk := len(b)
	if f.BytesPerSecond > 0 {
		chunk = max(1, min(chunk, f.BytesPerSecond/20)) // about 20 writes a second
	}
	for len(b) > 0 {
		k := min(chunk, len(b))
		if f.BytesPerSecond > 0 {
			time.Sleep(time.Duration(float64(k) / float64(f.BytesPerSecond) * float64(time.Second)))
		}
		if _, err := dst.Write(b[:k]); err != nil {
			return false
		}
		if l.p.afterWrite != nil {
			l.p.afterWrite(up)
		}
		// Once the last bytes of a reply are written, the client may read
		// them and send its next request before this count is taken: the
		// bytes count only if their exchange is still the link's, or they
		// would eat into the next exchange's cut offsets (a reply cut
		// after 100 bytes would then lose all of them).
		l.mu.Lock()
		if l.gen == gen {
			if up {
				l.up += int64(k)
			} else {
				l.down += int64(k)
			}
		}
		l.mu.Unlock()
		b = b[k:]
	}
	if cutHere {
		l.p.cuts.Add(1)
		return false
	}
	return true
}
