package hq

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/assets"
	"github.com/oman-sca/safeer/sync/protocol"
)

// storedField is one field of a row as HQ keeps it: the value and stamp a
// device sent, and R, the sequence number of the write that set it. R is
// what tells HQ whether a device had seen a field: a field set at a
// revision above the op's base revision was news to that device.
type storedField struct {
	V any    `json:"v"`
	H string `json:"h"`
	R int64  `json:"r"`
}

// rowData is a row's fields by name (Row.Data decoded).
type rowData map[string]storedField

func decodeData(b []byte) (rowData, error) {
	d := rowData{}
	if len(b) == 0 {
		return d, nil
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("damaged row data: %w", err)
	}
	return d, nil
}

func (d rowData) encode() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		// Values came from JSON and are scalars; this cannot happen.
		panic(fmt.Sprintf("hq: encode row: %v", err))
	}
	return b
}

// fields is the row in the shape protocol.Merge and protocol.Change use.
func (d rowData) fields() map[string]protocol.Field {
	out := make(map[string]protocol.Field, len(d))
	for k, f := range d {
		out[k] = protocol.Field{Value: f.V, HLC: f.H}
	}
	return out
}

// str is a text field's value ("" when unset or not text).
func (d rowData) str(name string) string {
	s, _ := d[name].V.(string)
	return s
}

// parentField names, for tables whose rows inherit their scope from another
// row, the field holding that row's id and the table it is in. (A
// conflict's table is in its own "tbl" field.)
var parentField = map[string]struct{ field, table string }{
	safeer.TableAttendance:  {safeer.FieldWorkshopID, safeer.TableWorkshop},
	safeer.TableCertificate: {safeer.FieldAttendanceID, safeer.TableAttendance},
	safeer.TableConflict:    {safeer.FieldRowID, ""},
}

// stampDevice is the device part of a stamp's text form ("" if none).
func stampDevice(hlc string) string {
	if len(hlc) > 20 && hlc[12] == '-' && hlc[19] == '-' {
		return hlc[20:]
	}
	return ""
}

// conflictNS is the UUID namespace of conflict row ids.
var conflictNS = uuid.MustParse("6f0c1b8e-4a57-4c3e-9a51-5afee7c0f11c")

// ConflictID is the id of the conflict row for a lost edit: a name-based
// UUID of the row, the field and both stamps, so the same conflict found
// twice (a replay, or HQ and a device both noticing it) is one row.
func ConflictID(table, rowID, field, winnerHLC, loserHLC string) string {
	name := table + "\x00" + rowID + "\x00" + field + "\x00" + winnerHLC + "\x00" + loserHLC
	return uuid.NewSHA1(conflictNS, []byte(name)).String()
}

// NewEpoch makes a random epoch for a new or reset database.
func NewEpoch() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make epoch: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

var (
	govOnce  sync.Once
	govCodes map[string]bool
)

// KnownGovernorate reports whether code is one of Oman's governorates
// (ISO 3166-2:OM, as in the reference data the devices carry).
func KnownGovernorate(code string) bool {
	govOnce.Do(func() {
		govCodes = map[string]bool{}
		recs, err := csv.NewReader(bytes.NewReader(assets.PlacesCSV)).ReadAll()
		if err != nil {
			panic(fmt.Sprintf("hq: reference data: %v", err))
		}
		for _, r := range recs[1:] {
			govCodes[r[0]] = true
		}
	})
	return govCodes[code]
}

// rowScope works out the scope and parent of a row of table holding data:
// its own governorate for person and workshop; the scope of the row it
// belongs to for attendance, certificate and conflict; "" for place. ok is
// false when the row it belongs to is not at HQ (or the row names no
// governorate), and then reason says so.
func rowScope(ctx context.Context, tx Tx, table string, data rowData) (scope, parent string, ok bool, reason string, err error) {
	switch table {
	case safeer.TablePerson, safeer.TableWorkshop:
		gov := data.str(safeer.FieldGovernorate)
		if gov == "" {
			return "", "", false, "the " + table + " has no governorate", nil
		}
		return gov, "", true, "", nil
	case safeer.TablePlace:
		return "", "", true, "", nil
	}
	pf, found := parentField[table]
	if !found {
		return "", "", false, "unknown table " + table, nil
	}
	parent = data.str(pf.field)
	ptable := pf.table
	if table == safeer.TableConflict {
		ptable = data.str(safeer.FieldTbl)
	}
	if parent == "" || ptable == "" {
		return "", "", false, fmt.Sprintf("the %s names no %s", table, pf.field), nil
	}
	prow, found, err := tx.Row(ctx, ptable, parent)
	if err != nil || !found {
		return "", parent, false, fmt.Sprintf("%s %s is not known at HQ", ptable, parent), err
	}
	if ptable == safeer.TablePlace {
		return "", parent, true, "", nil
	}
	return prow.Scope, parent, true, "", nil
}
