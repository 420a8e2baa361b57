package hq

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ServeConfig is how safeer-hq serve listens.
type ServeConfig struct {
	Addr         string // HOST:PORT
	TLSCert      string // PEM files; both or neither
	TLSKey       string
	InsecureHTTP bool // allow plain HTTP on a non-loopback address
	Logger       *slog.Logger
	// Ready, when set, is called with the address actually listened on
	// (tests listen on port 0).
	Ready func(addr net.Addr)
	// ShutdownTimeout bounds the wait for requests in flight on shutdown.
	ShutdownTimeout time.Duration
}

// CheckListen refuses plain HTTP on an address other machines can reach,
// unless insecure is set: tokens would cross the network in clear.
func CheckListen(addr string, tls, insecure bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q is not HOST:PORT: %w", addr, err)
	}
	if tls || insecure {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("plain HTTP on %s would send device tokens in clear: give --tls-cert and --tls-key, "+
		"listen on 127.0.0.1 behind a TLS proxy, or pass --insecure-http if you really mean it", addr)
}

// Serve listens on cfg.Addr and serves h until ctx is done, then shuts down
// gracefully, letting requests in flight finish.
func Serve(ctx context.Context, cfg ServeConfig, h http.Handler) error {
	useTLS := cfg.TLSCert != "" || cfg.TLSKey != ""
	if useTLS && (cfg.TLSCert == "" || cfg.TLSKey == "") {
		return errors.New("give both --tls-cert and --tls-key")
	}
	if err := CheckListen(cfg.Addr, useTLS, cfg.InsecureHTTP); err != nil {
		return err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	srv := &http.Server{
		Handler: h,
		// Slow links are the normal case (a 128 KiB batch at 50 kbit/s
		// takes ~20 s), so the timeouts are generous but finite.
		ReadHeaderTimeout: 15 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      3 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if useTLS {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("load TLS certificate: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if useTLS {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	log.Info("safeer-hq listening", "addr", ln.Addr().String(), "tls", useTLS)
	if cfg.Ready != nil {
		cfg.Ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	timeout := cfg.ShutdownTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	log.Info("shutting down", "wait", timeout)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
