package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
)

// runAdmin manages the web console's accounts.
func (m *Main) runAdmin(ctx context.Context, args []string) error {
	f := m.newFlags("admin")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("admin: say add NAME, passwd NAME, disable NAME or list")
	}
	verb, rest := pos[0], pos[1:]
	if verb == "list" {
		if err := noArgs("admin list", rest); err != nil {
			return err
		}
		return m.withStore(ctx, f.db, func(st hq.Store) error { return m.listAdmins(ctx, st) })
	}
	switch verb {
	case "add", "passwd", "disable":
	default:
		return usagef("admin: unknown %q (add, passwd, disable or list)", verb)
	}
	if len(rest) != 1 {
		return usagef("admin %s: name one account", verb)
	}
	name := rest[0]
	if err := web.CheckAdminName(name); err != nil {
		return usagef("admin %s: %s", verb, err)
	}
	if verb == "disable" {
		return m.withStore(ctx, f.db, func(st hq.Store) error {
			if err := web.DisableAdmin(ctx, st, name, "cli", m.Now()); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "Disabled %s: it can no longer sign in, and every session of it has ended.\n", name)
			return nil
		})
	}
	password, err := m.readPassword(name)
	if err != nil {
		return err
	}
	return m.withStore(ctx, f.db, func(st hq.Store) error {
		if verb == "add" {
			if err := web.AddAdmin(ctx, st, name, password, "cli", m.Now()); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "Added %s: sign in at /admin/login on HQ's address.\n", name)
			return nil
		}
		if err := web.SetAdminPassword(ctx, st, name, password, "cli", m.Now()); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "Changed the password of %s: every session of it has ended, so it signs in again with the new one.\n", name)
		return nil
	})
}

func (m *Main) listAdmins(ctx context.Context, st hq.Store) error {
	admins, err := st.Admins(ctx)
	if err != nil {
		return err
	}
	if len(admins) == 0 {
		fmt.Fprintln(m.Stdout, "No accounts yet: make one with safeer-hq admin add NAME.")
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCREATED\tSTATUS")
	for _, a := range admins {
		status := "active"
		if a.Disabled() {
			status = "disabled " + a.DisabledAt.Local().Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", a.Name, a.CreatedAt.Local().Format("2006-01-02 15:04"), status)
	}
	return tw.Flush()
}

// readPassword reads the new password: asked for twice, without echo, on
// a terminal; otherwise the first line of stdin (for scripts:
// printf '%s\n' "$PW" | safeer-hq admin add NAME).
func (m *Main) readPassword(name string) (string, error) {
	if f, ok := m.Stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprintf(m.Stderr, "New password for %s (at least %d characters): ", name, web.MinPasswordLen)
		pw, err := readNoEcho(f)
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", err
		}
		if err := web.CheckNewPassword(pw); err != nil {
			return "", err
		}
		fmt.Fprint(m.Stderr, "Again: ")
		again, err := readNoEcho(f)
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", err
		}
		if again != pw {
			return "", errors.New("the two passwords differ; nothing was changed")
		}
		return pw, nil
	}
	if m.Stdin == nil {
		return "", errors.New("give the password on stdin")
	}
	line, err := bufio.NewReader(io.LimitReader(m.Stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on stdin (pipe it in, or run on a terminal to be asked)")
	}
	if err := web.CheckNewPassword(pw); err != nil {
		return "", err
	}
	return pw, nil
}
