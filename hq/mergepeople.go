package hq

import (
	"context"
	"fmt"
	"strings"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/roster"
)

// MergeError is a merge HQ cannot make as asked, in words for the
// administrator: a person named is not at HQ (NotFound), or the choice
// does not go together (the same record twice, a wilayat taken from
// another governorate than the governorate taken, …).
type MergeError struct {
	Msg      string
	NotFound bool
}

func (e *MergeError) Error() string { return e.Msg }

// MergePlan is a merge laid out before it is made: both records as they
// are, and the fields with the sides that will be taken (roster.Plan's
// defaults with the administrator's choices applied).
type MergePlan struct {
	Kept, Merged safeer.Person
	Fields       []roster.FieldChoice
}

// PlanMerge lays out the merge of person merge into person keep (or into
// whoever keep was already merged into) with take (field → side) applied
// over roster.Plan's defaults. Nothing changes.
func (s *Server) PlanMerge(ctx context.Context, keep, merge string, take map[string]roster.Side) (MergePlan, error) {
	return planMerge(func(id string) (Row, bool, error) { return s.store.Row(ctx, safeer.TablePerson, id) }, keep, merge, take)
}

// MergeResult is what MergePeople did.
type MergeResult struct {
	Kept, Merged safeer.Person // as they were before the merge
	FromMerged   []string      // the fields the kept record took from the merged one
	Already      bool          // merge was already merged into keep: nothing changed
}

// MergePeople merges person merge into person keep (or into whoever keep
// was already merged into), with the values chosen field by field in take
// (a field not in take gets roster.Plan's side, so nothing non-empty is
// dropped unless chosen). In one transaction, as HQ changes the devices
// pull: the kept person's changed fields, the merged one's merged_into,
// and the audit entry by. The merged person's attendance then counts as the
// kept person's (the devices follow merged_into on every read). The people
// merged into the merged one earlier follow it to the kept one, so merges
// stay one level deep, as on the devices. It is the rule the devices'
// data.Store.MergePeople applies; the repairs of what concurrent merges make
// are breakMergeCycle and undoMergesIntoDeleted.
func (s *Server) MergePeople(ctx context.Context, keep, merge string, take map[string]roster.Side, by Actor) (MergeResult, error) {
	var res MergeResult
	err := s.Edit(ctx, func(e *EditTx) error {
		res = MergeResult{}
		plan, err := planMerge(func(id string) (Row, bool, error) { return e.tx.Row(ctx, safeer.TablePerson, id) }, keep, merge, take)
		if err != nil {
			return err
		}
		res.Kept, res.Merged = plan.Kept, plan.Merged
		target := plan.Kept.ID
		if plan.Merged.MergedInto == target {
			res.Already = true
			return nil
		}
		changes := map[string]any{}
		for _, f := range plan.Fields {
			if v := f.Value(); v != f.Kept.Value {
				changes[f.Field] = v
				if f.Choice == roster.Merged {
					res.FromMerged = append(res.FromMerged, f.Field)
				}
			}
		}
		if len(changes) > 0 {
			if _, err := e.Set(safeer.TablePerson, target, changes); err != nil {
				return err
			}
		}
		if _, err := e.Set(safeer.TablePerson, plan.Merged.ID, map[string]any{safeer.FieldMergedInto: target}); err != nil {
			return err
		}
		// Those merged into the merged one earlier now stand for target.
		followers, err := e.tx.MergedInto(ctx, plan.Merged.ID)
		if err != nil {
			return err
		}
		for _, f := range followers {
			if f.ID == target {
				continue
			}
			if _, err := e.Set(safeer.TablePerson, f.ID, map[string]any{safeer.FieldMergedInto: target}); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("merged %s (%s, %s) into %s", plan.Merged.DisplayName(), plan.Merged.ID,
			plan.Merged.Governorate, plan.Kept.DisplayName())
		if len(res.FromMerged) > 0 {
			detail += "; took from the merged record: " + strings.Join(res.FromMerged, ", ")
		}
		return e.Audit(by.entry(s.now(), "person.merge", target, detail))
	})
	if err != nil {
		return MergeResult{}, err
	}
	return res, nil
}

// planMerge reads both records (through read, a transaction's or the
// store's) and lays the merge out.
func planMerge(read func(id string) (Row, bool, error), keep, merge string, take map[string]roster.Side) (MergePlan, error) {
	person := func(id string) (safeer.Person, map[string]roster.Value, bool, error) {
		r, found, err := read(id)
		if err != nil || !found {
			return safeer.Person{}, nil, false, err
		}
		p, err := PersonOf(r)
		if err != nil {
			return safeer.Person{}, nil, false, err
		}
		v, err := MergeValues(r)
		return p, v, err == nil, err
	}
	kept, kv, found, err := person(keep)
	if err != nil {
		return MergePlan{}, err
	}
	if found && kept.MergedInto != "" {
		// Merge into whoever the kept record already stands for.
		if kept, kv, found, err = person(kept.MergedInto); err != nil {
			return MergePlan{}, err
		}
	}
	if !found || kept.Deleted {
		return MergePlan{}, &MergeError{Msg: "the person to keep is not at HQ (or was deleted)", NotFound: true}
	}
	if kept.ID == merge {
		return MergePlan{}, &MergeError{Msg: "That is one record (or one was already merged into the other): choose two."}
	}
	merged, mv, found, err := person(merge)
	if err != nil {
		return MergePlan{}, err
	}
	if !found {
		return MergePlan{}, &MergeError{Msg: fmt.Sprintf("person %s is not at HQ", merge), NotFound: true}
	}
	fields, err := roster.Choose(roster.Plan(kv, mv), take)
	if err != nil {
		return MergePlan{}, &MergeError{Msg: err.Error()}
	}
	return MergePlan{Kept: kept, Merged: merged, Fields: fields}, nil
}
