package protocol

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestOpShortForm(t *testing.T) {
	h1 := HLC{Wall: 1, Device: "dev"}.String()
	h2 := HLC{Wall: 2, Device: "dev"}.String()
	op := Op{ID: h2, Table: "person", RowID: "r1", Fields: map[string]Field{
		"name_ar": {Value: "سالم", HLC: h2},
		"phone":   {Value: "+96890000000", HLC: h2},
		"notes":   {Value: nil, HLC: h1},
	}}
	b, err := json.Marshal(op)
	if err != nil {
		t.Fatal(err)
	}
	// The id is the common stamp, so it is left out; the one field stamped
	// otherwise is named.
	want := `{"t":"person","r":"r1","h":"` + h2 + `","f":{"name_ar":"سالم","notes":null,"phone":"+96890000000"},"x":{"notes":"` + h1 + `"}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	var back Op
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, op) {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	// An id that is not the stamp travels.
	op.ID = "0193-other"
	b, _ = json.Marshal(op)
	if !strings.Contains(string(b), `"id":"0193-other"`) {
		t.Fatalf("the id is missing: %s", b)
	}
}

func TestShortFormRefusesStrayStamps(t *testing.T) {
	var op Op
	if err := json.Unmarshal([]byte(`{"t":"person","r":"r","f":{"a":1},"x":{"b":"1"}}`), &op); err == nil {
		t.Fatal("a stamp for a field without a value was accepted")
	}
	var c Change
	if err := json.Unmarshal([]byte(`{"s":1,"t":"person","r":"r","f":{},"x":{"b":"1"}}`), &c); err == nil {
		t.Fatal("a change with a stray stamp was accepted")
	}
}

// Every op and change survives the trip through the short form.
func TestShortFormRoundTrip(t *testing.T) {
	stamp := rapid.Custom(func(t *rapid.T) string {
		if rapid.IntRange(0, 9).Draw(t, "zero") == 0 {
			return ""
		}
		return HLC{Wall: rapid.Int64Range(1, 5).Draw(t, "wall"), Counter: uint32(rapid.IntRange(0, 2).Draw(t, "counter")),
			Device: rapid.SampledFrom([]string{"a", "b"}).Draw(t, "device")}.String()
	})
	value := rapid.OneOf(
		rapid.Just[any](nil), rapid.Just[any](true), rapid.Just[any](false),
		rapid.Map(rapid.Float64Range(-1e6, 1e6), func(f float64) any { return f }),
		rapid.Map(rapid.String(), func(s string) any { return s }),
	)
	fields := rapid.Custom(func(t *rapid.T) map[string]Field {
		m := map[string]Field{}
		for _, name := range rapid.SliceOfDistinct(rapid.SampledFrom(Tables["person"]), rapid.ID).Draw(t, "names") {
			m[name] = Field{Value: value.Draw(t, "v"), HLC: stamp.Draw(t, "h")}
		}
		if len(m) == 0 {
			return nil
		}
		return m
	})
	rapid.Check(t, func(t *rapid.T) {
		op := Op{ID: rapid.OneOf(rapid.Just(""), stamp, rapid.StringMatching(`[0-9a-f-]{1,40}`)).Draw(t, "id"),
			Table: "person", RowID: rapid.String().Draw(t, "row"), BaseRev: rapid.Int64Range(0, 1e9).Draw(t, "base"),
			Fields: fields.Draw(t, "fields")}
		b, err := json.Marshal(op)
		if err != nil {
			t.Fatal(err)
		}
		var back Op
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		// An op without an id is named by its stamp, the only change the
		// trip may make.
		if op.ID == "" {
			h, _, _ := splitStamps(op.Fields)
			op.ID = h
		}
		if !reflect.DeepEqual(back, op) {
			t.Fatalf("%s\nsent %+v\ngot  %+v", b, op, back)
		}
		ch := Change{Seq: rapid.Int64().Draw(t, "seq"), Table: "person", RowID: op.RowID, Fields: op.Fields}
		b, _ = json.Marshal(ch)
		var backCh Change
		if err := json.Unmarshal(b, &backCh); err != nil || !reflect.DeepEqual(backCh, ch) {
			t.Fatalf("%s\nsent %+v\ngot  %+v %v", b, ch, backCh, err)
		}
	})
}

func TestPushResponseShortForm(t *testing.T) {
	r := PushResponse{Clock: "c", Results: []OpResult{
		{ID: "x", Status: Applied}, {ID: "y", Status: Duplicate},
		{ID: "z", Status: Conflicted, Message: "lost"}, {ID: "w", Status: Rejected, Code: CodeClockSkew, Message: "ahead"},
	}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"statuses":"adcr","notes":[{"i":2,"message":"lost"},{"i":3,"code":"clock_skew","message":"ahead"}],"clock":"c"}`; string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	var back PushResponse
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for i := range r.Results {
		r.Results[i].ID = "" // the reply names ops by position
	}
	if !reflect.DeepEqual(back, r) {
		t.Fatalf("round trip: %+v", back)
	}
	for _, bad := range []string{`{"statuses":"aq"}`, `{"statuses":"a","notes":[{"i":1}]}`, `{"statuses":"a","notes":[{"i":-1}]}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := json.Marshal(PushResponse{Results: []OpResult{{Status: "maybe"}}}); err == nil {
		t.Error("an unknown status was written")
	}
}
