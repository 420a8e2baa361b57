package hq_test

import (
	"bytes"
	"crypto/ed25519"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/client"
)

// TestClientEnrolsThroughALostReply: the real client against the real HQ.
// The first enrolment's reply is lost after HQ stored the device, so the
// client tries again, with a fresh challenge signed by its key, and HQ
// takes it as the same device's retry: the device ends up enrolled with
// the key in its key file, and syncs with the token it got.
func TestClientEnrolsThroughALostReply(t *testing.T) {
	databases(t, func(t *testing.T, newDB newDatabase) {
		h, err := synccheck.StartHQ(ctx, newDB(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(h.Close)
		st, err := data.Open(ctx, filepath.Join(t.TempDir(), "device.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		flaky := synccheck.NewFlaky()
		c := client.New(st, client.WithLogger(synccheck.Quiet), client.WithHTTPClient(&http.Client{Transport: flaky}),
			client.WithBackoff(client.Backoff{Base: time.Millisecond, Max: 4 * time.Millisecond, Attempts: 3}))
		code, err := h.Code(ctx, ma)
		if err != nil {
			t.Fatal(err)
		}
		// ping, challenge, enrol (its reply lost), then the retry.
		flaky.Plan(synccheck.Pass, synccheck.Pass, synccheck.LoseReply)
		res, err := c.Enrol(ctx, h.URL(), code)
		if err != nil {
			t.Fatalf("enrol through a lost reply: %v", err)
		}
		if flaky.Cuts() != 1 || res.Warning != nil {
			t.Fatalf("%d exchanges broken, warning %+v", flaky.Cuts(), res.Warning)
		}
		key, err := certificate.LoadOrCreateKey(st.KeyPath())
		if err != nil {
			t.Fatal(err)
		}
		devs, err := h.Store().Devices(ctx)
		if err != nil || len(devs) != 1 || devs[0].ID != st.DeviceID() || !bytes.Equal(devs[0].PublicKey, key.Public().(ed25519.PublicKey)) {
			t.Fatalf("HQ's devices: %+v %v, want this device with its key", devs, err)
		}
		p := safeer.Person{NameEn: "Salim", Governorate: ma}
		if err := st.AddPerson(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if rep, err := c.Sync(ctx); err != nil || rep.Pushed != 1 {
			t.Fatalf("sync after enrolling: %+v %v", rep, err)
		}
	})
}
