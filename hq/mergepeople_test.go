package hq_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/roster"
	"github.com/oman-sca/safeer/sync/protocol"
)

// personAt reads a person as HQ holds it.
func (e *env) personAt(id string) safeer.Person {
	e.t.Helper()
	r, found, err := e.store.Row(ctx, "person", id)
	if err != nil || !found {
		e.t.Fatalf("person %s at HQ: %v %v", id, found, err)
	}
	p, err := hq.PersonOf(r)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func changeOf(changes []protocol.Change, table, id string) (protocol.Change, bool) {
	for _, c := range changes {
		if c.Table == table && c.RowID == id {
			return c, true
		}
	}
	return protocol.Change{}, false
}

// TestMergePeople: the same person registered in Muscat and in Ad
// Dakhiliyah; HQ lays the merge out (roster.Plan), merges with the values
// chosen, moves earlier merges along, writes the audit entry in the same
// transaction, and the devices pull the result. On both stores.
func TestMergePeople(t *testing.T) {
	backends(t, func(t *testing.T, open func(t *testing.T) hq.Store) {
		e := newEnv(t, open(t))
		mad, dad := e.enrol(ma), e.enrol(da)
		add := func(d *device, kv ...any) string {
			id := uuid.NewString()
			if res := d.push(d.op("person", id, kv...)); res[0].Status != protocol.Applied {
				t.Fatalf("add person: %+v", res[0])
			}
			return id
		}
		a := add(mad, "name_ar", "أحمد بن سالم الهنائي", "name_en", "Ahmed Al Hinai", "civil_id", "7654321",
			"governorate", ma, "wilayat", "Muttrah")
		e.advance(time.Second) // b's values are the newer
		b := add(dad, "name_ar", "احمد سالم الهنائي", "name_en", "Ahmed S. Hinai", "email", "ahmed@example.om",
			"governorate", da, "wilayat", "Nizwa")
		c := add(dad, "name_en", "Khalid", "civil_id", "7654321", "governorate", da, "wilayat", "Bahla")
		f := add(dad, "name_en", "Khalid R", "governorate", da, "wilayat", "Bahla")
		dad.push(dad.op("person", f, "merged_into", c))
		mad.pullAll(100)
		dad.pullAll(100)

		// The plan: the newer names and the only e-mail are b's; the
		// place stays the kept record's. Nothing changes by planning.
		plan, err := e.srv.PlanMerge(ctx, a, b, nil)
		if err != nil {
			t.Fatal(err)
		}
		sides := map[string]roster.Side{}
		for _, fc := range plan.Fields {
			sides[fc.Field] = fc.Choice
		}
		if plan.Kept.ID != a || plan.Merged.ID != b || sides["email"] != roster.Merged || sides["name_en"] != roster.Merged ||
			sides["governorate"] != roster.Kept || sides["wilayat"] != roster.Kept || sides["civil_id"] != roster.Kept {
			t.Fatalf("plan: %+v", plan)
		}
		if p := e.personAt(a); p.Email != "" || p.NameEn != "Ahmed Al Hinai" {
			t.Fatalf("planning changed the kept person: %+v", p)
		}

		salma := hq.Actor{Admin: "salma", Remote: "192.0.2.7"}
		res, err := e.srv.MergePeople(ctx, a, b, map[string]roster.Side{"name_en": roster.Kept}, salma)
		if err != nil {
			t.Fatal(err)
		}
		if res.Already || res.Kept.ID != a || res.Merged.ID != b || !slices.Equal(res.FromMerged, []string{"name_ar", "email"}) {
			t.Fatalf("merge: %+v", res)
		}
		if p := e.personAt(a); p.Email != "ahmed@example.om" || p.NameEn != "Ahmed Al Hinai" || p.NameAr != "احمد سالم الهنائي" ||
			p.Governorate != ma || p.Wilayat != "Muttrah" || p.CivilID != "7654321" {
			t.Fatalf("kept person after the merge: %+v", p)
		}
		if p := e.personAt(b); p.MergedInto != a {
			t.Fatalf("merged person: %+v", p)
		}
		log, err := e.store.AuditLog(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 0 || log[0].Action != "person.merge" || log[0].Admin != "salma" || log[0].Remote != "192.0.2.7" ||
			log[0].Target != a || !strings.Contains(log[0].Detail, b) || !strings.HasSuffix(log[0].Detail, "took from the merged record: name_ar, email") {
			t.Fatalf("audit log: %+v", log)
		}
		// Muscat's device learns a's new e-mail; Ad Dakhiliyah's, the merge.
		if ch, ok := changeOf(mad.pullAll(100), "person", a); !ok || ch.Fields["email"].Value != "ahmed@example.om" {
			t.Errorf("device of OM-MA pulled %v %+v", ok, ch)
		}
		if ch, ok := changeOf(dad.pullAll(100), "person", b); !ok || ch.Fields["merged_into"].Value != a {
			t.Errorf("device of OM-DA pulled %v %+v", ok, ch)
		}

		// Merging c brings f, merged into c earlier, along: one level deep.
		if res, err := e.srv.MergePeople(ctx, a, c, nil, salma); err != nil || res.Already {
			t.Fatalf("merge c: %+v %v", res, err)
		}
		for _, id := range []string{c, f} {
			if p := e.personAt(id); p.MergedInto != a {
				t.Errorf("%s is merged into %q, want %s", id, p.MergedInto, a)
			}
		}

		// Again: nothing to do, and nothing written.
		before, _ := e.store.Meta(ctx)
		if res, err := e.srv.MergePeople(ctx, a, b, nil, salma); err != nil || !res.Already {
			t.Errorf("merging again: %+v %v", res, err)
		}
		if after, _ := e.store.Meta(ctx); after.Seq != before.Seq {
			t.Errorf("merging again wrote: seq %d → %d", before.Seq, after.Seq)
		}

		// Refusals, in words.
		var me *hq.MergeError
		if _, err := e.srv.MergePeople(ctx, uuid.NewString(), a, nil, salma); !errors.As(err, &me) || !me.NotFound {
			t.Errorf("merge into nobody: %v", err)
		}
		if _, err := e.srv.MergePeople(ctx, a, uuid.NewString(), nil, salma); !errors.As(err, &me) || !me.NotFound {
			t.Errorf("merge of nobody: %v", err)
		}
		if _, err := e.srv.PlanMerge(ctx, b, a, nil); !errors.As(err, &me) || me.NotFound {
			t.Errorf("merge of a record into itself (b stands for a): %v", err)
		}
		x := add(mad, "name_en", "Salim", "governorate", ma, "wilayat", "Bawshar")
		y := add(dad, "name_en", "Salim", "email", "salim@example.om", "governorate", da, "wilayat", "Nizwa")
		_, err = e.srv.MergePeople(ctx, x, y, map[string]roster.Side{"governorate": roster.Merged, "wilayat": roster.Kept}, salma)
		if !errors.As(err, &me) || me.NotFound || !strings.Contains(me.Msg, "different governorates") {
			t.Errorf("split place: %v", err)
		}
		if p := e.personAt(y); p.MergedInto != "" {
			t.Errorf("a refused merge merged: %+v", p)
		}
	})
}
