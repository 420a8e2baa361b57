package hq_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
)

// fileQueues are the sync files of a history on their way: requests
// written by devices and not yet read at HQ, replies written by HQ and not
// yet loaded by their device. A file may be delivered late (after newer
// syncs), twice, or never.
type fileQueues struct {
	srv      *hq.Server // reads requests, as safeer-hq sync import does
	requests [][]byte
	replies  map[*cdev][][]byte
	stats    struct{ exported, read, again, loaded, stale int }
}

// TestConvergenceByFile is TestConvergence with a transport drawn for each
// sync: the network, or a file (a request written, read at HQ some steps
// later or twice or never; its reply loaded late, twice or never). The
// same checks hold at the end: every device as HQ is, no edit lost.
// Short by default (4 histories per store, most of a minute under -race);
// -rapid.checks=N (or RAPID_CHECKS) for a longer hunt.
func TestConvergenceByFile(t *testing.T) {
	deadline := soakDeadline(t)
	databases(t, func(t *testing.T, newDB newDatabase) {
		rapidChecks(t, convergenceChecks/4)
		var stats convergeStats
		var files struct{ exported, read, again, loaded, stale int }
		rapid.Check(t, func(rt *rapid.T) {
			if !deadline.IsZero() && time.Now().After(deadline) {
				return // the soak's time is up: the rest pass untried, uncounted
			}
			h := &history{t: t, rt: rt, ctx: context.Background(), stats: &stats,
				files: &fileQueues{replies: map[*cdev][][]byte{}}}
			defer h.close()
			h.run(newDB(t))
			f := h.files.stats
			files.exported += f.exported
			files.read += f.read
			files.again += f.again
			files.loaded += f.loaded
			files.stale += f.stale
		})
		t.Logf("%d histories: %d edits, %d conflicts; by file: %d requests written, %d read at HQ (%d again), %d replies loaded (%d stale or again)",
			stats.checks, stats.edits, stats.conflicts, files.exported, files.read, files.again, files.loaded, files.stale)
	})
}

// fileStep is sync by file for d: it writes a request, then up to three
// waiting requests (anyone's, any age) are read at HQ, each maybe kept to
// be read again, and up to three of d's waiting replies are loaded, each
// maybe kept to be loaded again.
func (h *history) fileStep(d *cdev) {
	q := h.files
	if q.srv == nil {
		srv, err := hq.NewServer(h.ctx, h.hq.Store(), h.hq.Key, hq.Options{Logger: synccheck.Quiet})
		if err != nil {
			h.fatalf("HQ for files: %v", err)
		}
		q.srv = srv
	}
	var b bytes.Buffer
	if _, err := d.Client.ExportRequest(h.ctx, &b); err != nil {
		h.fatalf("%s: export: %v", d.Name, err)
	}
	q.requests = append(q.requests, b.Bytes())
	q.stats.exported++
	for range rapid.IntRange(0, 3).Draw(h.rt, "requests read") {
		h.readRequest()
	}
	for range rapid.IntRange(0, 3).Draw(h.rt, "replies loaded") {
		h.loadReply(d)
	}
}

// readRequest reads one waiting request at HQ (maybe keeping it, to be
// read again) and queues the reply for its device.
func (h *history) readRequest() {
	q := h.files
	if len(q.requests) == 0 {
		return
	}
	i := rapid.IntRange(0, len(q.requests)-1).Draw(h.rt, "request")
	file := q.requests[i]
	if !rapid.Bool().Draw(h.rt, "keep to read again") {
		q.requests = append(q.requests[:i:i], q.requests[i+1:]...)
	}
	var reply bytes.Buffer
	res, err := q.srv.ImportSyncFile(h.ctx, bytes.NewReader(file), &reply, hq.CLI)
	if err != nil {
		h.fatalf("HQ: read a request: %v", err)
	}
	q.stats.read++
	if res.Again {
		q.stats.again++
	}
	for _, dev := range h.devs {
		if dev.Store.DeviceID() == res.Device.ID {
			q.replies[dev] = append(q.replies[dev], reply.Bytes())
		}
	}
}

// loadReply loads one of d's waiting replies (maybe keeping it, to be
// loaded again).
func (h *history) loadReply(d *cdev) {
	q := h.files
	waiting := q.replies[d]
	if len(waiting) == 0 {
		return
	}
	i := rapid.IntRange(0, len(waiting)-1).Draw(h.rt, "reply")
	file := waiting[i]
	if !rapid.Bool().Draw(h.rt, "keep to load again") {
		q.replies[d] = append(waiting[:i:i], waiting[i+1:]...)
	}
	rep, err := d.Client.ImportReply(h.ctx, bytes.NewReader(file))
	if err != nil {
		h.fatalf("%s: load a reply: %v", d.Name, err)
	}
	q.stats.loaded++
	if rep.Again || rep.Stale {
		q.stats.stale++
	}
}
