package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/sync/protocol"
)

// syncError is a sync failure as its message of the catalogue, so the
// command line says what went wrong the way the app does, with the
// technical detail underneath.
type syncError struct{ p client.Problem }

func (e syncError) Error() string {
	s := e.p.En + "\n" + e.p.Ar
	if e.p.Detail != "" {
		s += "\n(" + e.p.Detail + ")"
	}
	return s
}

func (e syncError) Message() message.Message { return e.p.Message() }
func (e syncError) Detail() string           { return e.p.Detail }

func bilingual(err error) error {
	if err == nil {
		return nil
	}
	var ue usageError
	if errors.As(err, &ue) {
		return err
	}
	return syncError{client.ProblemOf(err)}
}

// newClient makes the sync client for a command; its log lines go to
// stderr only with --verbose.
func (m *Main) newClient(s *data.Store, verbose bool, opts ...client.Option) *client.Client {
	level := slog.Level(100) // nothing
	var w io.Writer = io.Discard
	if verbose {
		level, w = slog.LevelInfo, m.Stderr
	}
	logger := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
	return client.New(s, append([]client.Option{client.WithLogger(logger)}, opts...)...)
}

func (m *Main) runEnrol(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("enrol", flag.ContinueOnError)
	hq := fs.String("hq", "", "HQ's address, e.g. https://hq.example.om")
	code := fs.String("code", "", "the one-time enrolment code from HQ")
	name := fs.String("name", "", "a name for this computer at HQ (default: its host name)")
	insecure := fs.Bool("insecure-http", false, "allow plain http to another computer (tests only)")
	verbose := fs.Bool("verbose", false, "log what sync does")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *hq == "" || *code == "" {
		return usagef("expected enrol --hq URL --code CODE")
	}
	var opts []client.Option
	if *name != "" {
		opts = append(opts, client.WithDeviceName(*name))
	}
	if *insecure {
		opts = append(opts, client.WithInsecureHTTP())
	}
	return m.withStore(ctx, func(s *data.Store) error {
		res, err := m.newClient(s, *verbose, opts...).Enrol(ctx, *hq, *code)
		if err != nil {
			return bilingual(err)
		}
		if m.JSON {
			m.printJSON(m.Stdout, res)
		} else {
			fmt.Fprintln(m.Stdout, m.say(message.New("cli.enrolled", message.Latin("hq", res.HQURL), message.Latin("governorates", strings.Join(res.Governorates, ", ")))))
			fmt.Fprintf(m.Stdout, "Device id: %s\n", res.DeviceID)
		}
		if res.Warning != nil {
			fmt.Fprintf(m.Stderr, "safeer: %s\n", m.say(res.Warning.Message()))
		}
		return nil
	})
}

