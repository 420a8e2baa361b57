// Command safeer is the coordinator's desktop app. With a subcommand it runs
// headless, for scripts, HQ staff and tests: safeer help lists them.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/oman-sca/safeer/internal/initlog"
	"github.com/oman-sca/safeer/message"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdout, os.Stderr)
	m.InitLog = initlog.Release()
	m.Stdin = os.Stdin
	// Errors in the language of the locale the command runs in.
	m.Langs = []message.Lang{message.LangOfEnv(os.Getenv)}
	os.Exit(m.Run(ctx, os.Args[1:]))
}
