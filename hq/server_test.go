package hq_test

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/protocol"
)

func TestPingNeedsNoAuth(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		var out map[string]any
		if st := e.do(http.MethodGet, protocol.PathPing, "", nil, &out); st != 200 || out["ok"] != true {
			t.Fatalf("ping: %d %v", st, out)
		}
	})
}

func TestUnknownPathAndMethodAreJSON(t *testing.T) {
	e := newEnv(t, sqliteStore(t))
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{http.MethodGet, "/v1/nothing", 404, "not_found"},
		{http.MethodGet, protocol.PathPush, 405, "method_not_allowed"},
		{http.MethodPost, protocol.PathPull, 405, "method_not_allowed"},
		{http.MethodGet, protocol.PathEnrol, 405, "method_not_allowed"},
		{http.MethodGet, protocol.PathEnrolChallenge, 405, "method_not_allowed"},
	} {
		var er protocol.ErrorResponse
		if st := e.do(tc.method, tc.path, "", nil, &er); st != tc.status || er.Error != tc.code {
			t.Errorf("%s %s = %d %+v, want %d %s", tc.method, tc.path, st, er, tc.status, tc.code)
		}
	}
}

func TestAuth(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		good := e.enrol("OM-MA")
		revoked := e.enrol("OM-MA")
		if _, err := hq.RevokeDevice(ctx, e.store, revoked.id, hq.CLI, e.clock()); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			header string
			status int
			code   string
		}{
			{"missing", "", 401, protocol.ErrUnauthorized},
			{"not bearer", "Basic " + good.token, 401, protocol.ErrUnauthorized},
			{"empty bearer", "Bearer ", 401, protocol.ErrUnauthorized},
			{"unknown token", "Bearer " + strings.Repeat("A", 43), 401, protocol.ErrUnauthorized},
			{"overlong token", "Bearer " + strings.Repeat("A", 5000), 401, protocol.ErrUnauthorized},
			{"revoked", "Bearer " + revoked.token, 401, protocol.ErrDeviceRevoked},
			{"good", "Bearer " + good.token, 200, ""},
			{"good, lower-case scheme", "bearer " + good.token, 200, ""},
		}
		for _, tc := range tests {
			for _, path := range []string{protocol.PathPull, protocol.PathPush} {
				method, body := http.MethodGet, []byte(nil)
				if path == protocol.PathPush {
					method, body = http.MethodPost, []byte(`{"ops":[]}`)
				}
				req, _ := http.NewRequest(method, e.http.URL+path, bytes.NewReader(body))
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				var er protocol.ErrorResponse
				if st := e.send(req, &er); st != tc.status || er.Error != tc.code {
					t.Errorf("%s %s: %d %q, want %d %q", tc.name, path, st, er.Error, tc.status, tc.code)
				}
			}
		}
	})
}

func TestEnrol(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		pub, key, _ := ed25519.GenerateKey(rand.Reader)
		code := e.code("OM-MA", "om-da")
		req := protocol.EnrolRequest{Code: strings.ToLower(code), DeviceID: uuid.NewString(), Name: "Sohar laptop"}

		var resp protocol.EnrolResponse
		if st := e.signedEnrol(req, key, &resp); st != 200 {
			t.Fatalf("enrol: %d", st)
		}
		if resp.DeviceID != req.DeviceID || !slices.Equal(resp.Governorates, []string{"OM-DA", "OM-MA"}) || resp.Token == "" {
			t.Fatalf("enrol reply %+v", resp)
		}
		hqPub := e.key.Public().(ed25519.PublicKey)
		if !bytes.Equal(resp.HQPublicKey, hqPub) || !certificate.VerifyEndorsement(hqPub, req.DeviceID, pub, resp.Endorsement) {
			t.Fatal("the endorsement does not verify with HQ's key")
		}
		devs, _ := e.store.Devices(ctx)
		if len(devs) != 1 || bytes.Contains(devs[0].TokenHash, []byte(resp.Token)) || !bytes.Equal(devs[0].TokenHash, hq.HashToken(resp.Token)) {
			t.Fatalf("HQ must store the token's hash only: %+v", devs)
		}

		// The reply was lost: the same device retries and gets a new
		// token; the first one no longer works.
		var again protocol.EnrolResponse
		if st := e.signedEnrol(req, key, &again); st != 200 || again.Token == resp.Token {
			t.Fatalf("retry by the same device: %d %+v", st, again)
		}
		var er protocol.ErrorResponse
		if st := e.do(http.MethodGet, protocol.PathPull, resp.Token, nil, &er); st != 401 {
			t.Fatalf("replaced token: %d", st)
		}
		var pr protocol.PullResponse
		if st := e.do(http.MethodGet, protocol.PathPull, again.Token, nil, &pr); st != 200 {
			t.Fatalf("new token: %d", st)
		}
		// Once the device has synced, the code is spent for good.
		if st := e.signedEnrol(req, key, &er); st != 403 || er.Error != protocol.ErrBadCode {
			t.Fatalf("retry after first sync: %d %+v", st, er)
		}

		expired := e.code("OM-MA")
		e.advance(hq.EnrolmentTTL + time.Minute)
		_, key2, _ := ed25519.GenerateKey(rand.Reader)
		tests := []struct {
			name   string
			req    protocol.EnrolRequest
			tamper func(*protocol.EnrolRequest)
			status int
			code   string
		}{
			{"used by another device", protocol.EnrolRequest{Code: code, DeviceID: uuid.NewString()}, nil, 403, protocol.ErrBadCode},
			{"expired", protocol.EnrolRequest{Code: expired, DeviceID: uuid.NewString()}, nil, 403, protocol.ErrBadCode},
			{"unknown", protocol.EnrolRequest{Code: "ABCDE-FGHJK", DeviceID: uuid.NewString()}, nil, 403, protocol.ErrBadCode},
			{"not a code", protocol.EnrolRequest{Code: "hello!", DeviceID: uuid.NewString()}, nil, 403, protocol.ErrBadCode},
			{"short key", protocol.EnrolRequest{Code: e.code("OM-MA"), DeviceID: uuid.NewString()},
				func(r *protocol.EnrolRequest) { r.PublicKey = r.PublicKey[:31] }, 400, protocol.ErrBadRequest},
			{"bad device id", protocol.EnrolRequest{Code: e.code("OM-MA"), DeviceID: "a b"}, nil, 400, protocol.ErrBadRequest},
			{"device id taken", protocol.EnrolRequest{Code: e.code("OM-MA"), DeviceID: req.DeviceID}, nil, 400, protocol.ErrBadRequest},
		}
		for _, tc := range tests {
			var er protocol.ErrorResponse
			st := 0
			if tc.tamper == nil {
				st = e.signedEnrol(tc.req, key2, &er)
			} else {
				nonce, _, _ := e.challenge(tc.req.Code)
				protocol.SignEnrol(&tc.req, key2, nonce)
				tc.tamper(&tc.req)
				st = e.do(http.MethodPost, protocol.PathEnrol, "", tc.req, &er)
			}
			if st != tc.status || er.Error != tc.code {
				t.Errorf("%s: %d %+v, want %d %s", tc.name, st, er, tc.status, tc.code)
			}
		}
		// A refused code is not spent.
		c := e.code("OM-MA")
		e.signedEnrol(protocol.EnrolRequest{Code: c, DeviceID: req.DeviceID}, key2, nil)
		if st := e.signedEnrol(protocol.EnrolRequest{Code: c, DeviceID: uuid.NewString()}, key2, nil); st != 200 {
			t.Errorf("a code refused for a taken device id was spent: %d", st)
		}
	})
}