func (m *Main) runSync(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "status":
			return m.syncStatus(ctx, args[1:])
		case "log":
			return m.syncLog(ctx, args[1:])
		case "rejected":
			return m.syncRejected(ctx, args[1:])
		case "export":
			return m.runSyncExport(ctx, args[1:])
		case "import":
			return m.runSyncImport(ctx, args[1:])
		case "relay":
			return m.runSyncRelay(ctx, args[1:])
		}
	}
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	verbose := fs.Bool("verbose", false, "log what sync does")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("sync: unknown subcommand %q (expected status, log, rejected, export, import or relay)", pos[0])
	}
	return m.withStore(ctx, func(s *data.Store) error {
		rep, err := m.newClient(s, *verbose).SyncWith(ctx, client.TriggerCommand)
		if err != nil {
			return bilingual(err)
		}
		// Other authors' values re-sent after HQ's restore and refused are
		// counted in one line, not listed: nothing to do about them.
		ids := make([]string, len(rep.Rejections))
		for i, r := range rep.Rejections {
			ids[i] = r.ID
		}
		resent, err := s.ResentOf(ctx, ids)
		if err != nil {
			return err
		}
		n := 0
		for _, r := range rep.Rejections {
			if resent[r.ID] {
				n++
			}
		}
		if m.JSON {
			m.printJSON(m.Stdout, struct {
				client.Report
				Duration string `json:"duration"`
				// RejectedResent is how many of rejections are other
				// authors' values re-sent after HQ's restore.
				RejectedResent int `json:"rejected_resent"`
			}{rep, rep.Duration.Round(time.Millisecond).String(), n})
		} else {
			fmt.Fprintf(m.Stdout, "Sent %d changes: %d applied, %d already there, %d with a conflict, %d refused.\n",
				rep.Pushed, rep.Applied, rep.Duplicate, rep.Conflict, rep.Rejected)
			fmt.Fprintf(m.Stdout, "Received %d rows in %d pages (cursor %s) in %s.\n",
				rep.Pulled, rep.Pages, rep.Cursor, rep.Duration.Round(time.Millisecond))
			if rep.Resynced {
				fmt.Fprintln(m.Stdout, "HQ asked for a full resync: everything was downloaded again; nothing unsent was dropped.")
			}
			for _, r := range rep.Rejections {
				if !resent[r.ID] {
					fmt.Fprintf(m.Stdout, "  refused %s: %s %s\n", r.ID, r.Code, r.Message)
				}
			}
			if n > 0 {
				fmt.Fprintf(m.Stdout, "  %s\n", strings.ReplaceAll(m.say(resentLine(n)), "\n", "\n  "))
			}
		}
		for _, w := range rep.Warnings {
			if w.Code == client.ProblemRejected && n > 0 && n == len(rep.Rejections) {
				continue // only others' values re-sent were refused: said above
			}
			fmt.Fprintf(m.Stderr, "safeer: %s\n", m.say(w.Message()))
		}
		return nil
	})
}

func (m *Main) syncStatus(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sync status", flag.ContinueOnError)
	offline := fs.Bool("offline", false, "do not check whether HQ answers")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("sync status: unexpected %q", pos[0])
	}
	return m.withStore(ctx, func(s *data.Store) error {
		c := m.newClient(s, false, client.WithTimeouts(client.Timeouts{Ping: 5 * time.Second}))
		st, err := c.Refresh(ctx)
		if err != nil {
			return bilingual(err)
		}
		// What HQ knows of this device, when it answers.
		var atHQ *protocol.StatusResponse
		var atHQErr error
		if st.Enrolled && !st.Revoked && !*offline {
			if c.Ping(ctx) == nil {
				hs, err := c.HQStatus(ctx)
				if err == nil {
					atHQ = &hs
				}
				atHQErr = err
			}
			st = c.Status()
		}
		if m.JSON {
			m.printJSON(m.Stdout, struct {
				client.Status
				// RejectedOwn is rejected_ops less rejected_resent: the
				// refused changes that are this coordinator's concern.
				RejectedOwn int                      `json:"rejected_own"`
				HQ          *protocol.StatusResponse `json:"hq,omitempty"`
			}{st, st.RejectedOwn(), atHQ})
			return nil
		}
		w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		defer w.Flush()
		switch {
		case !st.Enrolled && st.HQURL != "":
			// A restored backup: it has HQ's address but no token.
			fmt.Fprintf(w, "Enrolled:\tno — restored from a backup, which keeps no sync token: enrol this computer again with a new code from HQ (%s)\n", st.HQURL)
		case !st.Enrolled:
			fmt.Fprintln(w, "Enrolled:\tno — run: safeer enrol --hq URL --code CODE")
		default:
			fmt.Fprintf(w, "HQ:\t%s\n", st.HQURL)
			fmt.Fprintf(w, "Governorates:\t%s\n", strings.Join(st.Governorates, ", "))
		}
		online := "not checked"
		switch {
		case st.Online:
			online = "yes"
		case st.Offline():
			online = "no"
		}
		fmt.Fprintf(w, "HQ reachable:\t%s\n", online)
		fmt.Fprintf(w, "Changes waiting to be sent:\t%d\n", st.OpsWaiting)
		fmt.Fprintf(w, "Last successful sync:\t%s\n", when(st.LastSync))
		fmt.Fprintf(w, "Conflicts waiting:\t%d\n", st.ConflictsWaiting)
		fmt.Fprintf(w, "Changes refused by HQ:\t%d\n", st.RejectedOwn())
		if st.RejectedResent > 0 {
			fmt.Fprintf(w, "Others' values re-sent:\t%s\n", m.sayIndented(resentLine(st.RejectedResent)))
		}
		if st.ClockOffset != 0 {
			fmt.Fprintf(w, "Clock correction:\t%s (this computer's clock is off)\n", st.ClockOffset.Round(time.Second))
		}
		if st.Problem != nil {
			fmt.Fprintf(w, "Problem:\t%s\n", m.sayIndented(st.Problem.Message()))
		}
		for _, p := range st.Warnings {
			fmt.Fprintf(w, "Note:\t%s\n", m.sayIndented(p.Message()))
		}
		if atHQ != nil {
			pulled := ""
			if ss, err := s.SyncState(ctx); err == nil {
				pulled = ss.Cursor
			}
			fmt.Fprintf(w, "HQ last received from this device:\t%s\n", whenPtr(atHQ.LastPush))
			fmt.Fprintf(w, "HQ last sent to this device:\t%s\n", whenPtr(atHQ.LastPull))
			fmt.Fprintf(w, "Conflicts waiting at HQ:\t%d\n", atHQ.PendingConflicts)
			fmt.Fprintf(w, "HQ's newest change:\t%s (this device has pulled to %s)\n", atHQ.Cursor, orNone(pulled))
		} else if atHQErr != nil {
			fmt.Fprintf(w, "HQ's view:\t%s\n", m.sayIndented(client.Describe(atHQErr).Message()))
		}
		return nil
	})
}

