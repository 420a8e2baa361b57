// Package safeer is the domain of the programme's field tool: the people on
// the roster, the workshops they attend, their attendance and the places
// (governorates and wilayats) these belong to. It depends on no store, no
// network and no screen, so the device (package data), HQ (package hq) and
// every screen and command speak of the same things in the same words.
package safeer
