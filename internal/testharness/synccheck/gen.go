package synccheck

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/spreadsheet"
)

// Name pools: men's names (which are also fathers' and grandfathers'
// names), women's names, tribes; Arabic and English at the same index.
var (
	menAr = []string{"محمد", "أحمد", "سالم", "خالد", "سعيد", "علي", "عبد الله", "ناصر", "يوسف", "حمد", "إبراهيم", "مصطفى",
		"عبد الرحمن", "طارق", "هلال", "بدر", "سلطان", "راشد", "ماجد", "هيثم", "حمود", "خلفان", "سيف", "عبيد", "مبارك",
		"سليمان", "جمعة", "خميس", "عامر", "زاهر", "يعقوب", "منصور", "فهد", "قيس", "مازن", "أسعد"}
	menEn = []string{"Mohammed", "Ahmed", "Salim", "Khalid", "Said", "Ali", "Abdullah", "Nasser", "Yousuf", "Hamad", "Ibrahim", "Mustafa",
		"Abdulrahman", "Tariq", "Hilal", "Badr", "Sultan", "Rashid", "Majid", "Haitham", "Hamood", "Khalfan", "Saif", "Obaid", "Mubarak",
		"Sulaiman", "Juma", "Khamis", "Amer", "Zahir", "Yaqoob", "Mansoor", "Fahad", "Qais", "Mazin", "Asaad"}
	womenAr = []string{"فاطمة", "مريم", "عائشة", "زينب", "خديجة", "شيماء", "أسماء", "هدى", "ليلى", "منى", "نوال", "رحمة",
		"بشرى", "سمية", "أمل", "نورة", "شريفة", "موزة", "عزة", "ثريا"}
	womenEn = []string{"Fatma", "Maryam", "Aisha", "Zainab", "Khadija", "Shaima", "Asma", "Huda", "Laila", "Muna", "Nawal", "Rahma",
		"Bushra", "Sumaya", "Amal", "Noura", "Sharifa", "Moza", "Azza", "Thuraya"}
	tribeAr = []string{"البلوشي", "الحارثي", "الزدجالي", "الكندي", "الهنائي", "الرواحي", "العبري", "المعمري", "البوسعيدي",
		"الشكيلي", "الغافري", "السيابي", "الحبسي", "العامري", "الكلباني", "المقبالي", "الفارسي", "اللواتي", "الجابري",
		"الوهيبي", "المحرزي", "الريامي", "الخروصي", "السعدي", "الشحي", "البادي", "الهاشمي", "العلوي", "الرئيسي", "النعماني"}
	tribeEn = []string{"Al Balushi", "Al Harthy", "Al Zadjali", "Al Kindi", "Al Hinai", "Al Rawahi", "Al Abri", "Al Maamari", "Al Busaidi",
		"Al Shukaili", "Al Ghafri", "Al Siyabi", "Al Habsi", "Al Amri", "Al Kalbani", "Al Maqbali", "Al Farsi", "Al Lawati", "Al Jabri",
		"Al Wahaibi", "Al Mahrizi", "Al Riyami", "Al Kharusi", "Al Saadi", "Al Shehhi", "Al Badi", "Al Hashmi", "Al Alawi", "Al Raisi", "Al Nomani"}
	orgs = []string{"Ministry of Transport, Communications and IT", "Muscat Municipality", "Sultan Qaboos University", "Omantel",
		"Ministry of Education", "Oman Vision 2040 Unit", "Ministry of Health", "Dhofar Municipality", "University of Nizwa",
		"Sohar University", "Petroleum Development Oman", "Ooredoo", "", "", ""}
)

// RosterCSV is a roster of n made-up people as an HQ spreadsheet would
// have them (Arabic and English names, civil id, phone, e-mail, place,
// organisation), in governorates govs (wilayats from the device's
// reference data); the same seed gives the same roster.
func RosterCSV(s *data.Store, n int, seed uint64, govs ...string) string {
	r := rand.New(rand.NewPCG(seed, 3))
	var places []safeer.Place
	for _, g := range govs {
		places = append(places, s.Wilayats(g)...)
	}
	var b strings.Builder
	b.WriteString("name_ar,name_en,gender,civil_id,phone,email,governorate,wilayat,organisation\r\n")
	civil := map[int]bool{}
	for range n {
		fa, gf, tr := r.IntN(len(menAr)), r.IntN(len(menAr)), r.IntN(len(tribeAr))
		gender, link := "male", "بن"
		firstAr, firstEn := menAr, menEn
		if r.IntN(2) == 0 {
			gender, link = "female", "بنت"
			firstAr, firstEn = womenAr, womenEn
		}
		f := r.IntN(len(firstAr))
		pl := places[r.IntN(len(places))]
		email := ""
		if r.IntN(3) == 0 {
			email = fmt.Sprintf("%s.%s%d@example.om", strings.ToLower(firstEn[f]), strings.ToLower(strings.ReplaceAll(tribeEn[tr], " ", "")), r.IntN(100))
		}
		id := 0
		for id == 0 || civil[id] {
			id = 1_000_000 + r.IntN(99_000_000)
		}
		civil[id] = true
		fmt.Fprintf(&b, "%s %s %s بن %s %s,%s %s %s,%s,%08d,+968%d%07d,%s,%s,%s,%q\r\n",
			firstAr[f], link, menAr[fa], menAr[gf], tribeAr[tr], firstEn[f], menEn[fa], tribeEn[tr], gender,
			id, []int{7, 9}[r.IntN(2)], r.IntN(10_000_000), email, pl.Governorate, pl.WilayatEn, orgs[r.IntN(len(orgs))])
	}
	return b.String()
}

