package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/hq/sqlite"
)

// The verification page's lookup must use the expression index, not scan
// every row: the query the backend runs and the index must agree exactly.
func TestCertificateLookupUsesIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hq.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT tbl, id FROM rows
		WHERE tbl = 'certificate' AND json_extract(data, '$.code.v') = ? ORDER BY seq`, "7K3MQ9XZ2A")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "rows_certificate_code") {
		t.Fatalf("plan %q does not use rows_certificate_code", p)
	}
}