// TestEnrolProvesPossession: the code, the device id and the device's
// public key are no secrets (a certificate's QR record carries the id and
// the key), so they alone must not get a token, not even by the retry HQ
// allows a device that has not synced yet. Every enrolment signs a nonce
// HQ gave out, single-use and short-lived, with the device's private key.
func TestEnrolProvesPossession(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		_, thief, _ := ed25519.GenerateKey(rand.Reader)
		code := e.code("OM-MA")
		id := uuid.NewString()
		nonce, st, _ := e.challenge(code)
		if st != 200 {
			t.Fatalf("challenge: %d", st)
		}
		first := protocol.EnrolRequest{Code: code, DeviceID: id}
		protocol.SignEnrol(&first, key, nonce)
		var resp protocol.EnrolResponse
		if st := e.do(http.MethodPost, protocol.PathEnrol, "", first, &resp); st != 200 {
			t.Fatalf("enrol: %d", st)
		}

		refused := func(name string, req protocol.EnrolRequest, code string) {
			t.Helper()
			var er protocol.ErrorResponse
			if st := e.do(http.MethodPost, protocol.PathEnrol, "", req, &er); st != 403 || er.Error != code || er.Message == "" {
				t.Errorf("%s: %d %+v, want 403 %s in words", name, st, er, code)
			}
		}
		fresh := func() protocol.EnrolRequest {
			t.Helper()
			n, st, _ := e.challenge(code)
			if st != 200 {
				t.Fatalf("challenge for a retry: %d", st)
			}
			return protocol.EnrolRequest{Code: code, DeviceID: id, PublicKey: first.PublicKey, Nonce: n}
		}
		// What anyone may know: code, device id, public key.
		refused("a retry without nonce or signature", protocol.EnrolRequest{Code: code, DeviceID: id, PublicKey: first.PublicKey}, protocol.ErrBadNonce)
		refused("a retry without a signature", fresh(), protocol.ErrBadSignature)
		stolen := fresh()
		stolen.Signature = ed25519.Sign(thief, protocol.EnrolMessage(stolen.Nonce, id, code, first.PublicKey))
		refused("a retry signed by another key", stolen, protocol.ErrBadSignature)
		// The thief's key with the thief's own signature is another key
		// than the device's: no retry either.
		own := fresh()
		protocol.SignEnrol(&own, thief, own.Nonce)
		refused("a retry with another key", own, protocol.ErrBadCode)
		// A genuine request seen on the wire is good once only.
		refused("the first request replayed", first, protocol.ErrBadNonce)
		// A nonce is spent even by a refused request.
		sigless := fresh()
		refused("without a signature", sigless, protocol.ErrBadSignature)
		protocol.SignEnrol(&sigless, key, sigless.Nonce)
		refused("its nonce signed afterwards", sigless, protocol.ErrBadNonce)
		// A nonce HQ never gave, one for another code, an expired one.
		made := protocol.EnrolRequest{Code: code, DeviceID: id}
		protocol.SignEnrol(&made, key, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
		refused("a made-up nonce", made, protocol.ErrBadNonce)
		otherNonce, _, _ := e.challenge(e.code("OM-MA"))
		forOther := protocol.EnrolRequest{Code: code, DeviceID: id}
		protocol.SignEnrol(&forOther, key, otherNonce)
		refused("a nonce asked for another code", forOther, protocol.ErrBadNonce)
		late := fresh()
		e.advance(protocol.EnrolChallengeTTL)
		protocol.SignEnrol(&late, key, late.Nonce)
		refused("an expired nonce", late, protocol.ErrBadNonce)
		// None of it replaced the device's token (asking the status is
		// not a sync, so the retry below is still allowed).
		var sr protocol.StatusResponse
		if st := e.do(http.MethodGet, protocol.PathStatus, resp.Token, nil, &sr); st != 200 {
			t.Fatalf("the device's token after the attempts: %d", st)
		}
		// The device itself, with its key, retries and gets a new token.
		var again protocol.EnrolResponse
		retry := fresh()
		protocol.SignEnrol(&retry, key, retry.Nonce)
		if st := e.do(http.MethodPost, protocol.PathEnrol, "", retry, &again); st != 200 || again.Token == "" || again.Token == resp.Token {
			t.Fatalf("the device's signed retry: %d %+v", st, again)
		}
	})
}

