package ui

import (
	"sort"

	"github.com/oman-sca/safeer"
)

// places turns the reference data (governorates and wilayats, held in memory
// by the store) into the names a drop-down shows in the current language,
// and back.
type places struct{ store PlaceStore }

func newPlaces(s PlaceStore) *places { return &places{store: s} }

// govName is a governorate's name for l ("" for "").
func (p *places) govName(l Lang, code string) string {
	for _, g := range p.store.Governorates() {
		if g.Code == code {
			return l.pick(g.En, g.Ar)
		}
	}
	return code
}

// govNames are the governorates' names for l, in the store's order.
func (p *places) govNames(l Lang) []string {
	var out []string
	for _, g := range p.store.Governorates() {
		out = append(out, l.pick(g.En, g.Ar))
	}
	return out
}

// govCode is the code of the governorate named name in l ("" when none).
func (p *places) govCode(l Lang, name string) string {
	for _, g := range p.store.Governorates() {
		if l.pick(g.En, g.Ar) == name {
			return g.Code
		}
	}
	return ""
}

// wilayatName is a wilayat's name for l; wilayats are stored by English name.
func (p *places) wilayatName(l Lang, gov, en string) string {
	if en == "" {
		return ""
	}
	if pl, ok := p.store.Place(gov, en); ok {
		return l.pick(pl.WilayatEn, pl.WilayatAr)
	}
	return en
}

// wilayatNames are the wilayats of gov (all when ""), by name for l.
func (p *places) wilayatNames(l Lang, gov string) []string {
	var out []string
	for _, pl := range p.live(gov) {
		out = append(out, l.pick(pl.WilayatEn, pl.WilayatAr))
	}
	sort.Strings(out)
	return out
}

// wilayatEn is the stored (English) name of the wilayat of gov named name in l.
func (p *places) wilayatEn(l Lang, gov, name string) string {
	for _, pl := range p.live(gov) {
		if l.pick(pl.WilayatEn, pl.WilayatAr) == name {
			return pl.WilayatEn
		}
	}
	return ""
}

// wilayatGov is the governorate of the wilayat named name in l.
func (p *places) wilayatGov(l Lang, name string) string {
	for _, pl := range p.live("") {
		if l.pick(pl.WilayatEn, pl.WilayatAr) == name {
			return pl.Governorate
		}
	}
	return ""
}

func (p *places) live(gov string) []safeer.Place {
	var out []safeer.Place
	for _, pl := range p.store.Wilayats(gov) {
		if !pl.Deleted {
			out = append(out, pl)
		}
	}
	return out
}
