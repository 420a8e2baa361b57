// Package roster holds the rules about people that the device (package
// data) and HQ (package hq/web) must apply alike: which of two records'
// values a merge keeps by default, and which pairs of records are offered
// as duplicate candidates and why. It is pure: no store, no HTTP, no Fyne;
// it depends only on arabic (folding) and sync (what "newer" means).
package roster

import (
	"fmt"
	"sort"
	"strings"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// MergeFields are the person fields a merge decides, in the order screens
// show them. The other synced fields of a person, deleted and merged_into,
// are the merge's own business (see NotMerged).
var MergeFields = []string{safeer.FieldNameAr, safeer.FieldNameEn, safeer.FieldGender, safeer.FieldCivilID,
	safeer.FieldPhone, safeer.FieldEmail, safeer.FieldGovernorate, safeer.FieldWilayat, safeer.FieldOrganisation,
	safeer.FieldExpertise, safeer.FieldJoinedOn, safeer.FieldKind, safeer.FieldStatus, safeer.FieldNotes}

// NotMerged are the synced person fields no merge carries from one record
// to the other: the merged record keeps its own, and gets merged_into.
var NotMerged = []string{safeer.FieldDeleted, safeer.FieldMergedInto}

// Value is one field of one record: its value and the clock stamp of the
// write that last set it (protocol.HLC text; "" when unknown, older than all).
type Value struct {
	Value string `json:"value"`
	Stamp string `json:"stamp,omitempty"`
}

// Side names one of the two records of a merge.
type Side string

const (
	Kept   Side = "kept"   // the record that survives
	Merged Side = "merged" // the record merged into it
)

// ParseSide reads "kept" or "merged" (also "keep" and "merge").
func ParseSide(s string) (Side, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "kept", "keep":
		return Kept, nil
	case "merged", "merge":
		return Merged, nil
	}
	return "", fmt.Errorf("%q is not a side of a merge: use kept or merged", s)
}

// FieldChoice is one field of a merge: both records' values, the side the
// rule picks (Default) and the side that will be, or was, applied (Choice).
type FieldChoice struct {
	Field   string `json:"field"`
	Kept    Value  `json:"kept"`
	Merged  Value  `json:"merged"`
	Default Side   `json:"default"`
	Choice  Side   `json:"choice"`
}

// Value is the value of the chosen side.
func (f FieldChoice) Value() string {
	if f.Choice == Merged {
		return f.Merged.Value
	}
	return f.Kept.Value
}

// Differ reports whether the two records disagree on the field, so that
// choosing matters: both have a value and the values differ, or one has a
// value and the other has none.
func (f FieldChoice) Differ() bool { return f.Kept.Value != f.Merged.Value }

// Default is the rule for one field: a value over no value; when both
// records have a value and the values differ, the more recently stamped
// one (protocol.Newer, the order the per-field merge uses), the kept record's
// on a tie. Nothing non-empty is dropped for an empty value.
func Default(kept, merged Value) Side {
	switch {
	case merged.Value == "" || merged.Value == kept.Value:
		return Kept
	case kept.Value == "":
		return Merged
	case protocol.Newer(merged.Stamp, kept.Stamp):
		return Merged
	}
	return Kept
}

// Plan lays out a merge of the record merged into the record kept, field
// by field (MergeFields, in order), with Default's choice for each. Fields
// missing from a map are empty.
//
// Where the person belongs is the kept record's unless chosen otherwise:
// when the two records are in different governorates, the governorate's
// default is the kept side (a newer value does not win there), because
// taking the other would move the survivor out of its governorate, away
// from the devices that hold it, as a side effect of a merge. The wilayat
// goes with the governorate, so the survivor never gets a wilayat of
// another governorate.
func Plan(kept, merged map[string]Value) []FieldChoice {
	out := make([]FieldChoice, 0, len(MergeFields))
	for _, f := range MergeFields {
		c := FieldChoice{Field: f, Kept: kept[f], Merged: merged[f]}
		c.Default = Default(c.Kept, c.Merged)
		c.Choice = c.Default
		out = append(out, c)
	}
	if g := find(out, safeer.FieldGovernorate); out[g].Differ() && out[g].Kept.Value != "" {
		out[g].Default, out[g].Choice = Kept, Kept
	}
	if g := find(out, safeer.FieldGovernorate); out[g].Differ() {
		w := find(out, safeer.FieldWilayat)
		out[w].Default, out[w].Choice = out[g].Default, out[g].Default
	}
	return out
}

func find(plan []FieldChoice, field string) int {
	for i := range plan {
		if plan[i].Field == field {
			return i
		}
	}
	panic("roster: a plan without " + field)
}

// Choose applies the choices in take (field → side) to a copy of plan;
// fields not in take keep their Choice. A field not in the plan, or a side
// other than Kept or Merged, is an error. When the records are in different
// governorates the wilayat follows the governorate's choice, and a choice
// that splits them is an error.
func Choose(plan []FieldChoice, take map[string]Side) ([]FieldChoice, error) {
	out := append([]FieldChoice(nil), plan...)
	fields := make([]string, 0, len(take))
	for f := range take {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		side := take[f]
		if side != Kept && side != Merged {
			return nil, fmt.Errorf("field %s: %q is not a side of a merge: use kept or merged", f, side)
		}
		i := -1
		for j := range out {
			if out[j].Field == f {
				i = j
			}
		}
		if i < 0 {
			return nil, fmt.Errorf("a merge has no field %q (fields: %s)", f, strings.Join(MergeFields, ", "))
		}
		out[i].Choice = side
	}
	g, w := find(out, safeer.FieldGovernorate), find(out, safeer.FieldWilayat)
	if out[g].Differ() && out[w].Choice != out[g].Choice {
		if _, chose := take[safeer.FieldWilayat]; chose && out[w].Differ() {
			return nil, fmt.Errorf("the records are in different governorates: take the wilayat from the record whose governorate you take")
		}
		out[w].Choice = out[g].Choice
	}
	return out, nil
}

// Changes are the kept record's fields that the chosen plan changes, with
// their new values: what a merge writes to the survivor.
func Changes(plan []FieldChoice) map[string]string {
	out := map[string]string{}
	for _, c := range plan {
		if v := c.Value(); v != c.Kept.Value {
			out[c.Field] = v
		}
	}
	return out
}
