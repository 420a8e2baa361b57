package data

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// After HQ is restored from a backup, the device sends back the values HQ
// lost, whoever wrote them; HQ refuses those of a row now in another
// governorate as out of scope (issue 13: 385 such entries in 20 chaos
// runs). They stay in rejected_op, marked Resent; a coordinator is shown
// their own refused edits one by one and only a count of the others. A
// refusal of another author's value for any other reason is still shown,
// and so is this device's own value refused as out of scope.
func TestRefusedResentForOthers(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	now := time.Now()

	// The coordinator's own person, pushed, then edited: the edit is refused.
	mine := mustAdd(t, s, safeer.Person{NameEn: "Mine", Governorate: "OM-MA"})
	if _, err := s.AckPush(ctx, []PushAck{applied(outbox(t, s)[0])}); err != nil {
		t.Fatal(err)
	}
	mine.Notes = "my edit"
	if err := s.UpdatePerson(ctx, &mine); err != nil {
		t.Fatal(err)
	}

	// Two people from elsewhere: made by another laptop, then edited by it
	// and by HQ.
	theirs, odd := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	made := stamp(now.Add(-time.Hour), "laptop-b")
	noted := stamp(now.Add(-50*time.Minute), "laptop-b")
	phoned := stamp(now.Add(-40*time.Minute), protocol.HQDevice)
	rowOf := func(name string) map[string]protocol.Field {
		return map[string]protocol.Field{"name_en": f(name, made), "governorate": f("OM-MA", made)}
	}
	if err := s.ApplyChanges(ctx, []protocol.Change{
		change(1, "person", theirs, rowOf("Theirs")),
		change(2, "person", theirs, map[string]protocol.Field{"notes": f("b's note", noted)}),
		change(3, "person", theirs, map[string]protocol.Field{"phone": f("+96891234567", phoned)}),
		change(4, "person", odd, rowOf("Odd")),
		change(5, "person", odd, map[string]protocol.Field{"notes": f("b's other note", noted)}),
	}, "e1.5", ""); err != nil {
		t.Fatal(err)
	}

	// HQ, restored from a backup, lost the later edits: the device sends
	// them again with their authors' stamps.
	if err := s.StartResync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyChanges(ctx, []protocol.Change{
		change(1, "person", theirs, rowOf("Theirs")),
		change(2, "person", odd, rowOf("Odd")),
	}, "e2.2", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishResync(ctx); err != nil {
		t.Fatal(err)
	}
	// My row and my edit (HQ lost both: three ops, all mine), b's note
	// and HQ's phone of theirs, b's note of odd.
	ops := outbox(t, s)
	if len(ops) != 6 {
		t.Fatalf("%d ops queued: %+v", len(ops), ops)
	}
	var acks []PushAck
	for _, o := range ops {
		code := protocol.CodeOutOfScope
		if o.Op.RowID == odd {
			code = protocol.CodeBadValue
		}
		acks = append(acks, o.Ack(protocol.OpResult{ID: o.Op.ID, Status: protocol.Rejected, Code: code, Message: "refused"}))
	}
	if _, err := s.AckPush(ctx, acks); err != nil {
		t.Fatal(err)
	}

	all, err := s.RejectedOps(ctx, 0)
	if err != nil || len(all) != 6 {
		t.Fatalf("%d refused ops kept, %v", len(all), err)
	}
	resent := map[string]bool{}
	for _, r := range all {
		for name, v := range r.Op.Fields {
			resent[r.Op.RowID+"/"+name+"@"+v.HLC] = r.Resent
		}
	}
	want := map[string]bool{
		theirs + "/notes@" + noted:  true,  // another laptop's value
		theirs + "/phone@" + phoned: true,  // HQ's value
		odd + "/notes@" + noted:     false, // another laptop's value, refused for another reason
	}
	for _, o := range ops { // the coordinator's own row and edit
		if o.Op.RowID == mine.ID {
			for name := range o.Op.Fields {
				want[mine.ID+"/"+name+"@"+o.Stamp] = false
			}
		}
	}
	if len(resent) != len(want) {
		t.Errorf("%d refused values listed, want %d", len(resent), len(want))
	}
	for key, w := range want {
		if got, ok := resent[key]; !ok || got != w {
			t.Errorf("%s: resent %v (listed %v), want %v", key, got, ok, w)
		}
	}
	own, err := s.OwnRejectedOps(ctx, 0)
	if err != nil || len(own) != 4 {
		t.Fatalf("%d own refused ops, %v: %+v", len(own), err, own)
	}
	for _, r := range own {
		if r.Resent || (r.Op.RowID != mine.ID && r.Op.RowID != odd) {
			t.Fatalf("listed as own: %+v", r)
		}
	}
	if one, err := s.OwnRejectedOps(ctx, 1); err != nil || len(one) != 1 || one[0].Resent {
		t.Fatalf("limited to one: %+v %v", one, err)
	}
	ids := []string{"not-refused"}
	for _, r := range all {
		ids = append(ids, r.Op.ID)
	}
	of, err := s.ResentOf(ctx, ids)
	if err != nil || len(of) != len(all) {
		t.Fatalf("resent of %d ids: %v %v", len(of), of, err)
	}
	for _, r := range all {
		if of[r.Op.ID] != r.Resent {
			t.Errorf("op %s: ResentOf says %v, RejectedOps %v", r.Op.ID, of[r.Op.ID], r.Resent)
		}
	}
	c, err := s.SyncCounts(ctx)
	if err != nil || c.RejectedOps != 6 || c.RejectedResent != 2 || c.RejectedOwn() != 4 {
		t.Fatalf("counts %+v, %v", c, err)
	}
}

func TestResentForOthers(t *testing.T) {
	other := stamp(time.Now(), "laptop-b")
	for _, c := range []struct {
		code, stamp string
		want        bool
	}{
		{protocol.CodeOutOfScope, other, true},
		{protocol.CodeOutOfScope, stamp(time.Now(), protocol.HQDevice), true},
		{protocol.CodeOutOfScope, stamp(time.Now(), "laptop-a"), false}, // this device's
		{protocol.CodeBadValue, other, false},
		{protocol.CodeOutOfScope, "", false},            // no stamp: shown
		{protocol.CodeOutOfScope, "not a stamp", false}, // unreadable: shown
	} {
		if got := ResentForOthers("laptop-a", c.code, c.stamp); got != c.want {
			t.Errorf("%s %q: %v, want %v", c.code, c.stamp, got, c.want)
		}
	}
}
