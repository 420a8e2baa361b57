package web_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/postgres"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/hq/web"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
)

// BenchmarkVerify measures the verification page and its JSON answer over
// real HTTP on loopback, with 20,000 certificates at HQ, from many clients
// at once (no rate limit), on SQLite and on PostgreSQL. It reports the
// requests a second and the 99th percentile latency.
func BenchmarkVerify(b *testing.B) {
	stores := map[string]func(*testing.B) hq.Store{
		"sqlite": func(b *testing.B) hq.Store {
			st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "hq.db"))
			if err != nil {
				b.Fatal(err)
			}
			return st
		},
		"postgres": func(b *testing.B) hq.Store {
			st, err := postgres.Open(ctx, pgtest.DSN(b))
			if err != nil {
				b.Fatal(err)
			}
			return st
		},
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			st := stores[backend](b)
			defer st.Close()
			e := newEnv(b, st, web.Config{VerifyRate: -1})
			d := e.enrol("OM-MA")
			codes := seedCertificates(b, e, d, 20000)
			qr := make([]string, 0, 200)
			for _, c := range codes[:200] {
				qr = append(qr, c[1])
			}
			for _, kind := range []string{"page", "json", "qr"} {
				b.Run(kind, func(b *testing.B) {
					client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
					var mu sync.Mutex
					var lat []time.Duration
					b.SetParallelism(8)
					start := time.Now()
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						i := 0
						var mine []time.Duration
						for pb.Next() {
							i++
							c := codes[(i*7919)%len(codes)]
							var url string
							switch kind {
							case "page":
								url = e.http.URL + "/v/" + c[0]
							case "json":
								url = e.http.URL + "/verify.json?code=" + c[0]
							default:
								url = e.http.URL + "/V/" + qr[i%len(qr)]
							}
							t0 := time.Now()
							resp, err := client.Get(url)
							if err != nil {
								b.Error(err)
								return
							}
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							if resp.StatusCode != 200 {
								b.Errorf("%s: %d", url, resp.StatusCode)
								return
							}
							mine = append(mine, time.Since(t0))
						}
						mu.Lock()
						lat = append(lat, mine...)
						mu.Unlock()
					})
					elapsed := time.Since(start)
					b.StopTimer()
					if len(lat) == 0 {
						return
					}
					slices.Sort(lat)
					b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				})
			}
		})
	}
}

// seedCertificates writes n signed certificate rows straight into the
// store (the sync path is tested elsewhere) and returns [code, QR path]
// pairs.
func seedCertificates(b *testing.B, e *env, d *device, n int) [][2]string {
	b.Helper()
	var out [][2]string
	signer := d.signer()
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	const batch = 500
	for done := 0; done < n; done += batch {
		err := e.st.Write(ctx, func(tx hq.Tx) error {
			for i := 0; i < batch; i++ {
				sc, err := signer.Sign(certificate.Certificate{PersonNameAr: "سالم بن علي البلوشي", PersonNameEn: fmt.Sprint("Person ", done+i),
					WorkshopTitleAr: "المدن الذكية", WorkshopTitleEn: "Smart cities", WilayatAr: "مطرح", WilayatEn: "Muttrah",
					Date: day, Hours: 3, IssuedAt: day})
				if err != nil {
					return err
				}
				seq, err := tx.NextSeq(ctx)
				if err != nil {
					return err
				}
				data := fmt.Sprintf(`{"attendance_id":{"v":"a","h":"x","r":%d},"code":{"v":%q,"h":"x","r":%d},"signature":{"v":%q,"h":"x","r":%d},"revoked_at":{"v":"","h":"x","r":%d}}`,
					seq, sc.Code, seq, base64.RawURLEncoding.EncodeToString(sc.Payload), seq, seq)
				if err := tx.PutRow(ctx, hq.Row{Table: "certificate", ID: uuid.NewString(), Scope: "OM-MA", Parent: "a", Seq: seq, Data: []byte(data)}); err != nil {
					return err
				}
				qr := sc.QRText("")
				out = append(out, [2]string{sc.Code, qr[strings.Index(qr, "/V/")+3:]})
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return out
}
