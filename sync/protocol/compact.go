package protocol

import (
	"encoding/json"
	"fmt"
)

// The wire form of ops, changes and push results is more compact than the
// Go types: bytes on a rural link are the scarce thing, and the protocol
// should cost little more than the rows it carries.
//
//   - An op or a change carries one clock stamp ("h"), the one most of its
//     fields have, and names only the fields stamped otherwise ("x"): an
//     import's op has one stamp for all its fields, and a row mostly keeps
//     the stamp of the edit that made it.
//   - An op's id is left out when it is that stamp. Devices make op ids that
//     way: a device's stamps never repeat, and they carry the device id.
//   - A push reply is one letter per op, in the order sent, plus a note for
//     each op that has a code or words (rejections, conflicts).
//
// Go code sees only Op, Change and PushResponse; these methods are the one
// place that knows the short form.

type wireOp struct {
	ID      string            `json:"id,omitempty"`
	Table   string            `json:"t"`
	RowID   string            `json:"r"`
	BaseRev int64             `json:"base,omitempty"`
	HLC     string            `json:"h,omitempty"`
	Values  map[string]any    `json:"f"`
	Stamps  map[string]string `json:"x,omitempty"`
	Re      bool              `json:"re,omitempty"` // Reasserted
}

// MarshalJSON writes the short form. Map keys come out sorted, so an op
// always encodes to the same bytes (HQ hashes them for replay checks).
func (o Op) MarshalJSON() ([]byte, error) {
	h, values, stamps := splitStamps(o.Fields)
	w := wireOp{ID: o.ID, Table: o.Table, RowID: o.RowID, BaseRev: o.BaseRev, HLC: h, Values: values, Stamps: stamps, Re: o.Reasserted}
	if w.ID == h && h != "" {
		w.ID = ""
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the short form.
func (o *Op) UnmarshalJSON(b []byte) error {
	var w wireOp
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	fields, err := joinStamps(w.HLC, w.Values, w.Stamps)
	if err != nil {
		return err
	}
	*o = Op{ID: w.ID, Table: w.Table, RowID: w.RowID, BaseRev: w.BaseRev, Fields: fields, Reasserted: w.Re}
	if o.ID == "" {
		o.ID = w.HLC
	}
	return nil
}

type wireChange struct {
	Seq    int64             `json:"s"`
	Table  string            `json:"t"`
	RowID  string            `json:"r"`
	HLC    string            `json:"h,omitempty"`
	Values map[string]any    `json:"f"`
	Stamps map[string]string `json:"x,omitempty"`
	Gone   bool              `json:"g,omitempty"`
}

// MarshalJSON writes the short form.
func (c Change) MarshalJSON() ([]byte, error) {
	h, values, stamps := splitStamps(c.Fields)
	return json.Marshal(wireChange{Seq: c.Seq, Table: c.Table, RowID: c.RowID, HLC: h, Values: values, Stamps: stamps, Gone: c.Gone})
}

// UnmarshalJSON reads the short form.
func (c *Change) UnmarshalJSON(b []byte) error {
	var w wireChange
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	fields, err := joinStamps(w.HLC, w.Values, w.Stamps)
	if err != nil {
		return err
	}
	*c = Change{Seq: w.Seq, Table: w.Table, RowID: w.RowID, Fields: fields, Gone: w.Gone}
	return nil
}

// splitStamps picks the stamp most fields share (the newest of equally
// common ones, so the choice is deterministic) and lists the others.
func splitStamps(fields map[string]Field) (common string, values map[string]any, others map[string]string) {
	values = make(map[string]any, len(fields))
	count := make(map[string]int, 2)
	for name, f := range fields {
		values[name] = f.Value
		count[f.HLC]++
	}
	best := -1
	for h, n := range count {
		if n > best || (n == best && h > common) {
			common, best = h, n
		}
	}
	for name, f := range fields {
		if f.HLC != common {
			if others == nil {
				others = make(map[string]string, len(fields)-best)
			}
			others[name] = f.HLC
		}
	}
	return common, values, others
}

// joinStamps gives every value its stamp back.
func joinStamps(common string, values map[string]any, others map[string]string) (map[string]Field, error) {
	for name := range others {
		if _, ok := values[name]; !ok {
			return nil, fmt.Errorf("a stamp for field %q, which has no value", name)
		}
	}
	if len(values) == 0 {
		return nil, nil // an op without fields decodes the same however it was written
	}
	fields := make(map[string]Field, len(values))
	for name, v := range values {
		h, ok := others[name]
		if !ok {
			h = common
		}
		fields[name] = Field{Value: v, HLC: h}
	}
	return fields, nil
}

// statusLetters are the one-letter forms of op result statuses in a push
// reply.
var statusLetters = map[string]byte{Applied: 'a', Duplicate: 'd', Conflicted: 'c', Rejected: 'r', Superseded: 's'}

type wirePushResponse struct {
	Statuses string     `json:"statuses"` // one letter per op sent, in order
	Notes    []wireNote `json:"notes,omitempty"`
	Clock    string     `json:"clock"`
}

// wireNote is what a result says beyond its status, for the op at index I.
type wireNote struct {
	I       int    `json:"i"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// MarshalJSON writes the short form. Results must be in the order of the
// ops pushed: the short form names ops by position, not by id.
func (r PushResponse) MarshalJSON() ([]byte, error) {
	w := wirePushResponse{Clock: r.Clock}
	letters := make([]byte, len(r.Results))
	for i, res := range r.Results {
		l, ok := statusLetters[res.Status]
		if !ok {
			return nil, fmt.Errorf("op result %d has an unknown status %q", i, res.Status)
		}
		letters[i] = l
		if res.Code != "" || res.Message != "" {
			w.Notes = append(w.Notes, wireNote{I: i, Code: res.Code, Message: res.Message})
		}
	}
	w.Statuses = string(letters)
	return json.Marshal(w)
}

// UnmarshalJSON reads the short form. The results it makes have no op
// ids: the receiver knows which ops it sent, in which order.
func (r *PushResponse) UnmarshalJSON(b []byte) error {
	var w wirePushResponse
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	names := make(map[byte]string, len(statusLetters))
	for s, l := range statusLetters {
		names[l] = s
	}
	results := make([]OpResult, len(w.Statuses))
	for i := range len(w.Statuses) {
		s, ok := names[w.Statuses[i]]
		if !ok {
			return fmt.Errorf("push reply: unknown status letter %q for op %d", w.Statuses[i], i)
		}
		results[i].Status = s
	}
	for _, n := range w.Notes {
		if n.I < 0 || n.I >= len(results) {
			return fmt.Errorf("push reply: a note for op %d of %d", n.I, len(results))
		}
		results[n.I].Code, results[n.I].Message = n.Code, n.Message
	}
	*r = PushResponse{Results: results, Clock: w.Clock}
	return nil
}