// TestEnrolChallenge: challenges are for known, unexpired codes only, and
// a code has a bounded number open at once (they are rows at HQ, and the
// endpoint needs no token); expired ones make room again.
func TestEnrolChallenge(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		for _, c := range []string{"ABCDE-FGHJK", "hello!", ""} {
			if _, st, er := e.challenge(c); st != 403 || er.Error != protocol.ErrBadCode {
				t.Errorf("challenge for %q: %d %+v, want 403 %s", c, st, er, protocol.ErrBadCode)
			}
		}
		code := e.code("OM-MA")
		seen := map[string]bool{}
		for range 10 {
			n, st, _ := e.challenge(code)
			if st != 200 || seen[n] {
				t.Fatalf("challenge: %d, nonce %q seen before: %v", st, n, seen[n])
			}
			seen[n] = true
		}
		if _, st, er := e.challenge(code); st != 429 || er.Error != protocol.ErrTooMany {
			t.Fatalf("the 11th open challenge: %d %+v, want 429 %s", st, er, protocol.ErrTooMany)
		}
		// Other codes are not held up.
		if _, st, _ := e.challenge(e.code("OM-MA")); st != 200 {
			t.Fatalf("another code: %d", st)
		}
		e.advance(protocol.EnrolChallengeTTL)
		if _, st, _ := e.challenge(code); st != 200 {
			t.Fatalf("after the open challenges expired: %d", st)
		}
		// An expired code gets none.
		e.advance(hq.EnrolmentTTL)
		if _, st, er := e.challenge(code); st != 403 || er.Error != protocol.ErrBadCode {
			t.Fatalf("expired code: %d %+v", st, er)
		}
	})
}

func TestEnrolBodyLimits(t *testing.T) {
	e := newEnv(t, sqliteStore(t))
	for _, tc := range []struct {
		name   string
		body   string
		status int
	}{
		{"not JSON", "{", 400},
		{"too big", `{"code":"` + strings.Repeat("A", 10000) + `"}`, 413},
	} {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+protocol.PathEnrol, strings.NewReader(tc.body))
		if st := e.send(req, nil); st != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, st, tc.status)
		}
	}
}

