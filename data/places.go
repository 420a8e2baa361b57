package data

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/assets"
)

func seedPlaces(ctx context.Context, tx *sql.Tx) error {
	r := csv.NewReader(bytes.NewReader(assets.PlacesCSV))
	recs, err := r.ReadAll()
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO place
		(id, governorate, governorate_en, governorate_ar, wilayat_en, wilayat_ar) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, rec := range recs[1:] {
		if len(rec) != 5 {
			return fmt.Errorf("reference data: row %v has %d columns, want 5", rec, len(rec))
		}
		if _, err := stmt.ExecContext(ctx, safeer.PlaceID(rec[0], rec[3]), rec[0], rec[1], rec[2], rec[3], rec[4]); err != nil {
			return fmt.Errorf("reference data %s/%s: %w", rec[0], rec[3], err)
		}
	}
	return nil
}

// Governorate is one of Oman's governorates.
type Governorate struct {
	Code string `json:"code"`
	En   string `json:"en"`
	Ar   string `json:"ar"`
}

// placeSet is the reference data in memory: it is small (a few hundred
// rows), read on every validation, and changes only when HQ sends an update.
type placeSet struct {
	mu     sync.RWMutex
	places []safeer.Place
	// byKey maps folded codes and names of governorates to codes, and
	// "CODE|folded wilayat name" to the wilayat's English name.
	govByKey     map[string]string
	wilayatByKey map[string]string
}

func loadPlaces(ctx context.Context, db *sql.DB) (*placeSet, error) {
	ps := &placeSet{}
	return ps, ps.reload(ctx, db)
}

func (ps *placeSet) reload(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT id, governorate, governorate_en, governorate_ar, wilayat_en, wilayat_ar
		FROM place WHERE deleted = 0 ORDER BY governorate, wilayat_en`)
	if err != nil {
		return fmt.Errorf("load places: %w", err)
	}
	defer rows.Close()
	var places []safeer.Place
	gov := map[string]string{}
	wil := map[string]string{}
	for rows.Next() {
		var p safeer.Place
		if err := rows.Scan(&p.ID, &p.Governorate, &p.GovernorateEn, &p.GovernorateAr, &p.WilayatEn, &p.WilayatAr); err != nil {
			return err
		}
		places = append(places, p)
		for _, k := range []string{p.Governorate, p.GovernorateEn, p.GovernorateAr, strings.TrimPrefix(p.Governorate, "OM-")} {
			gov[placeKey(k)] = p.Governorate
		}
		for _, k := range []string{p.WilayatEn, p.WilayatAr} {
			wil[p.Governorate+"|"+placeKey(k)] = p.WilayatEn
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	ps.mu.Lock()
	ps.places, ps.govByKey, ps.wilayatByKey = places, gov, wil
	ps.mu.Unlock()
	return nil
}

// placeKey folds a place name so "Al Batinah North", "al-batinah north" and
// "شمال الباطنة" with or without hamza all find their row (safeer.PlaceKey).
func placeKey(s string) string { return safeer.PlaceKey(s) }

// governorate resolves a code or a name in either language to the ISO code.
func (ps *placeSet) governorate(s string) (string, bool) {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	code, ok := ps.govByKey[placeKey(s)]
	return code, ok
}

// wilayat resolves a wilayat name in either language within a governorate
// to its English name.
func (ps *placeSet) wilayat(gov, s string) (string, bool) {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	w, ok := ps.wilayatByKey[gov+"|"+placeKey(s)]
	return w, ok
}

// wilayatAnywhere finds which governorate a wilayat name belongs to, for
// the error that says "X is in Y, not in Z".
func (ps *placeSet) wilayatAnywhere(s string) (safeer.Place, bool) {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	k := placeKey(s)
	for _, p := range ps.places {
		if placeKey(p.WilayatEn) == k || placeKey(p.WilayatAr) == k {
			return p, true
		}
	}
	return safeer.Place{}, false
}

func (ps *placeSet) place(gov, wilayatEn string) (safeer.Place, bool) {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	for _, p := range ps.places {
		if p.Governorate == gov && p.WilayatEn == wilayatEn {
			return p, true
		}
	}
	return safeer.Place{}, false
}

// Governorates lists the governorates, sorted by code.
func (s *Store) Governorates() []Governorate {
	s.places.mu.RLock()
	defer s.places.mu.RUnlock()
	seen := map[string]bool{}
	var out []Governorate
	for _, p := range s.places.places {
		if !seen[p.Governorate] {
			seen[p.Governorate] = true
			out = append(out, Governorate{Code: p.Governorate, En: p.GovernorateEn, Ar: p.GovernorateAr})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Wilayats lists the wilayats of a governorate (all of them when gov is "").
func (s *Store) Wilayats(gov string) []safeer.Place {
	s.places.mu.RLock()
	defer s.places.mu.RUnlock()
	var out []safeer.Place
	for _, p := range s.places.places {
		if gov == "" || p.Governorate == gov {
			out = append(out, p)
		}
	}
	return out
}

// Place returns the reference row of a wilayat.
func (s *Store) Place(gov, wilayatEn string) (safeer.Place, bool) {
	return s.places.place(gov, wilayatEn)
}
