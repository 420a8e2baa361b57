package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/arabic"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/roster"
	"github.com/oman-sca/safeer/roster/index"
)

// listed is a person as the console lists them: the domain's person
// (hq.PersonOf) with the key the roster is ordered by (index.SortKey, the
// devices' order).
type listed struct {
	safeer.Person
	sortKey string
}

func listPerson(p safeer.Person) listed {
	return listed{Person: p, sortKey: index.SortKey(arabic.Fold(p.NameAr), arabic.Fold(p.NameEn))}
}

// livePeople calls fn with every person not deleted nor merged.
func (s *Site) livePeople(ctx context.Context, scopes []string, fn func(listed)) error {
	return eachOf(ctx, s, hq.RowQuery{Table: safeer.TablePerson, Scopes: scopes}, hq.PersonOf, func(_ hq.Row, p safeer.Person) error {
		if !p.Deleted && p.MergedInto == "" {
			fn(listPerson(p))
		}
		return nil
	})
}

func sortPeople(ps []listed) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].sortKey != ps[j].sortKey {
			return ps[i].sortKey < ps[j].sortKey
		}
		return ps[i].ID < ps[j].ID
	})
}

type rosterPage struct {
	consolePage
	Governorates []Gov
	Wilayats     []Place
	Gov, Wilayat string
	Q            string
	People       []listed
	Total        int // matches, of which People holds the first maxRosterShown
	Shown        int
	GovNames     map[string]string
}

const maxRosterShown = 500