func TestPushResults(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		ma := e.enrol("OM-MA")
		other := e.enrol("OM-MA", "OM-DA")

		person := uuid.NewString()
		create := ma.op("person", person, "name_ar", "سالم", "governorate", "OM-MA")
		edit := ma.op("person", person, "phone", "+96890000000")
		reused := edit
		reused.Fields = map[string]protocol.Field{"phone": {Value: "+96891111111", HLC: edit.Fields["phone"].HLC}}
		future := ma.op("person", person, "notes", "from the future")
		future.Fields["notes"] = protocol.Field{Value: "x", HLC: protocol.HLC{Wall: e.clock().Add(25 * time.Hour).UnixMilli(), Device: ma.id}.String()}
		nearFuture := ma.op("person", uuid.NewString(), "governorate", "OM-MA")
		nearFuture.Fields["governorate"] = protocol.Field{Value: "OM-MA", HLC: protocol.HLC{Wall: e.clock().Add(protocol.MaxAhead - time.Minute).UnixMilli(), Device: ma.id}.String()}
		// After HQ's restore a device re-asserts other devices' edits with
		// their own stamps, and says so.
		reasserted := ma.op("person", person, "notes", "x")
		reasserted.Fields["notes"] = protocol.Field{Value: "x", HLC: protocol.HLC{Wall: e.clock().UnixMilli(), Device: other.id}.String()}
		reasserted.Reasserted = true
		badStamp := ma.op("person", person, "notes", "x")
		badStamp.Fields["notes"] = protocol.Field{Value: "x", HLC: "yesterday"}
		daPerson := ma.op("person", uuid.NewString(), "name_en", "Ali", "governorate", "OM-DA")
		moveAway := ma.op("person", person, "governorate", "OM-DA")
		noGov := ma.op("person", uuid.NewString(), "name_en", "Nobody")
		orphan := ma.op("attendance", uuid.NewString(), "workshop_id", uuid.NewString(), "person_id", person)
		place := ma.op("place", uuid.NewString(), "wilayat_en", "Muscat")
		unknownTable := ma.op("ledger", uuid.NewString(), "x", 1.0)
		unknownField := ma.op("person", person, "salary", 1.0)
		nonScalar := ma.op("person", person, "notes", map[string]any{"a": 1.0})
		noFields := protocol.Op{ID: uuid.NewString(), Table: "person", RowID: person}
		// An op without an id is named by its stamp (sync/compact.go), so
		// a garbled id is what must be refused.
		badID := ma.op("person", person, "notes", "x")
		badID.ID = "op\x01"
		nul := ma.op("person", person, "notes", "a\x00b")
		nulRow := ma.op("person", "p\x00", "governorate", "OM-MA")

		results := ma.push(create, edit, edit, reused, future, nearFuture, reasserted, badStamp, daPerson, moveAway, noGov,
			orphan, place, unknownTable, unknownField, nonScalar, noFields, badID, nul, nulRow)
		want := []struct{ status, code string }{
			{protocol.Applied, ""},
			{protocol.Applied, ""},
			{protocol.Duplicate, ""},
			{protocol.Rejected, protocol.CodeOpIDReused},
			{protocol.Rejected, protocol.CodeClockSkew},
			{protocol.Applied, ""},
			{protocol.Applied, ""},
			{protocol.Rejected, protocol.CodeBadValue},
			{protocol.Rejected, protocol.CodeOutOfScope},
			{protocol.Rejected, protocol.CodeOutOfScope},
			{protocol.Rejected, protocol.CodeOutOfScope},
			{protocol.Rejected, protocol.CodeOutOfScope},
			{protocol.Rejected, protocol.CodeOutOfScope},
			{protocol.Rejected, protocol.CodeUnknownTable},
			{protocol.Rejected, protocol.CodeUnknownField},
			{protocol.Rejected, protocol.CodeBadValue},
			{protocol.Rejected, protocol.CodeBadValue},
			{protocol.Rejected, protocol.CodeBadValue},
			{protocol.Rejected, protocol.CodeBadValue},
			{protocol.Rejected, protocol.CodeBadValue},
		}
		for i, w := range want {
			r := results[i]
			if r.Status != w.status || r.Code != w.code {
				t.Errorf("op %d: %+v, want %s %s", i, r, w.status, w.code)
			}
			if r.Status == protocol.Rejected && r.Message == "" {
				t.Errorf("op %d: a rejection without words", i)
			}
		}
		// The same batch again: nothing changes after the first time.
		before, _ := e.store.Meta(ctx)
		again := ma.push(create, edit)
		if again[0].Status != protocol.Duplicate || again[1].Status != protocol.Duplicate {
			t.Fatalf("replay: %+v", again)
		}
		if after, _ := e.store.Meta(ctx); after.Seq != before.Seq {
			t.Fatalf("a replay moved the sequence from %d to %d", before.Seq, after.Seq)
		}
		row, _, _ := e.store.Row(ctx, "person", person)
		var data map[string]protocol.Field
		json.Unmarshal(row.Data, &data)
		if data["phone"].Value != "+96890000000" || data["name_ar"].Value != "سالم" || data["governorate"].Value != "OM-MA" {
			t.Fatalf("stored row %s", row.Data)
		}
	})
}

func TestClockSkewIsNotObserved(t *testing.T) {
	e := newEnv(t, sqliteStore(t))
	d := e.enrol("OM-MA")
	before := e.srv.Clock().Peek()
	op := d.op("person", uuid.NewString(), "governorate", "OM-MA")
	op.Fields["governorate"] = protocol.Field{Value: "OM-MA", HLC: protocol.HLC{Wall: e.clock().Add(72 * time.Hour).UnixMilli(), Device: d.id}.String()}
	if r := d.push(op); r[0].Code != protocol.CodeClockSkew {
		t.Fatalf("%+v", r)
	}
	if after := e.srv.Clock().Peek(); after.Wall > e.clock().UnixMilli() || after.Less(before) {
		t.Fatalf("HQ's clock moved to %v after a refused stamp", after)
	}
	// An accepted stamp ahead of HQ (within protocol.MaxAhead) is observed:
	// HQ's next stamps order after it.
	ahead := protocol.HLC{Wall: e.clock().Add(protocol.MaxAhead - time.Minute).UnixMilli(), Device: d.id}
	op = d.op("person", uuid.NewString(), "governorate", "OM-MA")
	op.Fields["governorate"] = protocol.Field{Value: "OM-MA", HLC: ahead.String()}
	d.push(op)
	if now := e.srv.Clock().Now(); !ahead.Less(now) {
		t.Fatalf("HQ's clock %v is not after the accepted stamp %v", now, ahead)
	}
}

