// Command safeer-hq is Safeer's HQ server and its admin commands:
// safeer-hq help lists them.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdout, os.Stderr)
	os.Exit(m.Run(ctx, os.Args[1:]))
}
