package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/oman-sca/safeer/arabic"
	"github.com/oman-sca/safeer/hq"
)

// Person is a roster entry as the console shows it.
type Person struct {
	ID, Kind, NameAr, NameEn     string
	Governorate, Wilayat, Status string
	Phone, Email, CivilID        string
	Organisation                 string
	words                        string // " w1 w2 … " of the folded names, compounds joined too
	sortKey                      string
}

func personOf(row hq.Row, v map[string]any) Person {
	p := Person{ID: row.ID, Kind: str(v, "kind"), NameAr: str(v, "name_ar"), NameEn: str(v, "name_en"),
		Governorate: str(v, "governorate"), Wilayat: str(v, "wilayat"), Status: str(v, "status"),
		Phone: str(v, "phone"), Email: str(v, "email"), CivilID: str(v, "civil_id"), Organisation: str(v, "organisation")}
	ar, en := arabic.Fold(p.NameAr), arabic.Fold(p.NameEn)
	p.words = " " + strings.Join(arabic.NameTokens(ar+" "+en), " ") + " "
	p.sortKey = ar
	if p.sortKey == "" {
		p.sortKey = "\uffff" + en // Latin-only names after Arabic ones, as an Arabic list reads
	}
	return p
}

// nationalDigits is the digits of a phone number without Oman's +968.
func nationalDigits(phone string) string {
	var b strings.Builder
	for _, r := range arabic.Digits(phone) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	switch {
	case len(d) == 11 && strings.HasPrefix(d, "968"):
		d = d[3:]
	case len(d) == 13 && strings.HasPrefix(d, "00968"):
		d = d[5:]
	}
	return d
}

// query is a roster search: every word must begin a word of the names (in
// either language, any spelling arabic.Fold treats as the same), or the
// query is a phone number, civil id or e-mail address.
type query struct {
	words  []string
	digits string
	email  string
}

func newQuery(raw string) query {
	folded := arabic.Fold(raw)
	q := query{words: strings.Fields(folded)}
	if strings.Contains(folded, "@") {
		q.email = strings.TrimSpace(folded)
	}
	onlyDigits := true
	for _, r := range folded {
		if !(r >= '0' && r <= '9' || strings.ContainsRune(" +-().", r)) {
			onlyDigits = false
		}
	}
	if d := nationalDigits(folded); onlyDigits && len(d) >= 3 {
		q.digits = d
	}
	return q
}

func (q query) empty() bool { return len(q.words) == 0 }

func (q query) match(p *Person) bool {
	if q.empty() {
		return true
	}
	if q.digits != "" {
		return strings.Contains(nationalDigits(p.Phone), q.digits) || strings.Contains(p.CivilID, q.digits)
	}
	if q.email != "" {
		return strings.Contains(strings.ToLower(p.Email), q.email)
	}
	for _, w := range q.words {
		if !strings.Contains(p.words, " "+w) {
			return false
		}
	}
	return true
}

// livePeople calls fn with every person not deleted nor merged.
func (s *Site) livePeople(ctx context.Context, scopes []string, fn func(Person)) error {
	return s.eachRow(ctx, hq.RowQuery{Table: "person", Scopes: scopes}, func(row hq.Row, v map[string]any) error {
		if !truth(v, "deleted") && str(v, "merged_into") == "" {
			fn(personOf(row, v))
		}
		return nil
	})
}