// sayIndented is say for a line of the status table: each language on
// its own line, in the table's second column.
func (m *Main) sayIndented(msg message.Message) string {
	return strings.ReplaceAll(m.say(msg), "\n", "\n\t")
}

func whenPtr(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return when(*t)
}

func orNone(s string) string {
	if s == "" {
		return "nothing yet"
	}
	return s
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04") + " (" + ago(time.Since(t)) + ")"
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

func (m *Main) syncLog(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sync log", flag.ContinueOnError)
	limit := fs.Int("limit", 20, "the latest this many runs")
	if _, err := m.parseFlags(fs, args); err != nil {
		return err
	}
	return m.withStore(ctx, func(s *data.Store) error {
		runs, err := s.SyncLog(ctx, *limit)
		if err != nil {
			return err
		}
		if m.JSON {
			if runs == nil {
				runs = []data.SyncRun{}
			}
			m.printJSON(m.Stdout, runs)
			return nil
		}
		w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		defer w.Flush()
		fmt.Fprintln(w, "STARTED\tTRIGGER\tSENT\tRECEIVED\tRESULT")
		for _, r := range runs {
			result := "ok"
			if r.ErrorCode != "" {
				result = client.Words(r.ErrorCode).En
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\n", r.StartedAt.Local().Format("2006-01-02 15:04:05"), r.Trigger, r.Pushed, r.Pulled, result)
		}
		return nil
	})
}

// resentLine is the one line that stands for other authors' values this
// device sent again after HQ's restore and HQ refused as out of scope
// (data.RejectedOp.Resent): not the coordinator's edits, nothing to do.
func resentLine(n int) message.Message {
	return message.New("cli.refused.resent", message.Int("n", n))
}

// syncRejected lists the changes HQ refused that are the coordinator's
// own, and counts the other authors' values re-sent after HQ's restore
// in one line (--all lists those too).
func (m *Main) syncRejected(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sync rejected", flag.ContinueOnError)
	all := fs.Bool("all", false, "list other authors' values re-sent after HQ's restore one by one too")
	limit := fs.Int("limit", 100, "at most this many, newest first")
	if _, err := m.parseFlags(fs, args); err != nil {
		return err
	}
	return m.withStore(ctx, func(s *data.Store) error {
		if m.JSON {
			// Every refused op, each with "resent" (another author's value
			// sent again after HQ's restore), so scripts see both kinds.
			ops, err := s.RejectedOps(ctx, *limit)
			if err != nil {
				return err
			}
			if ops == nil {
				ops = []data.RejectedOp{}
			}
			m.printJSON(m.Stdout, ops)
			return nil
		}
		list := s.OwnRejectedOps
		if *all {
			list = s.RejectedOps
		}
		ops, err := list(ctx, *limit)
		if err != nil {
			return err
		}
		counts, err := s.SyncCounts(ctx)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			fmt.Fprintln(m.Stdout, "HQ has refused none of your changes.")
		} else {
			w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "WHEN\tTABLE\tROW\tFIELDS\tREASON")
			for _, r := range ops {
				var fields []string
				for k := range r.Op.Fields {
					fields = append(fields, k)
				}
				sort.Strings(fields)
				reason := r.Code + " " + r.Message
				if r.Resent {
					reason = "(another author's value, re-sent) " + reason
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.RejectedAt.Local().Format("2006-01-02 15:04"), r.Op.Table, r.Op.RowID,
					strings.Join(fields, ","), reason)
			}
			w.Flush()
		}
		shown := len(ops)
		if !*all {
			shown += counts.RejectedResent
		}
		if more := counts.RejectedOps - shown; more > 0 {
			fmt.Fprintf(m.Stdout, "…and %d more (--limit to see them).\n", more)
		}
		if counts.RejectedResent > 0 && !*all {
			fmt.Fprintln(m.Stdout, m.say(resentLine(counts.RejectedResent)))
			fmt.Fprintln(m.Stdout, "(--all lists them one by one.)")
		}
		return nil
	})
}

