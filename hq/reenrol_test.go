package hq_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/protocol"
)

// A laptop restored from a backup has no token (backups never hold one)
// and enrols again with a new code, as the device it was: proving its key
// gets it a new token and the new code's governorates, and the old token
// stops working. Another key, or a revoked device, gets nothing.
func TestReenrolAfterRestore(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		pub, key, _ := ed25519.GenerateKey(rand.Reader)
		id := uuid.NewString()
		var first protocol.EnrolResponse
		if st := e.signedEnrol(protocol.EnrolRequest{Code: e.code("OM-MA"), DeviceID: id, PublicKey: pub}, key, &first); st != 200 {
			t.Fatalf("first enrolment: %d", st)
		}
		var again protocol.EnrolResponse
		if st := e.signedEnrol(protocol.EnrolRequest{Code: e.code("OM-MA", "OM-DA"), DeviceID: id, PublicKey: pub}, key, &again); st != 200 {
			t.Fatalf("enrolling again with the same key: %d", st)
		}
		if again.Token == "" || again.Token == first.Token || len(again.Governorates) != 2 {
			t.Fatalf("again: %+v", again)
		}
		var status protocol.StatusResponse
		if st := e.do(http.MethodGet, protocol.PathStatus, first.Token, nil, &status); st != http.StatusUnauthorized {
			t.Errorf("the old token after enrolling again: %d", st)
		}
		if st := e.do(http.MethodGet, protocol.PathStatus, again.Token, nil, &status); st != 200 || status.DeviceID != id {
			t.Errorf("the new token: %d %+v", st, status)
		}
		// Someone else's key under this device's id: refused.
		otherPub, otherKey, _ := ed25519.GenerateKey(rand.Reader)
		var er protocol.ErrorResponse
		if st := e.signedEnrol(protocol.EnrolRequest{Code: e.code("OM-MA"), DeviceID: id, PublicKey: otherPub}, otherKey, &er); st != 400 || er.Message == "" {
			t.Errorf("another key: %d %+v", st, er)
		}
		// A revoked device stays revoked.
		if _, err := hq.RevokeDevice(ctx, e.store, id, hq.CLI, e.clock()); err != nil {
			t.Fatal(err)
		}
		if st := e.signedEnrol(protocol.EnrolRequest{Code: e.code("OM-MA"), DeviceID: id, PublicKey: pub}, key, &er); st != 403 || er.Error != protocol.ErrDeviceRevoked {
			t.Errorf("a revoked device enrolling again: %d %+v", st, er)
		}
		log, err := e.store.AuditLog(ctx, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range log {
			found = found || (a.Action == "device.reenrol" && a.Target == id)
		}
		if !found {
			t.Error("no audit entry for the second enrolment")
		}
	})
}