func (s *Site) handleRoster(w http.ResponseWriter, r *http.Request, ses *session) {
	ctx := r.Context()
	qv := r.URL.Query()
	p := rosterPage{consolePage: s.base(ses, "roster", "National roster"), Gov: qv.Get("gov"), Wilayat: qv.Get("wilayat"),
		Q: strings.TrimSpace(qv.Get("q")), GovNames: map[string]string{}}
	places, err := s.places(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Governorates = governorates(places)
	p.GovNames = govNames(p.Governorates)
	var scopes []string
	if p.Gov != "" {
		scopes = []string{p.Gov}
		for _, pl := range places {
			if pl.Governorate == p.Gov {
				p.Wilayats = append(p.Wilayats, pl)
			}
		}
	}
	// The search is the devices' (roster/index): the same folding, the same
	// answer to a phone, civil ID or e-mail, the same ranking.
	people := map[string]listed{}
	var entries []*index.Entry
	err = s.livePeople(ctx, scopes, func(pe listed) {
		people[pe.ID] = pe
		entries = append(entries, index.NewEntry(index.SummaryOf(pe.Person)))
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := index.ForSearch(entries).Search(index.ParseQuery(p.Q), index.Options{Wilayat: p.Wilayat, Limit: maxRosterShown})
	p.Total = page.Total
	found := make([]listed, len(page.Results))
	for i, res := range page.Results {
		found[i] = people[res.ID]
	}
	p.People, p.Shown = found, len(found)
	s.render(w, r, http.StatusOK, "roster", p)
}

// Duplicates across governorates.

// DuplicateGroup is people in more than one governorate who may be the
// same person, and why (strongest reason first).
type DuplicateGroup struct {
	People  []listed
	Reasons []roster.Reason
}

func (p *listed) keys() roster.Keys {
	return roster.KeysOf(p.NameAr, p.NameEn, p.Gender, p.CivilID, p.Phone, p.Email)
}

// duplicateKeys are the ways two records can name one person
// (roster.ExactKeys, the keys of roster.Exact), but HQ matches whole names
// only, of two words at least: close spellings and one-word names are the
// devices' to judge.
func duplicateKeys(k roster.Keys) map[string]roster.Reason {
	keys := roster.ExactKeys(k)
	for key, why := range keys {
		if why == roster.SameName && !strings.Contains(key, " ") {
			delete(keys, key)
		}
	}
	return keys
}

// maxKeyPeers bounds how many earlier holders of one key a person is
// checked against (roster.Offer): a very common name is not evidence, and
// the check stays linear at a national roster's size.
const maxKeyPeers = 200

// findDuplicates groups the people who share a civil ID, phone, e-mail or
// whole name (as roster.KeysOf sees them), joining two only when
// roster.Offer says they may be one person, and keeps the groups that span
// more than one governorate: within one governorate, the devices' own
// duplicate check finds them.
func findDuplicates(people []listed) []DuplicateGroup {
	parent := make([]int, len(people))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	keys := make([]roster.Keys, len(people))
	for i := range people {
		keys[i] = people[i].keys()
	}
	holders := map[string][]int{}
	type joined struct {
		i   int
		why roster.Reason
	}
	var joins []joined
	for i := range people {
		for k, why := range duplicateKeys(keys[i]) {
			peers := holders[k]
			holders[k] = append(peers, i)
			if len(peers) > maxKeyPeers {
				peers = peers[:maxKeyPeers]
			}
			for _, j := range peers {
				if why == roster.SameName && people[i].Governorate == people[j].Governorate {
					// Two namesakes in one governorate are the device's to
					// judge; join only across governorates on the name alone.
					continue
				}
				if !roster.Offer(keys[i], keys[j]) {
					continue
				}
				if a, b := find(i), find(j); a != b {
					parent[a] = b
				}
				joins = append(joins, joined{i, why})
			}
		}
	}
	groups := map[int][]int{}
	for i := range people {
		groups[find(i)] = append(groups[find(i)], i)
	}
	why := map[int]map[roster.Reason]bool{}
	for _, j := range joins {
		g := find(j.i)
		if why[g] == nil {
			why[g] = map[roster.Reason]bool{}
		}
		why[g][j.why] = true
	}
	var out []DuplicateGroup
	for root, members := range groups {
		if len(members) < 2 {
			continue
		}
		govs := map[string]bool{}
		g := DuplicateGroup{}
		for _, m := range members {
			govs[people[m].Governorate] = true
			g.People = append(g.People, people[m])
		}
		if len(govs) < 2 {
			continue
		}
		for _, r := range []roster.Reason{roster.SameCivilID, roster.SamePhone, roster.SameEmail, roster.SameName} {
			if why[root][r] {
				g.Reasons = append(g.Reasons, r)
			}
		}
		sortPeople(g.People)
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].People[0].sortKey < out[j].People[0].sortKey })
	return out
}

type duplicatesPage struct {
	consolePage
	Groups   []DuplicateGroup
	More     int
	GovNames map[string]string
}

const maxGroupsShown = 200

func (s *Site) handleDuplicates(w http.ResponseWriter, r *http.Request, ses *session) {
	s.renderDuplicates(w, r, ses, http.StatusOK, "", "")
}

func (s *Site) renderDuplicates(w http.ResponseWriter, r *http.Request, ses *session, status int, notice, errMsg string) {
	ctx := r.Context()
	p := duplicatesPage{consolePage: s.base(ses, "duplicates", "Duplicates across governorates"), GovNames: map[string]string{}}
	p.Notice, p.Error = notice, errMsg
	places, err := s.places(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.GovNames = govNames(governorates(places))
	var people []listed
	if err := s.livePeople(ctx, nil, func(pe listed) { people = append(people, pe) }); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Groups = findDuplicates(people)
	if len(p.Groups) > maxGroupsShown {
		p.More = len(p.Groups) - maxGroupsShown
		p.Groups = p.Groups[:maxGroupsShown]
	}
	s.render(w, r, status, "duplicates", p)
}

// mergeRow is one field of the merge page: both records' values, and
// which side the form selects (the default, or the administrator's choice
// when the form comes back with an error).
type mergeRow struct {
	roster.FieldChoice
	Label       string
	TakesMerged bool
}

type mergePage struct {
	consolePage
	Keep, Merge safeer.Person
	Rows        []mergeRow
	GovNames    map[string]string
}

// mergeLabels name the fields on the merge page.
var mergeLabels = map[string]string{
	safeer.FieldNameAr: "Name (Arabic)", safeer.FieldNameEn: "Name (English)",
	safeer.FieldGender: "Gender", safeer.FieldCivilID: "Civil ID",
	safeer.FieldPhone: "Phone", safeer.FieldEmail: "E-mail",
	safeer.FieldGovernorate: "Governorate", safeer.FieldWilayat: "Wilayat",
	safeer.FieldOrganisation: "Organisation", safeer.FieldExpertise: "Expertise",
	safeer.FieldJoinedOn: "Joined on", safeer.FieldKind: "Kind",
	safeer.FieldStatus: "Status", safeer.FieldNotes: "Notes",
}

// mergeTarget is what the form names: the record to keep (or whoever it
// was merged into) and the one to merge. members, from the duplicates
// page, lets a two-person group name only the one to keep.
func mergeTarget(keep, merge string, members []string) (string, string, error) {
	keep, merge = strings.TrimSpace(keep), strings.TrimSpace(merge)
	if merge == "" || merge == keep {
		var others []string
		for _, m := range members {
			if m = strings.TrimSpace(m); m != "" && m != keep && !slices.Contains(others, m) {
				others = append(others, m)
			}
		}
		merge = ""
		if len(others) == 1 {
			merge = others[0]
		}
	}
	if keep == "" || merge == "" {
		return "", "", errors.New("Choose the record to keep and the one to merge into it.")
	}
	return keep, merge, nil
}

// formTake reads the administrator's choices: take_FIELD=kept|merged.
func formTake(r *http.Request) (map[string]roster.Side, error) {
	take := map[string]roster.Side{}
	for _, f := range roster.MergeFields {
		if v := r.PostForm.Get("take_" + f); v != "" {
			side, err := roster.ParseSide(v)
			if err != nil {
				return nil, err
			}
			take[f] = side
		}
	}
	return take, nil
}

// handleMergeForm shows the two records side by side, field by field, with
// the defaults of roster.Plan selected: a value over none, of two values
// the more recently changed. Nothing changes until the form is sent.
func (s *Site) handleMergeForm(w http.ResponseWriter, r *http.Request, ses *session) {
	q := r.URL.Query()
	s.renderMerge(w, r, ses, http.StatusOK, q.Get("keep"), q.Get("merge"), q["member"], nil, "")
}

func (s *Site) renderMerge(w http.ResponseWriter, r *http.Request, ses *session, status int, keep, merge string,
	members []string, take map[string]roster.Side, errMsg string) {
	ctx := r.Context()
	keep, merge, err := mergeTarget(keep, merge, members)
	if err != nil {
		s.renderDuplicates(w, r, ses, http.StatusBadRequest, "", err.Error())
		return
	}
	plan, err := s.srv.PlanMerge(ctx, keep, merge, take)
	if bad := (*hq.MergeError)(nil); errors.As(err, &bad) && !bad.NotFound && take != nil {
		// The choices do not go together: show the defaults, and why.
		plan, err = s.srv.PlanMerge(ctx, keep, merge, nil)
		errMsg = bad.Msg
	}
	if s.mergeRefused(w, r, ses, err) {
		return
	}
	p := mergePage{consolePage: s.base(ses, "duplicates", "Merge two records"),
		Keep: plan.Kept, Merge: plan.Merged, GovNames: map[string]string{}}
	p.Error = errMsg
	places, err := s.places(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.GovNames = govNames(governorates(places))
	for _, f := range plan.Fields {
		if f.Kept.Value == "" && f.Merged.Value == "" {
			continue
		}
		p.Rows = append(p.Rows, mergeRow{FieldChoice: f, Label: mergeLabels[f.Field], TakesMerged: f.Choice == roster.Merged})
	}
	if errMsg != "" && status == http.StatusOK {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "merge", p)
}

// handleMerge merges one record into the one kept, with the values the
// administrator chose field by field (take_FIELD=kept|merged; a field not
// sent gets roster.Default's side): hq.Server.MergePeople.
func (s *Site) handleMerge(w http.ResponseWriter, r *http.Request, ses *session) {
	keep, merge, err := mergeTarget(r.PostForm.Get("keep"), r.PostForm.Get("merge"), r.PostForm["member"])
	if err != nil {
		s.renderDuplicates(w, r, ses, http.StatusBadRequest, "", err.Error())
		return
	}
	take, err := formTake(r)
	if err != nil {
		s.renderMerge(w, r, ses, http.StatusBadRequest, keep, merge, nil, nil, err.Error())
		return
	}
	res, err := s.srv.MergePeople(r.Context(), keep, merge, take, hq.Actor{Admin: ses.Admin, Remote: s.remote(r)})
	if bad := (*hq.MergeError)(nil); errors.As(err, &bad) && !bad.NotFound {
		s.renderMerge(w, r, ses, http.StatusBadRequest, keep, merge, nil, take, bad.Msg)
		return
	}
	if s.mergeRefused(w, r, ses, err) {
		return
	}
	if res.Already {
		s.renderDuplicates(w, r, ses, http.StatusOK, "Nothing to do: those records were already merged.", "")
		return
	}
	took := "kept all its own values"
	if len(res.FromMerged) > 0 {
		var labels []string
		for _, f := range res.FromMerged {
			labels = append(labels, strings.ToLower(mergeLabels[f]))
		}
		took = "took from the merged record: " + strings.Join(labels, ", ")
	}
	s.renderDuplicates(w, r, ses, http.StatusOK,
		fmt.Sprintf("Merged %s into %s, which %s. The devices of their governorates learn it at their next sync.",
			res.Merged.DisplayName(), res.Kept.DisplayName(), took), "")
}

// mergeRefused answers a merge's error, if any, on the duplicates page (a
// person not found, a choice to make again) and reports whether it did.
func (s *Site) mergeRefused(w http.ResponseWriter, r *http.Request, ses *session, err error) bool {
	var bad *hq.MergeError
	switch {
	case err == nil:
		return false
	case errors.As(err, &bad) && bad.NotFound:
		s.renderDuplicates(w, r, ses, http.StatusNotFound, "", bad.Msg)
	case errors.As(err, &bad):
		s.renderDuplicates(w, r, ses, http.StatusBadRequest, "", bad.Msg)
	default:
		s.fail(w, r, err)
	}
	return true
}
