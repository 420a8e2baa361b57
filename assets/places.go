package assets

import _ "embed"

// PlacesCSV is the seed of reference data: Oman's governorates (ISO 3166-2:OM
// codes) and their wilayats in English and Arabic. HQ may send updates later;
// this copy only seeds a new database.
//
//go:embed places.csv
var PlacesCSV []byte
