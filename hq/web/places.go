package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/assets"
	"github.com/oman-sca/safeer/hq"
)

// Place is a wilayat of a governorate: the reference data every device
// seeds from assets/places.csv, plus what HQ added since (place rows).
// WilayatEn is what person and workshop rows hold.
type Place struct {
	safeer.Place
	AddedAtHQ bool
}

// Gov is a governorate.
type Gov struct{ Code, En, Ar string }

var (
	seedOnce sync.Once
	seed     []Place
)

func seedPlaces() []Place {
	seedOnce.Do(func() {
		recs, err := csv.NewReader(bytes.NewReader(assets.PlacesCSV)).ReadAll()
		if err != nil {
			panic(fmt.Sprintf("web: reference data: %v", err))
		}
		for _, r := range recs[1:] {
			seed = append(seed, Place{Place: safeer.Place{ID: safeer.PlaceID(r[0], r[3]), Governorate: r[0], GovernorateEn: r[1],
				GovernorateAr: r[2], WilayatEn: r[3], WilayatAr: r[4]}})
		}
	})
	return seed
}

// places is the reference data as the devices have it after their last
// pull: the seed, with HQ's place rows added, changed or deleted.
func (s *Site) places(ctx context.Context) ([]Place, error) {
	byID := map[string]Place{}
	for _, p := range seedPlaces() {
		byID[p.ID] = p
	}
	err := eachOf(ctx, s, hq.RowQuery{Table: safeer.TablePlace}, hq.PlaceOf, func(_ hq.Row, pl safeer.Place) error {
		if pl.Deleted {
			delete(byID, pl.ID)
			return nil
		}
		p := byID[pl.ID]
		p.ID, p.AddedAtHQ = pl.ID, true
		for _, f := range []struct {
			dst *string
			v   string
		}{{&p.Governorate, pl.Governorate},
			{&p.GovernorateEn, pl.GovernorateEn}, {&p.GovernorateAr, pl.GovernorateAr},
			{&p.WilayatEn, pl.WilayatEn}, {&p.WilayatAr, pl.WilayatAr}} {
			if f.v != "" {
				*f.dst = f.v
			}
		}
		byID[pl.ID] = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Place, 0, len(byID))
	for _, p := range byID {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Governorate != out[j].Governorate {
			return out[i].Governorate < out[j].Governorate
		}
		return out[i].WilayatEn < out[j].WilayatEn
	})
	return out, nil
}

// governorates lists the governorates of places, by English name.
// govNames maps each governorate's code to its English name, for pages
// that show codes as names.
func govNames(govs []Gov) map[string]string {
	out := make(map[string]string, len(govs))
	for _, g := range govs {
		out[g.Code] = g.En
	}
	return out
}

func governorates(places []Place) []Gov {
	seen := map[string]bool{}
	var out []Gov
	for _, p := range places {
		if !seen[p.Governorate] {
			seen[p.Governorate] = true
			out = append(out, Gov{Code: p.Governorate, En: p.GovernorateEn, Ar: p.GovernorateAr})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].En < out[j].En })
	return out
}

// placeKey folds a place name for comparison ("Al-Seeb" = "al seeb"), as
// the devices resolve places (safeer.PlaceKey).
func placeKey(s string) string { return safeer.PlaceKey(s) }

type placesPage struct {
	consolePage
	Governorates []Gov
	ByGov        []govPlaces
	Gov, En, Ar  string
}

type govPlaces struct {
	Gov    Gov
	Places []Place
}

func (s *Site) renderPlaces(w http.ResponseWriter, r *http.Request, ses *session, status int, p placesPage) {
	places, err := s.places(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.consolePage.CSS, p.Title, p.Nav, p.Admin, p.CSRF = s.cssHash, "Wilayats", "places", ses.Admin, ses.CSRF
	p.Governorates = governorates(places)
	for _, g := range p.Governorates {
		gp := govPlaces{Gov: g}
		for _, pl := range places {
			if pl.Governorate == g.Code {
				gp.Places = append(gp.Places, pl)
			}
		}
		p.ByGov = append(p.ByGov, gp)
	}
	s.render(w, r, status, "places", p)
}

func (s *Site) handlePlaces(w http.ResponseWriter, r *http.Request, ses *session) {
	s.renderPlaces(w, r, ses, http.StatusOK, placesPage{})
}

// handleAddPlace adds a wilayat to a governorate: a place row made by HQ,
// which every device pulls (reference data is for everyone).
func (s *Site) handleAddPlace(w http.ResponseWriter, r *http.Request, ses *session) {
	gov := strings.TrimSpace(r.PostForm.Get("governorate"))
	en := safeer.CollapseSpaces(r.PostForm.Get("wilayat_en"))
	ar := safeer.CollapseSpaces(r.PostForm.Get("wilayat_ar"))
	form := placesPage{Gov: gov, En: en, Ar: ar}
	bad := func(msg string) {
		form.Error = msg
		s.renderPlaces(w, r, ses, http.StatusBadRequest, form)
	}
	places, err := s.places(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var g *Gov
	for _, x := range governorates(places) {
		if x.Code == gov {
			g = &x
		}
	}
	switch {
	case g == nil:
		bad("Choose the governorate.")
		return
	case en == "" || ar == "":
		bad("Give the wilayat's name in English and in Arabic.")
		return
	case len(en) > 100 || len(ar) > 200:
		bad("The name is too long.")
		return
	}
	for _, p := range places {
		if p.Governorate == gov && (placeKey(p.WilayatEn) == placeKey(en) || placeKey(p.WilayatAr) == placeKey(ar)) {
			bad(fmt.Sprintf("%s already has the wilayat %s (%s).", g.En, p.WilayatEn, p.WilayatAr))
			return
		}
	}
	id := safeer.PlaceID(gov, en)
	err = s.srv.Edit(r.Context(), func(e *hq.EditTx) error {
		if _, err := e.Set(safeer.TablePlace, id, map[string]any{
			safeer.FieldGovernorate: gov, safeer.FieldGovernorateEn: g.En, safeer.FieldGovernorateAr: g.Ar,
			safeer.FieldWilayatEn: en, safeer.FieldWilayatAr: ar, safeer.FieldDeleted: false}); err != nil {
			return err
		}
		return e.Audit(hq.AuditEntry{Admin: ses.Admin, Action: "place.add", Target: id,
			Detail: fmt.Sprintf("%s: %s / %s", gov, en, ar), Remote: s.remote(r)})
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderPlaces(w, r, ses, http.StatusOK, placesPage{consolePage: consolePage{
		Notice: fmt.Sprintf("Added %s (%s) to %s. Every device has it after its next sync.", en, ar, g.En)}})
}