// ImportRoster imports RosterCSV(s, n, seed, govs…) into s: n people, n
// outbox ops.
func ImportRoster(ctx context.Context, s *data.Store, n int, seed uint64, govs ...string) error {
	tbl, err := spreadsheet.ReadCSV(strings.NewReader(RosterCSV(s, n, seed, govs...)))
	if err != nil {
		return err
	}
	rep, err := s.Import(ctx, tbl, data.ImportOptions{Source: "roster.csv"})
	if err != nil {
		return err
	}
	if rep.Imported != n {
		return fmt.Errorf("imported %d of %d people", rep.Imported, n)
	}
	return nil
}

// PlainJSONGzip is the baseline a sync protocol's bytes are measured
// against: the device's people (id and every non-empty field) as one plain
// JSON array, gzipped. It returns the size and the number of people.
func PlainJSONGzip(ctx context.Context, s *data.Store) (int, int, error) {
	people, err := s.ListPeople(ctx, data.PeopleFilter{})
	if err != nil {
		return 0, 0, err
	}
	raw, err := json.Marshal(people) // omitempty drops the empty fields
	if err != nil {
		return 0, 0, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	return buf.Len(), len(people), nil
}

// Meter is an http.RoundTripper that counts the bytes on the wire (HTTP
// headers and bodies, both directions, as sent: gzipped where the protocol
// gzips; no TLS or TCP/IP framing) per request path. One request at a time.
type Meter struct {
	t *http.Transport

	mu    sync.Mutex
	path  string
	bytes map[string]int64
	count map[string]int
	first map[string]time.Time
}

// NewMeter makes a Meter with a transport of its own.
func NewMeter() *Meter {
	m := &Meter{bytes: map[string]int64{}, count: map[string]int{}, first: map[string]time.Time{}}
	m.t = http.DefaultTransport.(*http.Transport).Clone()
	dial := m.t.DialContext
	m.t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &meteredConn{Conn: c, m: m}, nil
	}
	return m
}

// RoundTrip implements http.RoundTripper.
func (m *Meter) RoundTrip(req *http.Request) (*http.Response, error) {
	m.mu.Lock()
	m.path = req.URL.Path
	m.count[req.URL.Path]++
	if _, ok := m.first[req.URL.Path]; !ok {
		m.first[req.URL.Path] = time.Now()
	}
	m.mu.Unlock()
	return m.t.RoundTrip(req)
}

func (m *Meter) add(n int) {
	m.mu.Lock()
	m.bytes[m.path] += int64(n)
	m.mu.Unlock()
}

// Bytes is the bytes counted for path so far.
func (m *Meter) Bytes(path string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes[path]
}

// Requests is the number of requests to path so far.
func (m *Meter) Requests(path string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.count[path]
}

// First is when the first request to path started (zero: none yet).
func (m *Meter) First(path string) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.first[path]
}

// Reset zeroes the counts.
func (m *Meter) Reset() {
	m.mu.Lock()
	m.bytes, m.count, m.first = map[string]int64{}, map[string]int{}, map[string]time.Time{}
	m.mu.Unlock()
}

type meteredConn struct {
	net.Conn
	m *Meter
}

func (c *meteredConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.m.add(n)
	return n, err
}

func (c *meteredConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.m.add(n)
	return n, err
}

// SeedHQ writes a device's outbox (ops that each create a person or a
// workshop) straight into HQ's store, as HQ would have applied them but
// without a request per op: the way to give a benchmark an HQ with 100,000
// people in seconds. The ops stay in the device's outbox.
func SeedHQ(ctx context.Context, st hq.Store, s *data.Store) (int, error) {
	total := 0
	var after int64
	for {
		ops, err := s.Outbox(ctx, after, 5000)
		if err != nil {
			return total, err
		}
		if len(ops) == 0 {
			return total, nil
		}
		err = st.Write(ctx, func(tx hq.Tx) error {
			for _, o := range ops {
				seq, err := tx.NextSeq(ctx)
				if err != nil {
					return err
				}
				fields := map[string]map[string]any{}
				for k, f := range o.Op.Fields {
					fields[k] = map[string]any{"v": f.Value, "h": f.HLC, "r": seq}
				}
				raw, err := json.Marshal(fields)
				if err != nil {
					return err
				}
				gov, _ := o.Op.Fields[safeer.FieldGovernorate].Value.(string)
				if err := tx.PutRow(ctx, hq.Row{Table: o.Op.Table, ID: o.Op.RowID, Scope: gov, Seq: seq, Data: raw}); err != nil {
					return err
				}
			}
			return tx.SaveClock(ctx, ops[len(ops)-1].Stamp)
		})
		if err != nil {
			return total, err
		}
		total += len(ops)
		after = ops[len(ops)-1].Seq
	}
}
