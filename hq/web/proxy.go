package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// Who the client is, behind reverse proxies.
//
// safeer-hq serve may sit behind a TLS proxy (nginx, Caddy) on the same
// machine or elsewhere. The proxy names the client in X-Forwarded-For and
// the scheme it used in X-Forwarded-Proto, but anybody can send those
// headers: they are believed only when the connection comes from a proxy
// named with --trusted-proxy (Config.TrustedProxies). A peer on loopback is
// not trusted for being on loopback: any local program, or another proxy
// that passes the headers through, would otherwise choose its own address
// for the rate limits and the audit log.

// ParseTrustedProxies reads a comma-separated list of IP addresses and
// CIDR prefixes ("127.0.0.1,10.0.0.0/8,::1").
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an address or a CIDR prefix (10.0.0.0/8)", item)
			}
			if p.Addr().Is4In6() {
				if p.Bits() < 96 {
					return nil, fmt.Errorf("trusted proxy %q: write IPv4 prefixes as such (10.0.0.0/8)", item)
				}
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("trusted proxy %q is not an address or a CIDR prefix (127.0.0.1, ::1, 10.0.0.0/8)", item)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// trusted reports whether a is one of the trusted proxies.
func (s *Site) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr is the address of the connection's other end.
func peerAddr(r *http.Request) netip.Addr {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	a, _ := netip.ParseAddr(r.RemoteAddr)
	return a.Unmap()
}

// viaTrustedProxy reports a request whose direct peer is a trusted proxy.
func (s *Site) viaTrustedProxy(r *http.Request) bool {
	peer := peerAddr(r)
	return peer.IsValid() && s.trusted(peer)
}

// forwardedAddr reads one X-Forwarded-For entry: an address, perhaps with
// a port.
func forwardedAddr(v string) (netip.Addr, bool) {
	v = strings.TrimSpace(v)
	if a, err := netip.ParseAddr(v); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(v); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// clientIP is the client's address. Without a trusted proxy as the peer it
// is the peer. Through one, it is the right-most X-Forwarded-For address
// that is not itself a trusted proxy: each proxy appends the address it
// saw, so everything left of the first untrusted hop may be the client's
// own invention. An entry that is no address (some proxies write
// "unknown") stops the walk at the last trusted hop.
func (s *Site) clientIP(r *http.Request) netip.Addr {
	peer := peerAddr(r)
	if !peer.IsValid() || !s.trusted(peer) {
		return peer
	}
	var hops []string
	for _, line := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(line, ",")...)
	}
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := forwardedAddr(hops[i])
		if !ok {
			return last
		}
		if !s.trusted(a) {
			return a
		}
		last = a
	}
	return last
}

// clientKey is what the rate limits count by: the client's address, an
// IPv6 client by its /64 (one subscriber's whole network).
func (s *Site) clientKey(r *http.Request) string {
	ip := s.clientIP(r)
	if !ip.IsValid() {
		return r.RemoteAddr
	}
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}

// overTLS reports a request that reached HQ over TLS, directly or through
// a trusted proxy that says (X-Forwarded-Proto, its own right-most entry)
// that the client used HTTPS.
func (s *Site) overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !s.viaTrustedProxy(r) {
		return false
	}
	vals := r.Header.Values("X-Forwarded-Proto")
	if len(vals) == 0 {
		return false
	}
	last := vals[len(vals)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	return strings.EqualFold(strings.TrimSpace(last), "https")
}