func TestConcurrentEditsMakeConflicts(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		a := e.enrol("OM-MA")
		b := e.enrol("OM-MA")
		da := e.enrol("OM-DA")
		person := uuid.NewString()
		a.push(a.op("person", person, "name_en", "Salim", "phone", "+96890000001", "governorate", "OM-MA"))
		a.pullAll(100)
		b.pullAll(100)

		// Both edit the phone offline; a also edits notes, b the email.
		opA := a.op("person", person, "phone", "+96890000002", "notes", "from a")
		e.advance(time.Second)
		opB := b.op("person", person, "phone", "+96890000003", "email", "s@example.om")
		if r := a.push(opA); r[0].Status != protocol.Applied {
			t.Fatalf("a: %+v", r)
		}
		r := b.push(opB)
		if r[0].Status != protocol.Conflicted || !strings.Contains(r[0].Message, "phone") {
			t.Fatalf("b: %+v", r)
		}
		row, _, _ := e.store.Row(ctx, "person", person)
		var data map[string]protocol.Field
		json.Unmarshal(row.Data, &data)
		if data["phone"].Value != "+96890000003" || data["notes"].Value != "from a" || data["email"].Value != "s@example.om" {
			t.Fatalf("merged row %s", row.Data)
		}

		// The conflict row syncs to the devices of the row's scope only.
		changes := a.pullAll(100)
		var conflict *protocol.Change
		for i, c := range changes {
			if c.Table == "conflict" {
				conflict = &changes[i]
			}
		}
		if conflict == nil {
			t.Fatalf("no conflict pulled: %v", rowIDs(changes))
		}
		f := conflict.Fields
		if f["tbl"].Value != "person" || f["row_id"].Value != person || f["field"].Value != "phone" ||
			f["winner"].Value != "+96890000003" || f["loser"].Value != "+96890000002" ||
			f["winner_hlc"].Value != opB.Fields["phone"].HLC || f["loser_hlc"].Value != opA.Fields["phone"].HLC ||
			f["resolved"].Value != false || f["governorate"].Value != "OM-MA" {
			t.Fatalf("conflict row %+v", f)
		}
		if conflict.RowID != hq.ConflictID("person", person, "phone", opB.Fields["phone"].HLC, opA.Fields["phone"].HLC) {
			t.Errorf("conflict id %s is not ConflictID(…)", conflict.RowID)
		}
		for _, c := range da.pullAll(100) {
			if c.Table == "conflict" || c.Table == "person" {
				t.Errorf("OM-DA device pulled %s %s", c.Table, c.RowID)
			}
		}
		infos, _ := hq.ListDevices(ctx, e.store)
		for _, in := range infos {
			want := 1
			if in.ID == da.id {
				want = 0
			}
			if in.PendingConflicts != want {
				t.Errorf("device %s: %d pending conflicts, want %d", in.Name, in.PendingConflicts, want)
			}
		}

		// a resolves it (a normal edit of the conflict row); it is no
		// longer pending, and resolving is never itself a conflict.
		res := a.op("conflict", conflict.RowID, "resolved", true, "resolved_at", "2025-03-01T10:00:00Z")
		if r := a.push(res); r[0].Status != protocol.Applied {
			t.Fatalf("resolve: %+v", r)
		}
		if n, _ := e.store.PendingConflicts(ctx, []string{"OM-MA"}); n != 0 {
			t.Fatalf("%d pending after resolving", n)
		}
		// A device out of the conflict's scope cannot touch it.
		if r := da.push(da.op("conflict", conflict.RowID, "resolved", false)); r[0].Code != protocol.CodeOutOfScope {
			t.Fatalf("out-of-scope resolve: %+v", r)
		}

		// An edit based on a revision that includes the other's change is
		// not concurrent: no conflict.
		b.pullAll(100)
		if r := b.push(b.op("person", person, "phone", "+96890000004")); r[0].Status != protocol.Applied {
			t.Fatalf("sequential edit: %+v", r)
		}
		// The same device editing again is never in conflict with itself.
		if r := b.push(b.op("person", person, "phone", "+96890000005")); r[0].Status != protocol.Applied {
			t.Fatalf("own edit: %+v", r)
		}
	})
}

func TestLosingEditIsLoggedToo(t *testing.T) {
	e := newEnv(t, sqliteStore(t))
	a := e.enrol("OM-MA")
	b := e.enrol("OM-MA")
	w := uuid.NewString()
	a.push(a.op("workshop", w, "title_en", "Smart parking", "governorate", "OM-MA"))
	b.pullAll(100)
	old := b.op("workshop", w, "title_en", "Old title") // stamped first…
	e.advance(time.Minute)
	a.push(a.op("workshop", w, "title_en", "New title")) // …but arrives second
	if r := b.push(old); r[0].Status != protocol.Conflicted {
		t.Fatalf("%+v", r)
	}
	row, _, _ := e.store.Row(ctx, "workshop", w)
	if !strings.Contains(string(row.Data), "New title") {
		t.Fatalf("an older edit won: %s", row.Data)
	}
	if n, _ := e.store.PendingConflicts(ctx, []string{"OM-MA"}); n != 1 {
		t.Fatalf("%d conflicts logged, want 1", n)
	}
}