func (m *Main) runConflicts(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "resolve" {
		return m.conflictsResolve(ctx, args[1:])
	}
	fs := flag.NewFlagSet("conflicts", flag.ContinueOnError)
	all := fs.Bool("all", false, "include resolved conflicts")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("conflicts: unknown subcommand %q (expected resolve)", pos[0])
	}
	return m.withStore(ctx, func(s *data.Store) error {
		list, err := s.Conflicts(ctx, *all)
		if err != nil {
			return err
		}
		if m.JSON {
			if list == nil {
				list = []data.Conflict{}
			}
			m.printJSON(m.Stdout, list)
			return nil
		}
		if len(list) == 0 {
			fmt.Fprintln(m.Stdout, "No conflicts waiting.")
			return nil
		}
		for _, c := range list {
			state := "waiting"
			if c.Resolved {
				state = "resolved " + c.ResolvedAt
			}
			label := c.Label
			if label == "" {
				label = c.RowID
			}
			fmt.Fprintf(m.Stdout, "%s  %s %s, field %s (%s)\n", c.ID, c.Table, label, c.Field, state)
			fmt.Fprintf(m.Stdout, "  winner: %v  (device %s, %s)\n", c.Winner, c.WinnerDevice, stampTime(c.WinnerAt))
			fmt.Fprintf(m.Stdout, "  loser:  %v  (device %s, %s)\n", c.Loser, c.LoserDevice, stampTime(c.LoserAt))
		}
		fmt.Fprintln(m.Stdout, "Resolve one with: safeer conflicts resolve ID --take winner|loser")
		return nil
	})
}

func stampTime(t time.Time) string {
	if t.IsZero() {
		return "unknown time"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func (m *Main) conflictsResolve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("conflicts resolve", flag.ContinueOnError)
	take := fs.String("take", "", "winner or loser: the value to keep")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "conflicts resolve ID --take winner|loser"); err != nil {
		return err
	}
	if *take != data.TakeWinner && *take != data.TakeLoser {
		return usagef("conflicts resolve: --take must be winner or loser")
	}
	return m.withStore(ctx, func(s *data.Store) error {
		if err := s.ResolveConflict(ctx, pos[0], *take); err != nil {
			return err
		}
		if m.JSON {
			m.printJSON(m.Stdout, map[string]any{"id": pos[0], "took": *take})
			return nil
		}
		fmt.Fprintf(m.Stdout, "Resolved: the %s value is kept; it goes to HQ with the next sync.\n", *take)
		return nil
	})
}
