package hq_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/protocol"
)

func TestDeviceStatus(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		a := e.enrol("OM-MA", "OM-DA")
		var st protocol.StatusResponse
		if code := e.do(http.MethodGet, protocol.PathStatus, a.token, nil, &st); code != 200 {
			t.Fatalf("status: %d", code)
		}
		if st.DeviceID != a.id || strings.Join(st.Governorates, ",") != "OM-DA,OM-MA" && strings.Join(st.Governorates, ",") != "OM-MA,OM-DA" ||
			st.LastPush != nil || st.PendingConflicts != 0 || st.EnrolledAt.IsZero() || st.Clock == "" {
			t.Fatalf("before any sync: %+v", st)
		}
		before := st.Cursor

		person := uuid.NewString()
		a.push(a.op("person", person, "name_ar", "سالم", "governorate", "OM-MA"))
		if code := e.do(http.MethodGet, protocol.PathStatus, a.token, nil, &st); code != 200 {
			t.Fatalf("status: %d", code)
		}
		if st.LastPush == nil || st.Cursor == before {
			t.Fatalf("after a push: %+v (cursor was %s)", st, before)
		}
		c, err := hq.ParseCursor(st.Cursor)
		if err != nil || c.Seq == 0 {
			t.Fatalf("cursor %q: %v", st.Cursor, err)
		}

		var er protocol.ErrorResponse
		if code := e.do(http.MethodGet, protocol.PathStatus, "", nil, &er); code != 401 || er.Error != protocol.ErrUnauthorized {
			t.Fatalf("without a token: %d %+v", code, er)
		}
		if _, err := hq.RevokeDevice(ctx, e.store, a.id, hq.CLI, e.clock()); err != nil {
			t.Fatal(err)
		}
		if code := e.do(http.MethodGet, protocol.PathStatus, a.token, nil, &er); code != 401 || er.Error != protocol.ErrDeviceRevoked {
			t.Fatalf("revoked: %d %+v", code, er)
		}
	})
}