func TestPushLimits(t *testing.T) {
	e := newEnv(t, sqliteStore(t))
	d := e.enrol("OM-MA")
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	ops := make([]protocol.Op, protocol.MaxBatchOps+1)
	for i := range ops {
		ops[i] = protocol.Op{ID: fmt.Sprint(i), Table: "person", RowID: "r", Fields: map[string]protocol.Field{}}
	}
	tooMany, _ := json.Marshal(protocol.PushRequest{Ops: ops})
	bomb := gz(append([]byte(`{"ops":[],"clock":"`), bytes.Repeat([]byte("A"), 4<<20)...))
	tests := []struct {
		name     string
		body     []byte
		encoding string
		status   int
		code     string
	}{
		{"too many ops", gz(tooMany), "gzip", 413, protocol.ErrTooLarge},
		{"gzip bomb", bomb, "gzip", 413, protocol.ErrTooLarge},
		{"big plain body", append([]byte(`{"ops":[],"clock":"`), bytes.Repeat([]byte("A"), hq.MaxPushBody)...), "", 413, protocol.ErrTooLarge},
		{"not gzip", []byte(`{"ops":[]}`), "gzip", 400, protocol.ErrBadRequest},
		{"not JSON", gz([]byte(`{"ops":[`)), "gzip", 400, protocol.ErrBadRequest},
		{"other encoding", []byte(`{"ops":[]}`), "br", 400, protocol.ErrBadRequest},
		{"empty batch", gz([]byte(`{"ops":[]}`)), "gzip", 200, ""},
		{"plain JSON", []byte(`{"ops":[]}`), "", 200, ""},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+protocol.PathPush, bytes.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer "+d.token)
		if tc.encoding != "" {
			req.Header.Set("Content-Encoding", tc.encoding)
		}
		var er protocol.ErrorResponse
		if st := e.send(req, &er); st != tc.status || er.Error != tc.code {
			t.Errorf("%s: %d %+v, want %d %s", tc.name, st, er, tc.status, tc.code)
		}
	}
}

func TestPull(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		ma := e.enrol("OM-MA")
		da := e.enrol("OM-DA")
		both := e.enrol("OM-MA", "OM-DA")
		// Reference data is HQ's own: written straight to the store.
		if err := e.store.Write(ctx, func(tx hq.Tx) error {
			seq, _ := tx.NextSeq(ctx)
			return tx.PutRow(ctx, hq.Row{Table: "place", ID: "place-1", Seq: seq,
				Data: []byte(`{"governorate":{"v":"OM-MA","h":"000000000001-000000-hq","r":1}}`)})
		}); err != nil {
			t.Fatal(err)
		}
		var maRows, daRows []string
		for i := range 7 {
			id := fmt.Sprintf("ma-%d", i)
			ma.push(ma.op("person", id, "name_en", id, "governorate", "OM-MA"))
			maRows = append(maRows, "person/"+id)
			if i%2 == 0 {
				id := fmt.Sprintf("da-%d", i)
				da.push(da.op("person", id, "name_en", id, "governorate", "OM-DA"))
				daRows = append(daRows, "person/"+id)
			}
		}
		for _, tc := range []struct {
			name  string
			d     *device
			limit int
			want  []string
		}{
			{"OM-MA by 3", ma, 3, append([]string{"place/place-1"}, maRows...)},
			{"OM-DA by 1", da, 1, append([]string{"place/place-1"}, daRows...)},
			{"both by 1000", both, 1000, nil},
		} {
			got := rowIDs(tc.d.pullAll(tc.limit))
			if tc.want == nil {
				if len(got) != 1+len(maRows)+len(daRows) {
					t.Errorf("%s: %d rows", tc.name, len(got))
				}
				continue
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
		// Nothing new: an empty page, the cursor past every committed row
		// (the OM-MA device's cursor skips the OM-DA rows for good).
		meta, _ := e.store.Meta(ctx)
		if got := ma.pullAll(5); len(got) != 0 || ma.cursor != fmt.Sprintf("%s.%d", meta.Epoch, meta.Seq) {
			t.Errorf("idle pull: %v, cursor %s (seq %d)", got, ma.cursor, meta.Seq)
		}
		// An edit comes back as the whole row, with its new revision.
		ma.push(ma.op("person", "ma-0", "phone", "+96890000000"))
		got := ma.pullAll(5)
		if len(got) != 1 || got[0].Fields["name_en"].Value != "ma-0" || got[0].Fields["phone"].Value != "+96890000000" || got[0].Seq <= meta.Seq {
			t.Errorf("edited row: %+v", got)
		}
	})
}