func sortPeople(ps []Person) {
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
	People       []Person
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
	for _, g := range p.Governorates {
		p.GovNames[g.Code] = g.En
	}
	var scopes []string
	if p.Gov != "" {
		scopes = []string{p.Gov}
		for _, pl := range places {
			if pl.Governorate == p.Gov {
				p.Wilayats = append(p.Wilayats, pl)
			}
		}
	}
	q := newQuery(p.Q)
	var found []Person
	err = s.livePeople(ctx, scopes, func(pe Person) {
		if p.Wilayat != "" && pe.Wilayat != p.Wilayat {
			return
		}
		if q.match(&pe) {
			found = append(found, pe)
		}
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sortPeople(found)
	p.Total = len(found)
	if len(found) > maxRosterShown {
		found = found[:maxRosterShown]
	}
	p.People, p.Shown = found, len(found)
	s.render(w, r, http.StatusOK, "roster", p)
}

// Duplicates across governorates.

// DuplicateGroup is people in more than one governorate who may be the
// same person, and why.
type DuplicateGroup struct {
	People  []Person
	Reasons []string
}

// duplicateKeys are the ways two records can name one person.
func duplicateKeys(p *Person) map[string]string {
	keys := map[string]string{}
	if c := strings.TrimSpace(arabic.Digits(p.CivilID)); len(c) >= 5 {
		keys["civil:"+c] = "same civil ID"
	}
	if d := nationalDigits(p.Phone); len(d) >= 7 {
		keys["phone:"+d] = "same phone"
	}
	if e := strings.ToLower(strings.TrimSpace(p.Email)); strings.Contains(e, "@") {
		keys["email:"+e] = "same e-mail"
	}
	for _, n := range []string{p.NameAr, p.NameEn} {
		if k := arabic.NameKey(arabic.Fold(n)); strings.Count(k, " ") >= 1 { // two words at least
			keys["name:"+k] = "same name"
		}
	}
	return keys
}

// findDuplicates groups the people who share a civil ID, phone, e-mail or
// whole name (as arabic.Fold and nameKey see it) and keeps the groups that
// span more than one governorate: within one governorate, the devices'
// own duplicate check finds them.
func findDuplicates(people []Person) []DuplicateGroup {
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
	first := map[string]int{}
	reasons := map[int]map[string]bool{} // by member, the reasons it joined
	for i := range people {
		for k, why := range duplicateKeys(&people[i]) {
			j, seen := first[k]
			if !seen {
				first[k] = i
				continue
			}
			if people[i].Governorate == people[j].Governorate && k[:5] == "name:" {
				// Two namesakes in one governorate are the device's to
				// judge; join only across governorates on the name alone.
				continue
			}
			a, b := find(i), find(j)
			if a != b {
				parent[a] = b
			}
			for _, m := range []int{i, j} {
				if reasons[m] == nil {
					reasons[m] = map[string]bool{}
				}
				reasons[m][why] = true
			}
		}
	}
	groups := map[int][]int{}
	for i := range people {
		groups[find(i)] = append(groups[find(i)], i)
	}
	var out []DuplicateGroup
	for _, members := range groups {
		if len(members) < 2 {
			continue
		}
		govs := map[string]bool{}
		why := map[string]bool{}
		g := DuplicateGroup{}
		for _, m := range members {
			govs[people[m].Governorate] = true
			for r := range reasons[m] {
				why[r] = true
			}
			g.People = append(g.People, people[m])
		}
		if len(govs) < 2 {
			continue
		}
		for r := range why {
			g.Reasons = append(g.Reasons, r)
		}
		sort.Strings(g.Reasons)
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
	for _, g := range governorates(places) {
		p.GovNames[g.Code] = g.En
	}
	var people []Person
	if err := s.livePeople(ctx, nil, func(pe Person) { people = append(people, pe) }); err != nil {
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

// handleMerge merges the group's other people into the one chosen to
// keep: each gets merged_into, set by HQ, which the devices pull; their
// attendance then counts as the kept person's (package data follows
// merged_into on every read). People merged into a merged one follow, so
// merges stay one level deep, as on the devices.
func (s *Site) handleMerge(w http.ResponseWriter, r *http.Request, ses *session) {
	into := strings.TrimSpace(r.PostForm.Get("into"))
	var from []string
	for _, id := range r.PostForm["member"] {
		if id = strings.TrimSpace(id); id != "" && id != into {
			from = append(from, id)
		}
	}
	if into == "" || len(from) == 0 {
		s.renderDuplicates(w, r, ses, http.StatusBadRequest, "", "Choose the record to keep, and at least one other to merge into it.")
		return
	}
	now := s.srv.Now().UTC()
	var merged []string
	err := s.srv.Edit(r.Context(), func(e *hq.EditTx) error {
		_, dst, found, err := e.Row("person", into)
		if err != nil {
			return err
		}
		if !found || truth(dst, "deleted") {
			return errNotFound("the person to keep is not at HQ (or was deleted)")
		}
		target := into
		if m := str(dst, "merged_into"); m != "" {
			target = m // merge into whoever the kept record already stands for
		}
		for _, id := range from {
			if id == target {
				continue
			}
			_, src, found, err := e.Row("person", id)
			if err != nil {
				return err
			}
			if !found {
				return errNotFound(fmt.Sprintf("person %s is not at HQ", id))
			}
			if str(src, "merged_into") == target {
				continue
			}
			if _, err := e.Set("person", id, map[string]any{"merged_into": target}); err != nil {
				return err
			}
			merged = append(merged, fmt.Sprintf("%s (%s, %s)", firstNonEmpty(str(src, "name_ar"), str(src, "name_en")), id, str(src, "governorate")))
			// Those merged into id earlier now stand for target.
			followers, err := s.mergedInto(e, id)
			if err != nil {
				return err
			}
			for _, f := range followers {
				if f == target {
					continue
				}
				if _, err := e.Set("person", f, map[string]any{"merged_into": target}); err != nil {
					return err
				}
			}
		}
		if len(merged) == 0 {
			return nil
		}
		return e.Audit(hq.AuditEntry{At: now, Admin: ses.Admin, Action: "person.merge", Target: target,
			Detail: "merged " + strings.Join(merged, "; ") + " into " + firstNonEmpty(str(dst, "name_ar"), str(dst, "name_en")),
			Remote: s.remote(r)})
	})
	if nf, ok := err.(errNotFound); ok {
		s.renderDuplicates(w, r, ses, http.StatusNotFound, "", string(nf))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(merged) == 0 {
		s.renderDuplicates(w, r, ses, http.StatusOK, "Nothing to do: those records were already merged.", "")
		return
	}
	s.renderDuplicates(w, r, ses, http.StatusOK,
		fmt.Sprintf("Merged %d record(s). The devices of their governorates learn it at their next sync.", len(merged)), "")
}

// mergedInto lists the people whose merged_into is id.
func (s *Site) mergedInto(e *hq.EditTx, id string) ([]string, error) {
	var out []string
	q := hq.RowQuery{Table: "person", Limit: 1000}
	for {
		rows, err := e.Rows(q)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			v, err := hq.RowValues(row)
			if err != nil {
				return nil, err
			}
			if str(v, "merged_into") == id {
				out = append(out, row.ID)
			}
		}
		if len(rows) < q.Limit {
			return out, nil
		}
		q.After = rows[len(rows)-1].ID
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
