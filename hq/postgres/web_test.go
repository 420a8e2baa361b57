package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/oman-sca/safeer/hq/postgres"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
)

// The verification page's lookup must be able to use the expression
// index: the query the backend runs and the index must agree exactly.
// (Sequential scans are switched off, as the test table is tiny and a
// scan would be cheaper.)
func TestCertificateLookupUsesIndex(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `EXPLAIN SELECT tbl, id FROM rows
		WHERE tbl = 'certificate' AND (((data::jsonb) -> 'code') ->> 'v') = $1 ORDER BY seq`, "7K3MQ9XZ2A")
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "rows_certificate_code") {
		t.Fatalf("plan does not use rows_certificate_code:\n%s", p)
	}
}