func TestPullCursorErrors(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		d := e.enrol("OM-MA")
		d.push(d.op("person", "p1", "governorate", "OM-MA"))
		d.pullAll(10)
		meta, _ := e.store.Meta(ctx)
		tests := []struct {
			query  string
			status int
			code   string
		}{
			{"cursor=" + d.cursor, 200, ""},
			{"", 200, ""},
			{"cursor=&limit=1", 200, ""},
			{"limit=100000", 200, ""},
			{"cursor=0123456789abcdef.1", 409, protocol.ErrMustResync},
			{fmt.Sprintf("cursor=%s.%d", meta.Epoch, meta.Seq+10), 409, protocol.ErrMustResync},
			{"cursor=nodot", 400, protocol.ErrBadRequest},
			{"cursor=" + meta.Epoch + ".-1", 400, protocol.ErrBadRequest},
			{"cursor=" + meta.Epoch + ".01", 400, protocol.ErrBadRequest},
			{"cursor=" + meta.Epoch + ".x", 400, protocol.ErrBadRequest},
			{"cursor=" + meta.Epoch + ".1&limit=0", 400, protocol.ErrBadRequest},
			{"cursor=" + meta.Epoch + ".1&limit=ten", 400, protocol.ErrBadRequest},
			{"cursor=%zz", 400, protocol.ErrBadRequest},
		}
		for _, tc := range tests {
			var er protocol.ErrorResponse
			if st := e.do(http.MethodGet, protocol.PathPull+"?"+tc.query, d.token, nil, &er); st != tc.status || er.Error != tc.code {
				t.Errorf("?%s: %d %+v, want %d %s", tc.query, st, er, tc.status, tc.code)
			}
		}
		// A reset HQ (new epoch) sends every device back to the start.
		if _, err := hq.ResetEpoch(ctx, e.store, hq.CLI, e.clock()); err != nil {
			t.Fatal(err)
		}
		var er protocol.ErrorResponse
		if st := e.do(http.MethodGet, protocol.PathPull+"?cursor="+d.cursor, d.token, nil, &er); st != 409 || er.Error != protocol.ErrMustResync {
			t.Fatalf("after reset: %d %+v", st, er)
		}
		d.cursor = ""
		if got := d.pullAll(10); len(got) != 1 {
			t.Fatalf("re-pull after reset: %v", rowIDs(got))
		}
	})
}

func TestPullReplyIsGzipped(t *testing.T) {
	e := newEnv(t, sqliteStore(t))
	d := e.enrol("OM-MA")
	for i := range 20 {
		d.push(d.op("person", fmt.Sprint("p", i), "name_en", strings.Repeat("x", 100), "governorate", "OM-MA"))
	}
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+protocol.PathPull, nil)
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var pr protocol.PullResponse
	if err := json.NewDecoder(zr).Decode(&pr); err != nil || len(pr.Changes) != 20 {
		t.Fatalf("%v, %d changes", err, len(pr.Changes))
	}
}

func TestScopeFollowsTheWorkshop(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		ma := e.enrol("OM-MA")
		da := e.enrol("OM-DA")
		hqd := e.enrol("OM-MA", "OM-DA")
		w, p := uuid.NewString(), uuid.NewString()
		att := uuid.NewString()
		cert := uuid.NewString()
		r := ma.push(
			ma.op("workshop", w, "title_en", "IoT basics", "governorate", "OM-MA"),
			ma.op("person", p, "name_en", "Aisha", "governorate", "OM-MA"),
			ma.op("attendance", att, "workshop_id", w, "person_id", p, "hours", 3.0),
			ma.op("certificate", cert, "attendance_id", att, "code", "ABCDE-12345"),
		)
		for i, res := range r {
			if res.Status != protocol.Applied {
				t.Fatalf("op %d: %+v", i, res)
			}
		}
		// An attendance update by a device of another governorate is out
		// of scope: the workshop decides.
		if r := da.push(da.op("attendance", att, "hours", 1.0)); r[0].Code != protocol.CodeOutOfScope {
			t.Fatalf("OM-DA edits OM-MA attendance: %+v", r)
		}
		ma.pullAll(100)
		da.pullAll(100)
		hqd.pullAll(100)
		// The workshop moves to OM-DA (by a device enrolled for both):
		// its attendance and certificate follow it.
		if r := hqd.push(hqd.op("workshop", w, "governorate", "OM-DA")); r[0].Status != protocol.Applied {
			t.Fatalf("move: %+v", r)
		}
		got := rowIDs(da.pullAll(100))
		for _, want := range []string{"workshop/" + w, "attendance/" + att, "certificate/" + cert} {
			if !slices.Contains(got, want) {
				t.Errorf("OM-DA device did not get %s after the move: %v", want, got)
			}
		}
		if r := da.push(da.op("attendance", att, "hours", 2.0)); r[0].Status != protocol.Applied {
			t.Fatalf("OM-DA edits moved attendance: %+v", r)
		}
		if r := ma.push(ma.op("attendance", att, "hours", 2.5)); r[0].Code != protocol.CodeOutOfScope {
			t.Fatalf("OM-MA edits moved attendance: %+v", r)
		}
		// A person moved by its device: the new governorate decides.
		if r := ma.push(ma.op("person", p, "governorate", "OM-DA")); r[0].Code != protocol.CodeOutOfScope {
			t.Fatalf("OM-MA device moves a person to OM-DA: %+v", r)
		}
	})
}

func TestNormaliseCode(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"ABCDE-FGHJK", "ABCDEFGHJK", true},
		{"abcde fghjk", "ABCDEFGHJK", true},
		{"0I1LO-ABCDE", "01110ABCDE", true},
		{"ABCDE-FGHJ", "", false},
		{"ABCDE-FGHJKM", "", false},
		{"ABCDE-FGHJU", "", false}, // U is not Crockford
		{"ABCDE-FGHJ٣", "", false},
		{"", "", false},
	} {
		got, err := hq.NormaliseCode(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("NormaliseCode(%q) = %q, %v", tc.in, got, err)
		}
	}
	seen := map[string]bool{}
	for range 100 {
		c, err := hq.NewEnrolmentCode()
		if err != nil {
			t.Fatal(err)
		}
		n, err := hq.NormaliseCode(c)
		if err != nil || len(c) != 11 || seen[n] {
			t.Fatalf("code %q: %v (or repeated)", c, err)
		}
		seen[n] = true
	}
}

