package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/oman-sca/safeer/message"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/internal/testharness/faultproxy"
	"github.com/oman-sca/safeer/sync/protocol"
	"github.com/oman-sca/safeer/vault"
)

var fast = Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Attempts: 4}

func openStore(t testing.TB, opts ...data.Option) *data.Store {
	t.Helper()
	if os.Getenv("SAFEER_TEST_PROTECT") == "1" {
		opts = append(opts, data.WithKDF(vault.Params{Time: 1, MemoryKiB: 64, Threads: 1}))
	}
	s, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "safeer.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if os.Getenv("SAFEER_TEST_PROTECT") == "1" { // the suite with encryption on (issue 14)
		if err := s.Protect(context.Background(), "a long passphrase", nil); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// device is an enrolled store and its client.
func device(t testing.TB, hq *fakeHQ, url string, govs []string, opts ...Option) (*data.Store, *Client) {
	t.Helper()
	return deviceWith(t, hq, url, govs, nil, opts...)
}

func deviceWith(t testing.TB, hq *fakeHQ, url string, govs []string, storeOpts []data.Option, opts ...Option) (*data.Store, *Client) {
	t.Helper()
	s := openStore(t, storeOpts...)
	c := New(s, append([]Option{WithBackoff(fast), WithDeviceName("test")}, opts...)...)
	if url == "" {
		url = hq.URL()
	}
	res, err := c.Enrol(context.Background(), url, hq.code(govs...))
	if err != nil {
		t.Fatal(err)
	}
	if res.Warning != nil {
		t.Fatalf("enrol warning: %+v", res.Warning)
	}
	return s, c
}

func addPerson(t testing.TB, s *data.Store, name, gov string) safeer.Person {
	t.Helper()
	p := safeer.Person{NameEn: name, Governorate: gov}
	if err := s.AddPerson(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustSync(t testing.TB, c *Client) Report {
	t.Helper()
	rep, err := c.Sync(context.Background())
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return rep
}

func outboxLen(t testing.TB, s *data.Store) int {
	t.Helper()
	n, err := s.OutboxLen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEnrolAndSyncTwoDevices(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	a, ca := device(t, hq, "", []string{"OM-MA"})
	b, cb := device(t, hq, "", []string{"OM-MA", "OM-DA"})

	st, _ := a.SyncState(ctx)
	if !st.Enrolled || st.Governorates[0] != "OM-MA" || len(st.HQPublicKey) != 32 || len(st.Endorsement) != 64 {
		t.Fatalf("enrolment %+v", st)
	}
	p := addPerson(t, a, "Salim", "OM-MA")
	addPerson(t, b, "Noor", "OM-DA")
	rep := mustSync(t, ca)
	if rep.Pushed != 1 || rep.Applied != 1 || outboxLen(t, a) != 0 {
		t.Fatalf("report %+v", rep)
	}
	if hq.row("person", p.ID)["name_en"] != "Salim" {
		t.Fatal("HQ does not have the person")
	}
	rep = mustSync(t, cb)
	if rep.Pushed != 1 || rep.Pulled != 2 { // Salim, and Noor back
		t.Fatalf("report %+v", rep)
	}
	if got, err := b.Person(ctx, p.ID); err != nil || got.NameEn != "Salim" {
		t.Fatalf("device B: %+v %v", got, err)
	}
	// A's scope is Muscat only: Noor (Ad Dakhiliyah) does not come.
	rep = mustSync(t, ca)
	if n, _ := a.CountPeople(ctx); n != 1 {
		t.Fatalf("device A has %d people, want 1 (scope)", n)
	}
	if rep.Cursor == "" {
		t.Fatal("no cursor")
	}
	status := ca.Status()
	if !status.Online || status.OpsWaiting != 0 || status.LastSync.IsZero() || status.Problem != nil || status.Running {
		t.Fatalf("status %+v", status)
	}
	log, _ := a.SyncLog(ctx, 10)
	if len(log) != 2 || log[1].Pushed != 1 {
		t.Fatalf("history %+v", log)
	}
	// Out of scope: A may not add a person in Ad Dakhiliyah; the op is
	// rejected, kept, and shown.
	addPerson(t, a, "Huda", "OM-DA")
	rep = mustSync(t, ca)
	if rep.Rejected != 1 || outboxLen(t, a) != 0 || rep.Rejections[0].Code != protocol.CodeOutOfScope {
		t.Fatalf("report %+v", rep)
	}
	if status := ca.Status(); status.RejectedOps != 1 || len(status.Warnings) == 0 || status.Warnings[0].Code != ProblemRejected {
		t.Fatalf("status %+v", status)
	}
}

func TestEnrolBadCodeAndURL(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	s := openStore(t)
	c := New(s, WithBackoff(fast))
	_, err := c.Enrol(ctx, hq.URL(), "NOPE")
	if Classify(err) != ProblemBadCode || !strings.Contains(err.Error(), "code") {
		t.Fatalf("bad code: %v", err)
	}
	if _, err := c.Enrol(ctx, "http://hq.example.om", "X"); Classify(err) != ProblemInsecureURL {
		t.Fatalf("plain http: %v", err)
	}
	if _, err := c.Sync(ctx); Classify(err) != ProblemNotEnrolled {
		t.Fatalf("sync before enrolment: %v", err)
	}
	p := ProblemOf(err)
	if p.Ar == "" || p.En == "" {
		t.Fatalf("problem %+v", p)
	}
}

func TestConflictRoundTrip(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	a, ca := device(t, hq, "", []string{"OM-MA"})
	b, cb := device(t, hq, "", []string{"OM-MA"})
	p := addPerson(t, a, "Aisha", "OM-MA")
	mustSync(t, ca)
	mustSync(t, cb)
	// Both change the phone offline; B edits last.
	pa, _ := a.Person(ctx, p.ID)
	pa.Phone = "91111111"
	if err := a.UpdatePerson(ctx, &pa); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	pb, _ := b.Person(ctx, p.ID)
	pb.Phone = "92222222"
	if err := b.UpdatePerson(ctx, &pb); err != nil {
		t.Fatal(err)
	}
	mustSync(t, cb)
	rep := mustSync(t, ca) // A's edit is older: it loses, and is logged
	if rep.Conflict != 1 {
		t.Fatalf("report %+v", rep)
	}
	if got, _ := a.Person(ctx, p.ID); got.Phone != "+96892222222" {
		t.Fatalf("A's phone %s, want B's newer one", got.Phone)
	}
	list, err := a.Conflicts(ctx, false)
	if err != nil || len(list) != 1 || list[0].Loser != "+96891111111" || list[0].Winner != "+96892222222" {
		t.Fatalf("conflicts on A: %+v %v", list, err)
	}
	if ca.Status().ConflictsWaiting != 1 {
		t.Fatalf("status %+v", ca.Status())
	}
	// A coordinator on B takes the losing value; it syncs everywhere.
	mustSync(t, cb)
	if err := b.ResolveConflict(ctx, list[0].ID, data.TakeLoser); err != nil {
		t.Fatal(err)
	}
	mustSync(t, cb)
	mustSync(t, ca)
	if hq.row("person", p.ID)["phone"] != "+96891111111" {
		t.Fatalf("HQ phone %v", hq.row("person", p.ID)["phone"])
	}
	if got, _ := a.Person(ctx, p.ID); got.Phone != "+96891111111" {
		t.Fatalf("A's phone %s after resolution", got.Phone)
	}
	if list, _ := a.Conflicts(ctx, false); len(list) != 0 {
		t.Fatalf("A still has open conflicts %+v", list)
	}
}

func TestRetryClassification(t *testing.T) {
	tests := []struct {
		err       error
		retryable bool
		code      string
	}{
		{&TransportError{Op: "push", Err: errors.New("connection reset")}, true, ProblemUnreachable},
		{&TransportError{Op: "push", Err: context.DeadlineExceeded, Timeout: true}, true, ProblemTimeout},
		{&TransportError{Op: "ping", Err: &net.OpError{Op: "dial", Err: errors.New("refused")}}, true, ProblemUnreachable},
		{&HTTPError{Status: 500}, true, ProblemServer},
		{&HTTPError{Status: 503}, true, ProblemServer},
		{&HTTPError{Status: 400, Code: protocol.ErrBadRequest}, false, ProblemProtocol},
		{&HTTPError{Status: 413, Code: protocol.ErrTooLarge}, false, ProblemProtocol},
		{&HTTPError{Status: 429}, false, ProblemProtocol},
		{&HTTPError{Status: 401, Code: protocol.ErrDeviceRevoked}, false, ProblemRevoked},
		{&HTTPError{Status: 401, Code: protocol.ErrUnauthorized}, false, ProblemUnauthorized},
		{&HTTPError{Status: 409, Code: protocol.ErrMustResync}, false, ProblemResync},
		{&HTTPError{Status: 403, Code: protocol.ErrBadCode}, false, ProblemBadCode},
		{fmt.Errorf("apply: %w", protocol.ErrClockSkew), false, ProblemClockSkew},
		{context.Canceled, false, ProblemCancelled},
		{local(errors.New("disk full")), false, ProblemDatabase},
		{&ProtocolError{Op: "pull", Err: errors.New("bad json")}, false, ProblemProtocol},
		{ErrRevoked, false, ProblemRevoked},
	}
	for _, tt := range tests {
		if got := Retryable(tt.err); got != tt.retryable {
			t.Errorf("Retryable(%v) = %v", tt.err, got)
		}
		if got := Classify(tt.err); got != tt.code {
			t.Errorf("Classify(%v) = %s, want %s", tt.err, got, tt.code)
		}
		p := Describe(tt.err)
		if p.En == "" || p.Ar == "" || strings.Contains(p.En, "%d") || strings.Contains(p.Ar, "%d") {
			t.Errorf("Describe(%v) = %+v", tt.err, p)
		}
	}
	if p := Describe(&HTTPError{Status: 503}); !strings.Contains(p.En, "503") || !strings.Contains(p.Ar, "503") {
		t.Errorf("server problem without the status: %+v", p)
	}
	for _, code := range problems {
		if w := Words(code); strings.Contains(w.En, "%d") || strings.Contains(w.Ar, "%d") {
			t.Errorf("Words(%s) keeps a placeholder", code)
		}
		// Every problem has its own words in the catalogue, with and
		// without the status, placeholders filled.
		for _, status := range []int{0, 502} {
			m := Problem{Code: code, Status: status}.Message()
			if m.Code != message.Code("sync."+code) && m.Code != message.Code("sync."+code+".status") {
				t.Errorf("problem %s (status %d) says %s", code, status, m.Code)
			}
			if en, ar := m.English(), m.Arabic(); strings.Contains(en+ar, "{") || en == ar {
				t.Errorf("problem %s (status %d) in words: %q / %q", code, status, en, ar)
			}
		}
	}
	if w := Words("no_such_problem"); w.Code != "no_such_problem" || w.En != Words(ProblemUnknown).En {
		t.Errorf("an unknown code reads %+v", w)
	}
	if p := Describe(&HTTPError{Status: 503}); p.Ar != "حدثت مشكلة لدى المقر (خطأ \u2066503\u2069). تغييراتك محفوظة وسيحاول سفير مرة أخرى لاحقاً." {
		t.Errorf("the status in Arabic is not a left-to-right isolate: %q", p.Ar)
	}
	if m, ok := message.Find(wrap(&HTTPError{Status: 500})); !ok || m.Code != "sync.server.status" {
		t.Errorf("a failed run carries %v %v", m, ok)
	}
}

func TestBackoffIsCappedWithFullJitter(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Max: time.Second, Attempts: 10}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for n, w := range want {
		if got := b.Cap(n); got != w*time.Millisecond {
			t.Errorf("Cap(%d) = %v, want %v", n, got, w*time.Millisecond)
		}
		if d := b.Delay(n, 0); d != 0 {
			t.Errorf("Delay(%d, 0) = %v", n, d)
		}
		if d := b.Delay(n, 0.999); d > b.Cap(n) || d < b.Cap(n)*99/100 {
			t.Errorf("Delay(%d, .999) = %v", n, d)
		}
	}
}

// recordSleeps makes retries instant and records their waits.
type recordSleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recordSleeps) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

func TestRetriesOn5xxButNot4xx(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	var rs recordSleeps
	a, ca := device(t, hq, "", []string{"OM-MA"}, WithBackoff(Backoff{Base: time.Second, Max: 8 * time.Second, Attempts: 5}),
		withSleep(rs.sleep), withRand(func() float64 { return 0.5 }))
	addPerson(t, a, "Salim", "OM-MA")
	hq.failPush = []int{503, 502}
	rep := mustSync(t, ca)
	if rep.Applied != 1 || len(hq.pushSizes) != 3 {
		t.Fatalf("report %+v after %d pushes", rep, len(hq.pushSizes))
	}
	if len(rs.waits) != 2 || rs.waits[0] != 500*time.Millisecond || rs.waits[1] != time.Second {
		t.Fatalf("waits %v, want 0.5s then 1s (half of the capped exponential)", rs.waits)
	}
	// A 4xx is an answer: not retried; the op stays queued.
	addPerson(t, a, "Noor", "OM-MA")
	hq.failPush = []int{400}
	before := len(hq.pushSizes)
	_, err := ca.Sync(ctx)
	if Classify(err) != ProblemProtocol || len(hq.pushSizes) != before+1 || outboxLen(t, a) != 1 {
		t.Fatalf("4xx: %v, %d pushes, outbox %d", err, len(hq.pushSizes)-before, outboxLen(t, a))
	}
	// Persistent 5xx: gives up after Attempts, keeps everything, says so.
	hq.failPush = []int{500, 500, 500, 500, 500}
	clock := a.Clock()
	_, err = ca.Sync(ctx)
	if Classify(err) != ProblemServer || outboxLen(t, a) != 1 || a.Clock() != clock {
		t.Fatalf("5xx: %v, outbox %d, clock moved %v", err, outboxLen(t, a), a.Clock() != clock)
	}
	st := ca.Status()
	if st.Problem == nil || st.Problem.Code != ProblemServer || !strings.Contains(st.Problem.En, "500") || st.Problem.Ar == "" {
		t.Fatalf("status %+v", st)
	}
	hq.failPush = nil
	mustSync(t, ca)
	if outboxLen(t, a) != 0 || ca.Status().Problem != nil {
		t.Fatalf("after recovery: outbox %d, %+v", outboxLen(t, a), ca.Status())
	}
}

func TestMustResyncKeepsOutbox(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	a, ca := device(t, hq, "", []string{"OM-MA"})
	b, cb := device(t, hq, "", []string{"OM-MA"})
	p1 := addPerson(t, b, "One", "OM-MA")
	mustSync(t, cb)
	mustSync(t, ca)
	// HQ is restored from a backup: a new epoch. A has an unsent edit.
	hq.restore(1 << 40)
	p2 := addPerson(t, a, "Two", "OM-MA")
	rep := mustSync(t, ca)
	if !rep.Resynced || outboxLen(t, a) != 0 || hq.row("person", p2.ID) == nil {
		t.Fatalf("report %+v; outbox %d", rep, outboxLen(t, a))
	}
	if last := hq.cursors[len(hq.cursors)-1]; last != "" {
		t.Fatalf("last pull from %q, want a full pull", last)
	}
	if n, _ := a.CountPeople(ctx); n != 2 {
		t.Fatalf("A has %d people", n)
	}
	if _, err := a.Person(ctx, p1.ID); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.SyncState(ctx); !strings.HasPrefix(st.Cursor, hq.epoch+".") {
		t.Fatalf("cursor %q not in the new epoch %s", st.Cursor, hq.epoch)
	}
	// A failing push during the resync keeps the outbox too.
	hq.restore(1 << 40)
	addPerson(t, a, "Three", "OM-MA")
	hq.failPush = []int{500, 500, 500, 500}
	if _, err := ca.Sync(ctx); Classify(err) != ProblemServer {
		t.Fatalf("sync: %v", err)
	}
	if outboxLen(t, a) != 1 {
		t.Fatalf("outbox %d after a failed push", outboxLen(t, a))
	}
	_ = b
}

func TestRevokedStopsAndKeepsOutbox(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	a, ca := device(t, hq, "", []string{"OM-MA"})
	addPerson(t, a, "Salim", "OM-MA")
	hq.revoke(a.DeviceID())
	_, err := ca.Sync(ctx)
	if Classify(err) != ProblemRevoked {
		t.Fatalf("sync of a revoked device: %v", err)
	}
	if outboxLen(t, a) != 1 {
		t.Fatal("the outbox was touched")
	}
	if n, _ := a.CountPeople(ctx); n != 1 {
		t.Fatal("data was touched")
	}
	st := ca.Status()
	if !st.Revoked || st.Problem == nil || st.Problem.Code != ProblemRevoked || !strings.Contains(st.Problem.Ar, "ألغى") {
		t.Fatalf("status %+v", st)
	}
	// It stays stopped, without asking HQ again, in this process or the next.
	n := hq.reqs(protocol.PathPush) + hq.reqs(protocol.PathPing)
	if _, err := ca.Sync(ctx); Classify(err) != ProblemRevoked {
		t.Fatalf("second sync: %v", err)
	}
	c2 := New(a)
	if _, err := c2.Sync(ctx); Classify(err) != ProblemRevoked {
		t.Fatalf("new client: %v", err)
	}
	if hq.reqs(protocol.PathPush)+hq.reqs(protocol.PathPing) != n {
		t.Fatal("a revoked device kept calling HQ")
	}
	if s, _ := c2.Refresh(ctx); !s.Revoked {
		t.Fatal("status after restart does not say revoked")
	}
	sch, err := ca.StartScheduler(ScheduleOptions{Every: 20 * time.Millisecond, Watch: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	sch.Stop()
	if !sch.Paused() || hq.reqs(protocol.PathPush)+hq.reqs(protocol.PathPing) != n {
		t.Fatal("the scheduler kept syncing a revoked device")
	}
}

func TestCutLinksCreateNoDuplicates(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	px, err := faultproxy.Start(strings.TrimPrefix(hq.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	a, ca := device(t, hq, px.URL(), []string{"OM-MA"})
	for i := range 5 {
		addPerson(t, a, fmt.Sprintf("P%d", i), "OM-MA")
	}
	// The ping passes; the push's reply is lost after HQ applied it; the
	// retry's request is cut mid-way; the third try gets through.
	px.OnPath(protocol.PathPush, 1, faultproxy.CutReply(0))
	px.OnPath(protocol.PathPush, 2, faultproxy.CutRequest(300))
	rep := mustSync(t, ca)
	if rep.Duplicate != 5 || rep.Applied != 0 || outboxLen(t, a) != 0 {
		t.Fatalf("report %+v", rep)
	}
	if hq.count("person") != 5 || len(hq.applied) != 5 {
		t.Fatalf("HQ has %d people for 5 ops", hq.count("person"))
	}
	// A pull cut mid-reply is retried and applied once.
	b, cb := device(t, hq, px.URL(), []string{"OM-MA"})
	px.OnPath(protocol.PathPull, 1, faultproxy.CutReply(200))
	rep = mustSync(t, cb)
	if rep.Pulled != 5 {
		t.Fatalf("report %+v", rep)
	}
	if n, _ := b.CountPeople(ctx); n != 5 {
		t.Fatalf("B has %d people", n)
	}
	if px.Cuts() != 3 {
		t.Fatalf("%d cuts happened, want 3", px.Cuts())
	}
}

func TestPullResumesAfterCut(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	a, ca := device(t, hq, "", []string{"OM-MA"})
	for i := range 5 {
		addPerson(t, a, fmt.Sprintf("P%d", i), "OM-MA")
	}
	mustSync(t, ca)
	px, _ := faultproxy.Start(strings.TrimPrefix(hq.URL(), "http://"))
	defer px.Close()
	b, cb := device(t, hq, px.URL(), []string{"OM-MA"}, WithPullLimit(2), WithBackoff(Backoff{Attempts: 1}))
	// Page 1 passes, page 2's reply is cut 100 bytes in (by path, not by
	// the order of requests: the ping and any other request pass).
	px.OnPath(protocol.PathPull, 2, faultproxy.CutReply(100))
	if _, err := cb.Sync(ctx); Classify(err) != ProblemUnreachable {
		t.Fatalf("cut sync: %v", err)
	}
	st, _ := b.SyncState(ctx)
	if n, _ := b.CountPeople(ctx); n != 2 || st.Cursor == "" || px.Cuts() != 1 {
		t.Fatalf("after the cut: %d people, cursor %q, %d cuts", n, st.Cursor, px.Cuts())
	}
	hq.cursors = nil
	rep := mustSync(t, cb)
	if hq.cursors[0] != st.Cursor || rep.Pulled != 3 {
		t.Fatalf("resumed from %q (want %q), pulled %d", hq.cursors[0], st.Cursor, rep.Pulled)
	}
	if n, _ := b.CountPeople(ctx); n != 5 {
		t.Fatalf("%d people", n)
	}
}

func TestTimedOutBatchIsHalved(t *testing.T) {
	hq := newFakeHQ(t)
	a, ca := device(t, hq, "", []string{"OM-MA"}, WithTimeouts(Timeouts{Ping: time.Second, Enrol: time.Second, Push: 200 * time.Millisecond, Pull: time.Second}))
	for i := range 40 {
		addPerson(t, a, fmt.Sprintf("P%d", i), "OM-MA")
	}
	hq.slowAbove, hq.slowFor = 12, 2*time.Second // a link that cannot carry big batches in time
	rep := mustSync(t, ca)
	if rep.Applied != 40 || outboxLen(t, a) != 0 {
		t.Fatalf("report %+v", rep)
	}
	// 40 timed out, 20 timed out, then batches of 10.
	want := []int{40, 20, 10, 10, 10, 10}
	if fmt.Sprint(hq.pushSizes) != fmt.Sprint(want) {
		t.Fatalf("push sizes %v, want %v", hq.pushSizes, want)
	}
}

func TestBatchesAreBoundedByBytes(t *testing.T) {
	s := openStore(t)
	big := strings.Repeat("ن", 2000) // 4 KB of notes per op
	for i := range 80 {
		p := safeer.Person{NameEn: fmt.Sprint("P", i), Governorate: "OM-MA", Notes: big}
		if err := s.AddPerson(context.Background(), &p); err != nil {
			t.Fatal(err)
		}
	}
	ops, _ := s.Outbox(context.Background(), 0, protocol.MaxBatchOps)
	b := batchOf(ops, 1<<62, protocol.MaxBatchOps)
	if len(b) == 0 || len(b) >= 80 {
		t.Fatalf("batch of %d ops", len(b))
	}
	size := 0
	for _, o := range b {
		size += len(mustJSON(o.Op)) + 1
	}
	if size > protocol.MaxBatchBytes {
		t.Fatalf("batch of %d bytes", size)
	}
	if b := batchOf(ops, ops[3].Seq, protocol.MaxBatchOps); len(b) != 4 {
		t.Fatalf("batch past the newest op at start: %d", len(b))
	}
}

func TestSlowDeviceEditAfterPullWins(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	a, ca := device(t, hq, "", []string{"OM-MA"})
	// This laptop's clock is four days slow (a flat clock battery).
	slow := func() time.Time { return time.Now().Add(-96 * time.Hour) }
	b, cb := deviceWith(t, hq, "", []string{"OM-MA"}, []data.Option{data.WithClock(slow)})
	p := addPerson(t, a, "Hamad", "OM-MA")
	mustSync(t, ca)
	rep := mustSync(t, cb)
	if len(rep.Warnings) != 0 {
		t.Fatalf("warnings %+v", rep.Warnings)
	}
	if off := b.ClockOffset(); off < 95*time.Hour || off > 97*time.Hour {
		t.Fatalf("clock offset %v, want about 96h", off)
	}
	// A renames him; then B, days slow but after pulling, renames him again.
	pa, _ := a.Person(ctx, p.ID)
	pa.NameEn = "Hamad Al Kindi"
	a.UpdatePerson(ctx, &pa)
	mustSync(t, ca)
	mustSync(t, cb)
	pb, _ := b.Person(ctx, p.ID)
	if pb.NameEn != "Hamad Al Kindi" {
		t.Fatalf("B did not get A's edit: %q", pb.NameEn)
	}
	pb.NameEn = "Hamad bin Said"
	if err := b.UpdatePerson(ctx, &pb); err != nil {
		t.Fatal(err)
	}
	rep = mustSync(t, cb)
	if rep.Applied != 1 {
		t.Fatalf("report %+v", rep)
	}
	if got := hq.row("person", p.ID)["name_en"]; got != "Hamad bin Said" {
		t.Fatalf("HQ has %q: the slow device's later edit lost", got)
	}
	mustSync(t, ca)
	if got, _ := a.Person(ctx, p.ID); got.NameEn != "Hamad bin Said" {
		t.Fatalf("A has %q", got.NameEn)
	}
}

// A laptop whose clock runs ahead stamps its offline edits in the future;
// HQ refuses stamps more than protocol.MaxAhead ahead of its clock. The edits
// are not lost: with the offset measured from HQ's reply, the device moves
// them back to HQ's time before it pushes, and says its clock was ahead.
func TestFutureDeviceRestampsInsteadOfLosingEdits(t *testing.T) {
	hq := newFakeHQ(t)
	ahead := func() time.Time { return time.Now().Add(72 * time.Hour) }
	// Its stamps were made before it ever talked to HQ.
	a := openStore(t, data.WithClock(ahead))
	p := addPerson(t, a, "Future", "OM-MA")
	ca := New(a, WithBackoff(fast))
	if _, err := ca.Enrol(context.Background(), hq.URL(), hq.code("OM-MA")); err != nil {
		t.Fatal(err)
	}
	rep, err := ca.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected != 0 || rep.Applied != 1 {
		t.Fatalf("report %+v", rep)
	}
	found := false
	for _, w := range rep.Warnings {
		found = found || w.Code == ProblemClockAhead
	}
	if !found {
		t.Fatalf("no clock warning in %+v", rep.Warnings)
	}
	if got := hq.row("person", p.ID)["name_en"]; got != "Future" {
		t.Fatalf("HQ has %q", got)
	}
	// A later edit still wins over the re-stamped one (order kept).
	p2, _ := a.Person(context.Background(), p.ID)
	p2.NameEn = "Future, corrected"
	if err := a.UpdatePerson(context.Background(), &p2); err != nil {
		t.Fatal(err)
	}
	if rep := mustSync(t, ca); rep.Applied != 1 || rep.Rejected != 0 {
		t.Fatalf("second sync %+v", rep)
	}
	if got := hq.row("person", p.ID)["name_en"]; got != "Future, corrected" {
		t.Fatalf("HQ has %q after the later edit", got)
	}
}

func TestStatusProgressAndSubscribe(t *testing.T) {
	hq := newFakeHQ(t)
	a, ca := device(t, hq, "", []string{"OM-MA"})
	for i := range 3 {
		addPerson(t, a, fmt.Sprint("P", i), "OM-MA")
	}
	ch, stop := ca.Subscribe()
	var seen []Status
	done := make(chan struct{})
	go func() {
		for s := range ch {
			seen = append(seen, s)
		}
		close(done)
	}()
	mustSync(t, ca)
	time.Sleep(20 * time.Millisecond)
	stop()
	<-done
	phases := map[string]bool{}
	running := false
	for _, s := range seen {
		phases[s.Progress.Phase] = true
		running = running || s.Running
	}
	if !running || len(seen) < 3 {
		t.Fatalf("statuses %+v", seen)
	}
	last := seen[len(seen)-1]
	if last.Running || last.OpsWaiting != 0 || !last.Online || last.LastSync.IsZero() {
		t.Fatalf("last status %+v", last)
	}
	if st := ca.Status(); st.Progress != (Progress{}) {
		t.Fatalf("progress after the run %+v", st.Progress)
	}
}

func TestSchedulerComesBackWhenHQDoes(t *testing.T) {
	hq := newFakeHQ(t)
	px, _ := faultproxy.Start(strings.TrimPrefix(hq.URL(), "http://"))
	defer px.Close()
	a, ca := device(t, hq, px.URL(), []string{"OM-MA"}, WithTimeouts(Timeouts{Ping: 200 * time.Millisecond, Enrol: time.Second, Push: time.Second, Pull: time.Second}))
	px.SetDown(true)
	addPerson(t, a, "Offline", "OM-MA")
	sch, err := ca.StartScheduler(ScheduleOptions{Every: time.Hour, Watch: 20 * time.Millisecond, WatchMax: 80 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sch.Stop()
	waitFor(t, "HQ seen offline", func() bool { return ca.Status().Offline() })
	if outboxLen(t, a) != 1 {
		t.Fatal("outbox")
	}
	px.SetDown(false)
	// The periodic job is an hour away: the watcher must start the run.
	var log []data.SyncRun
	waitFor(t, "sync after HQ is back", func() bool {
		log, _ = a.SyncLog(context.Background(), 10)
		return len(log) > 0 && log[0].ErrorCode == ""
	})
	if hq.count("person") != 1 || outboxLen(t, a) != 0 {
		t.Fatal("HQ did not get the person")
	}
	if log[0].Trigger != TriggerReconnect {
		t.Fatalf("history %+v", log)
	}
	// Sync now.
	addPerson(t, a, "Now", "OM-MA")
	sch.SyncNow()
	waitFor(t, "sync now", func() bool { return outboxLen(t, a) == 0 })
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSlowLinkStillSyncs(t *testing.T) {
	hq := newFakeHQ(t)
	px, _ := faultproxy.Start(strings.TrimPrefix(hq.URL(), "http://"))
	defer px.Close()
	a, ca := device(t, hq, px.URL(), []string{"OM-MA"})
	for i := range 20 {
		addPerson(t, a, fmt.Sprint("P", i), "OM-MA")
	}
	px.Always(faultproxy.Slow(20<<10, 30*time.Millisecond)) // 20 KB/s, 30 ms latency
	start := time.Now()
	rep := mustSync(t, ca)
	if rep.Applied != 20 || time.Since(start) < 60*time.Millisecond {
		t.Fatalf("report %+v in %v", rep, time.Since(start))
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func TestRestoredHQGetsBackWhatItLost(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	a, ca := device(t, hq, "", []string{"OM-MA"})
	b, cb := device(t, hq, "", []string{"OM-MA"})
	p1 := addPerson(t, a, "Before the backup", "OM-MA")
	mustSync(t, ca)
	backup := hq.seq
	p2 := addPerson(t, a, "After the backup", "OM-MA")
	p1.Phone = "92222222"
	if err := a.UpdatePerson(ctx, &p1); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ca) // acknowledged: both leave A's outbox
	if outboxLen(t, a) != 0 {
		t.Fatal("outbox")
	}
	// HQ is restored from the backup: it lost p2 and p1's phone.
	hq.restore(backup)
	if hq.row("person", p2.ID) != nil {
		t.Fatal("restore kept p2")
	}
	rep := mustSync(t, ca)
	if !rep.Resynced || rep.Requeued == 0 || outboxLen(t, a) != 0 {
		t.Fatalf("report %+v, outbox %d", rep, outboxLen(t, a))
	}
	if hq.row("person", p2.ID)["name_en"] != "After the backup" || hq.row("person", p1.ID)["phone"] != "+96892222222" {
		t.Fatalf("HQ after the resync: p1 %v, p2 %v", hq.row("person", p1.ID), hq.row("person", p2.ID))
	}
	// Another device, also behind the restore, converges too.
	mustSync(t, cb)
	if got, err := b.Person(ctx, p2.ID); err != nil || got.NameEn != "After the backup" {
		t.Fatalf("B: %+v %v", got, err)
	}
	if got, _ := b.Person(ctx, p1.ID); got.Phone != "+96892222222" {
		t.Fatalf("B's p1 phone %q", got.Phone)
	}
}

// TestRestoredBackupHasNoToken: a backup of an enrolled device holds no
// sync token. Opened, its client does not send anything: sync, ping and
// HQ's status fail with token_missing, whose words (English and Arabic)
// say it is a restored backup and what to do; the status shows it, and
// the scheduler stays paused.
func TestRestoredBackupHasNoToken(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	a, ca := device(t, hq, "", []string{"OM-MA"})
	addPerson(t, a, "Aisha", "OM-MA")
	mustSync(t, ca)
	addPerson(t, a, "Maryam", "OM-MA") // unsent when the backup is made
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := a.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	r, err := data.Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := New(r, WithBackoff(fast))
	_, err = c.Sync(ctx)
	if Classify(err) != ProblemTokenMissing {
		t.Fatalf("sync of a restored backup: %v", err)
	}
	p := ProblemOf(err)
	if !strings.Contains(p.En, "backup") || !strings.Contains(p.Ar, "نسخة احتياطية") || !strings.Contains(p.En, "HQ") {
		t.Fatalf("problem %+v", p)
	}
	if err := c.Ping(ctx); Classify(err) != ProblemTokenMissing {
		t.Fatalf("ping: %v", err)
	}
	if _, err := c.HQStatus(ctx); Classify(err) != ProblemTokenMissing {
		t.Fatalf("HQ status: %v", err)
	}
	st, err := c.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Enrolled || st.Problem == nil || st.Problem.Code != ProblemTokenMissing || st.OpsWaiting != 1 {
		t.Fatalf("status %+v", st)
	}
	if !paused(st) {
		t.Fatal("scheduler not paused for a device without token")
	}
	// The original device still syncs.
	if rep := mustSync(t, ca); rep.Pushed != 1 {
		t.Fatalf("original device: %+v", rep)
	}
}

// TestSchedulerWaitsWhileLocked: while an encrypted store is locked (the
// app's idle lock), background runs do not start: they could read neither
// the token nor the queued edits, and would fill the history with
// failures. Once unlocked, the watcher's next look starts a run that sends
// what was queued.
func TestSchedulerWaitsWhileLocked(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	a, ca := deviceWith(t, hq, "", []string{"OM-MA"}, []data.Option{data.WithKDF(vault.Params{Time: 1, MemoryKiB: 64, Threads: 1})})
	const pass = "a long passphrase" // openStore's, under SAFEER_TEST_PROTECT=1
	if !a.Protected() {
		if err := a.Protect(ctx, pass, nil); err != nil {
			t.Fatal(err)
		}
	}
	p := safeer.Person{NameEn: "Queued before the lock", Governorate: "OM-MA", Phone: "+96891234567"}
	if err := a.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	a.Lock()
	// No run at start and none periodic: the test calls the scheduler's
	// two entries itself, so only they can start a run.
	sch, err := ca.StartScheduler(ScheduleOptions{Every: time.Hour, Watch: time.Hour, NoStartRun: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sch.Stop()
	if !sch.lockedSeen.Load() {
		t.Fatal("a scheduler started on a locked store does not know it was locked")
	}
	sch.scheduled()
	if n := hq.reqs(protocol.PathPush); n != 0 {
		t.Fatalf("a locked store pushed %d times", n)
	}
	if log, err := a.SyncLog(ctx, 10); err != nil || len(log) != 0 {
		t.Fatalf("a locked store's history: %+v %v", log, err)
	}
	sch.watch() // the watcher sees the lock, and starts nothing
	if n := hq.reqs(protocol.PathPush); n != 0 {
		t.Fatalf("a locked store pushed %d times", n)
	}
	if err := a.Unlock(ctx, pass); err != nil {
		t.Fatal(err)
	}
	// The watcher's next look, not the periodic run an hour away, sends
	// what waited behind the lock.
	sch.watch()
	var log []data.SyncRun
	waitFor(t, "the run after unlocking", func() bool {
		log, _ = a.SyncLog(ctx, 10)
		return len(log) > 0
	})
	if len(log) != 1 || log[0].Trigger != TriggerUnlock || log[0].ErrorCode != "" {
		t.Fatalf("history after unlocking: %+v", log)
	}
	if hq.count("person") != 1 || outboxLen(t, a) != 0 {
		t.Fatal("the run after unlocking did not send the queued person")
	}
	if got := hq.row("person", p.ID)["phone"]; got != "+96891234567" {
		t.Fatalf("HQ got the phone as %q", got)
	}
}