func TestCreateEnrolmentChecks(t *testing.T) {
	st := sqliteStore(t)
	for _, tc := range []struct {
		govs []string
		name string
		ok   bool
	}{
		{[]string{"OM-MA"}, "Muscat", true},
		{[]string{"om-ma", "OM-DA", "OM-MA"}, "Two", true},
		{nil, "None", false},
		{[]string{"OM-XX"}, "Bad", false},
		{[]string{"OM-MA"}, "  ", false},
	} {
		_, _, err := hq.CreateEnrolment(ctx, st, tc.govs, tc.name, hq.CLI, time.Now())
		if (err == nil) != tc.ok {
			t.Errorf("CreateEnrolment(%v, %q) = %v", tc.govs, tc.name, err)
		}
	}
}

func TestDevicesAndRevoke(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		a := e.enrol("OM-MA")
		b := e.enrol("OM-DA")
		a.push(a.op("person", "p", "governorate", "OM-MA"))
		b.pullAll(10)
		infos, err := hq.ListDevices(ctx, e.store)
		if err != nil || len(infos) != 2 {
			t.Fatalf("%v %v", infos, err)
		}
		byID := map[string]hq.DeviceInfo{infos[0].ID: infos[0], infos[1].ID: infos[1]}
		if ia := byID[a.id]; ia.LastPush == nil || ia.LastPull != nil || ia.RevokedAt != nil {
			t.Errorf("a: %+v", ia)
		}
		if ib := byID[b.id]; ib.LastPull == nil || ib.LastPush != nil {
			t.Errorf("b: %+v", ib)
		}
		if _, err := hq.RevokeDevice(ctx, e.store, "no-such-device", hq.CLI, e.clock()); err == nil {
			t.Error("revoked a device that does not exist")
		}
		if _, err := hq.RevokeDevice(ctx, e.store, "", hq.CLI, e.clock()); err == nil {
			t.Error("revoked nothing")
		}
		d, err := hq.RevokeDevice(ctx, e.store, a.id[:13], hq.CLI, e.clock()) // a unique prefix
		if err != nil || d.ID != a.id {
			t.Fatalf("revoke by prefix: %+v %v", d, err)
		}
		var er protocol.ErrorResponse
		if st := e.do(http.MethodGet, protocol.PathPull, a.token, nil, &er); st != 401 || er.Error != protocol.ErrDeviceRevoked {
			t.Fatalf("revoked device pull: %d %+v", st, er)
		}
		// Revoking twice keeps the first time.
		e.advance(time.Hour)
		d2, err := hq.RevokeDevice(ctx, e.store, a.id, hq.CLI, e.clock())
		if err != nil || !d2.RevokedAt.Equal(d.RevokedAt) {
			t.Fatalf("second revoke: %+v %v", d2, err)
		}
		if st := e.do(http.MethodGet, protocol.PathPull, b.token, nil, nil); st != 200 {
			t.Fatalf("the other device: %d", st)
		}
	})
}

func TestConcurrentPushesAndPulls(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		const devices, ops = 6, 20
		devs := make([]*device, devices)
		for i := range devs {
			devs[i] = e.enrol("OM-MA")
		}
		reader := e.enrol("OM-MA")
		done := make(chan struct{})
		errc := make(chan error, devices)
		for i, d := range devs {
			go func() {
				defer func() { errc <- nil }()
				for j := range ops {
					// Everyone edits the same few rows: per-row merges race.
					row := fmt.Sprintf("shared-%d", j%3)
					op := d.op("person", row, "governorate", "OM-MA", "notes", fmt.Sprintf("d%d-%d", i, j))
					var resp protocol.PushResponse
					if st := e.do(http.MethodPost, protocol.PathPush, d.token, protocol.PushRequest{Ops: []protocol.Op{op}}, &resp); st != 200 {
						errc <- fmt.Errorf("push: %d", st)
						return
					}
					if s := resp.Results[0].Status; s != protocol.Applied && s != protocol.Conflicted {
						errc <- fmt.Errorf("push result %+v", resp.Results[0])
						return
					}
				}
			}()
		}
		go func() {
			for range devices {
				if err := <-errc; err != nil {
					t.Error(err)
				}
			}
			close(done)
		}()
		// The reader pulls all along; afterwards it has each row's final
		// state, the same as HQ's.
		final := map[string]protocol.Change{}
		for running := true; running; {
			select {
			case <-done:
				running = false
			default:
			}
			for _, c := range reader.pullAll(7) {
				final[c.Table+"/"+c.RowID] = c
			}
			time.Sleep(5 * time.Millisecond)
		}
		for _, c := range reader.pullAll(7) {
			final[c.Table+"/"+c.RowID] = c
		}
		for j := range 3 {
			row := fmt.Sprintf("shared-%d", j)
			stored, _, _ := e.store.Row(ctx, "person", row)
			var data map[string]protocol.Field
			json.Unmarshal(stored.Data, &data)
			got := final["person/"+row]
			if got.Seq != stored.Seq || got.Fields["notes"] != data["notes"] {
				t.Errorf("%s: reader has %+v at %d, HQ %+v at %d", row, got.Fields["notes"], got.Seq, data["notes"], stored.Seq)
			}
		}
	})
}
