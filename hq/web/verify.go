package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
)

// The verification statuses, as the JSON answer names them.
const (
	StatusValid         = "valid"          // genuine and not revoked
	StatusRevoked       = "revoked"        // genuine, but HQ revoked it
	StatusUnknown       = "unknown"        // no certificate with this code
	StatusInvalidCode   = "invalid_code"   // not a verification code (a typing mistake)
	StatusTampered      = "tampered"       // the record does not match its signature (or HQ's copy)
	StatusUnknownSigner = "unknown_signer" // signed by a device this HQ never endorsed
	StatusNotEndorsed   = "not_endorsed"   // signed by a device before it was enrolled
	StatusMalformed     = "malformed"      // the link holds no certificate record
)

// Answer is the verification page's verdict, and the JSON answer.
type Answer struct {
	Status string `json:"status"`
	// Code is the verification code, formatted XXXXX-XXXXX.
	Code string `json:"code,omitempty"`
	// Certificate is what was certified; only for valid and revoked
	// certificates (a forged record's claims are not repeated).
	Certificate *Certified `json:"certificate,omitempty"`
	RevokedOn   string     `json:"revoked_on,omitempty"`  // YYYY-MM-DD, Muscat time
	ReplacedBy  string     `json:"replaced_by,omitempty"` // the code of the certificate that replaces a revoked one
	// SignatureChecked says the signed record was checked against HQ's key
	// (always, when HQ has the certificate or the link carries it).
	SignatureChecked bool `json:"signature_checked"`
	// RecordedAtHQ is false for a genuine certificate whose device has not
	// synced it to HQ yet.
	RecordedAtHQ bool   `json:"recorded_at_hq"`
	MessageEn    string `json:"message_en"`
	MessageAr    string `json:"message_ar"`
}

// Certified is what a certificate states, and all the verification page
// shows of the person.
type Certified struct {
	NameAr     string  `json:"name_ar,omitempty"`
	NameEn     string  `json:"name_en,omitempty"`
	WorkshopAr string  `json:"workshop_ar,omitempty"`
	WorkshopEn string  `json:"workshop_en,omitempty"`
	WilayatAr  string  `json:"wilayat_ar,omitempty"`
	WilayatEn  string  `json:"wilayat_en,omitempty"`
	Date       string  `json:"date"` // YYYY-MM-DD
	Hours      float64 `json:"hours"`
	IssuedOn   string  `json:"issued_on"` // YYYY-MM-DD
	ReissueOf  string  `json:"reissue_of,omitempty"`
}

// Good reports a valid certificate (for the page's colour).
func (a Answer) Good() bool { return a.Status == StatusValid }

// Bad reports a forgery or garbage, as opposed to news (revoked, unknown).
func (a Answer) Bad() bool {
	switch a.Status {
	case StatusTampered, StatusUnknownSigner, StatusMalformed:
		return true
	}
	return false
}

// Headline is the verdict in a few words.
func (a Answer) Headline() (en, ar string) {
	switch a.Status {
	case StatusValid:
		return "Valid certificate", "شهادة صحيحة"
	case StatusRevoked:
		return "Revoked certificate", "شهادة ملغاة"
	case StatusUnknown:
		return "Unknown code", "رمز غير معروف"
	case StatusInvalidCode:
		return "Not a verification code", "ليس رمز تحقق"
	case StatusTampered:
		return "Altered certificate", "شهادة معدَّلة"
	case StatusUnknownSigner, StatusNotEndorsed:
		return "Not issued by the programme", "ليست صادرة عن البرنامج"
	}
	return "Not a certificate", "ليست شهادة"
}

// HeadlineEn and HeadlineAr are Headline for templates.
func (a Answer) HeadlineEn() string { en, _ := a.Headline(); return en }
func (a Answer) HeadlineAr() string { _, ar := a.Headline(); return ar }

func (a *Answer) say(en, ar string) { a.MessageEn, a.MessageAr = en, ar }

var monthsAr = [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}

// dateEn and dateAr print a YYYY-MM-DD date for people.
func dateEn(iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return t.Format("2 January 2006")
}

func dateAr(iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return fmt.Sprintf("%d %s %d", t.Day(), monthsAr[t.Month()-1], t.Year())
}

// hoursText prints 3 as "3", 2.5 as "2.5", 1h20m as "1.33".
func hoursText(h float64) string {
	return strconv.FormatFloat(math.Round(h*100)/100, 'f', -1, 64)
}

func certified(r certificate.Record) *Certified {
	c := r.Certificate
	return &Certified{NameAr: c.PersonNameAr, NameEn: c.PersonNameEn, WorkshopAr: c.WorkshopTitleAr,
		WorkshopEn: c.WorkshopTitleEn, WilayatAr: c.WilayatAr, WilayatEn: c.WilayatEn,
		Date: c.Date.UTC().Format("2006-01-02"), Hours: c.Hours,
		IssuedOn: c.IssuedAt.In(Muscat).Format("2006-01-02"), ReissueOf: certificate.FormatCode(c.ReissueOf)}
}

// revocation is what HQ's certificate row says of its revocation.
type revocation struct {
	revoked    bool
	at         time.Time
	on         string // YYYY-MM-DD or the raw text
	replacedBy string
	reason     string
}

func revocationOf(v map[string]any) revocation {
	at, _ := v["revoked_at"].(string)
	if strings.TrimSpace(at) == "" {
		return revocation{}
	}
	rv := revocation{revoked: true, on: at}
	if t, err := time.Parse(time.RFC3339, at); err == nil {
		rv.at, rv.on = t, t.In(Muscat).Format("2006-01-02")
	}
	rv.reason, _ = v["revoked_reason"].(string)
	// A reissue revokes the old certificate "replaced by CODE" (package
	// data); that much is safe to show. Other reasons are a coordinator's
	// words about a person and stay at HQ.
	if code, ok := strings.CutPrefix(rv.reason, "replaced by "); ok {
		if norm, err := certificate.NormalizeCode(code); err == nil {
			rv.replacedBy = certificate.FormatCode(norm)
		}
	}
	return rv
}

// storedPayload is the signed record HQ's certificate row holds.
func storedPayload(v map[string]any) ([]byte, bool) {
	sig, _ := v["signature"].(string)
	if sig == "" {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(sig)
	return b, err == nil
}

// Verify answers for a verification code as a person typed it.
func (s *Site) Verify(ctx context.Context, typed string) (Answer, error) {
	code, err := certificate.NormalizeCode(typed)
	if err != nil {
		a := Answer{Status: StatusInvalidCode}
		a.say("This is not a verification code: it has a typing mistake, or it is not 10 letters and digits. "+
			"A code looks like 7K3MQ-9XZ2F; check it on the certificate and type it again.",
			"هذا ليس رمز تحقق: فيه خطأ في الكتابة أو ليس من 10 حروف وأرقام. "+
				"يبدو الرمز هكذا 7K3MQ-9XZ2F؛ راجعه على الشهادة واكتبه مرة أخرى.")
		return a, nil
	}
	rows, err := s.st.CertificatesByCode(ctx, code)
	if err != nil {
		return Answer{}, err
	}
	a := Answer{Code: certificate.FormatCode(code)}
	if len(rows) == 0 {
		a.Status = StatusUnknown
		a.say("HQ has no certificate with this code. Check the code on the paper; if it is right, "+
			"the certificate was not issued by the programme, or its device has not synced yet — ask the issuer.",
			"لا توجد لدى المقر شهادة بهذا الرمز. راجع الرمز المطبوع؛ إن كان صحيحًا فالشهادة ليست صادرة عن البرنامج "+
				"أو لم يُزامَن جهازها بعد — اسأل الجهة المصدرة.")
		return a, nil
	}
	if len(rows) > 1 {
		s.log.Warn("several certificates share a code; the oldest is shown", "code", code, "rows", len(rows))
	}
	v, err := hq.RowValues(rows[0])
	if err != nil {
		return Answer{}, err
	}
	payload, ok := storedPayload(v)
	if !ok {
		a.Status = StatusTampered
		a.say("HQ's copy of this certificate carries no valid signature, so it cannot be confirmed. Contact the programme.",
			"نسخة المقر من هذه الشهادة بلا توقيع صالح، فلا يمكن تأكيدها. تواصل مع البرنامج.")
		return a, nil
	}
	return s.judge(payload, code, v, true), nil
}

// VerifyRecord answers for the signed record a certificate's QR code
// carries: it checks the signature under HQ's key, then what HQ knows of
// the certificate.
func (s *Site) VerifyRecord(ctx context.Context, payload []byte) (Answer, error) {
	res := certificate.VerifyPayload(payload, s.srv.PublicKey(), nil)
	if res.Status != certificate.StatusValid {
		return s.judge(payload, "", nil, false), nil
	}
	code := res.Record.Code
	rows, err := s.st.CertificatesByCode(ctx, code)
	if err != nil {
		return Answer{}, err
	}
	for _, row := range rows {
		v, err := hq.RowValues(row)
		if err != nil {
			return Answer{}, err
		}
		if stored, ok := storedPayload(v); ok && bytes.Equal(stored, payload) {
			return s.judge(payload, code, v, true), nil
		}
	}
	if len(rows) > 0 {
		// Genuinely signed, but not what HQ recorded under this code: a
		// device signed two different certificates with one code.
		a := Answer{Status: StatusTampered, Code: certificate.FormatCode(code), SignatureChecked: true}
		a.say("This record does not match the certificate HQ holds under the same code. Do not accept it; contact the programme.",
			"لا تطابق هذه البيانات الشهادة المسجلة لدى المقر بالرمز نفسه. لا تقبلها، وتواصل مع البرنامج.")
		return a, nil
	}
	// Not at HQ yet: devices sync when they can. A record from a device
	// HQ has since revoked (a lost or stolen laptop) proves nothing, since
	// its key may now be in anyone's hands and the issue date is its word.
	devs, err := s.st.Devices(ctx)
	if err != nil {
		return Answer{}, err
	}
	for _, d := range devs {
		if d.ID == res.Record.DeviceID && d.Revoked() {
			a := Answer{Status: StatusUnknown, Code: certificate.FormatCode(code), SignatureChecked: true}
			a.say("HQ has no record of this certificate, and the device that signed it has been withdrawn. It cannot be confirmed; contact the programme.",
				"لا يوجد لدى المقر سجل لهذه الشهادة، والجهاز الذي وقّعها سُحب. لا يمكن تأكيدها؛ تواصل مع البرنامج.")
			return a, nil
		}
	}
	return s.judge(payload, code, nil, false), nil
}

// judge checks the signed record and words the verdict. v is HQ's row for
// the certificate (nil when HQ has none); code, when not empty, is the code
// it was found under, which the record must carry.
func (s *Site) judge(payload []byte, code string, v map[string]any, recorded bool) Answer {
	var rv revocation
	if v != nil {
		rv = revocationOf(v)
	}
	res := certificate.VerifyPayload(payload, s.srv.PublicKey(), func(string) (bool, time.Time, string) {
		return rv.revoked, rv.at, rv.reason
	})
	a := Answer{Status: string(res.Status), SignatureChecked: res.Status != certificate.StatusMalformed, RecordedAtHQ: recorded}
	if res.Record.Code != "" {
		a.Code = certificate.FormatCode(res.Record.Code)
	}
	if code != "" && res.Status != certificate.StatusMalformed && res.Record.Code != code {
		a.Status = StatusTampered
	}
	switch a.Status {
	case StatusValid:
		a.Certificate = certified(res.Record)
		if recorded {
			a.say("This certificate is genuine: it was issued by the Smart City Ambassadors programme and has not been revoked.",
				"هذه الشهادة صحيحة: صادرة عن برنامج سفراء المدن الذكية ولم تُلغَ.")
		} else {
			a.say("This certificate's signature is genuine: it was issued by a device of the programme. "+
				"HQ has not received it from that device yet, so a revocation made since would not show here.",
				"توقيع هذه الشهادة صحيح: صادرة عن جهاز تابع للبرنامج. "+
					"لم تصل إلى المقر من ذلك الجهاز بعد، فلو أُلغيت منذ ذلك الحين لما ظهر الإلغاء هنا.")
		}
	case StatusRevoked:
		a.Certificate = certified(res.Record)
		a.RevokedOn, a.ReplacedBy = rv.on, rv.replacedBy
		en := fmt.Sprintf("This certificate was revoked on %s and is no longer valid.", dateEn(rv.on))
		ar := fmt.Sprintf("أُلغيت هذه الشهادة بتاريخ %s ولم تعد صالحة.", dateAr(rv.on))
		if rv.replacedBy != "" {
			en += " It was replaced by the certificate " + rv.replacedBy + "."
			ar += " وحلّت محلها الشهادة " + rv.replacedBy + "."
		}
		a.say(en, ar)
	case StatusTampered:
		a.say("This certificate's record has been altered: it does not match its signature. Do not accept it.",
			"تم التلاعب ببيانات هذه الشهادة: لا تطابق توقيعها. لا تقبلها.")
	case StatusUnknownSigner:
		a.say("This certificate was not signed by a device of the Smart City Ambassadors programme. Do not accept it.",
			"لم تُوقَّع هذه الشهادة من جهاز تابع لبرنامج سفراء المدن الذكية. لا تقبلها.")
	case StatusNotEndorsed:
		a.say("This certificate was signed by a device that was not enrolled with HQ, so it cannot be confirmed.",
			"وُقّعت هذه الشهادة من جهاز غير مسجل لدى المقر، فلا يمكن تأكيدها.")
	default:
		a.Status = StatusMalformed
		a.say("This link does not hold a certificate record. Type the verification code printed on the certificate instead.",
			"لا يحمل هذا الرابط بيانات شهادة. اكتب رمز التحقق المطبوع على الشهادة بدلًا من ذلك.")
	}
	return a
}

// lookup answers for arg, which is a verification code or the text of a
// QR code (a URL or the bare record).
func (s *Site) lookup(ctx context.Context, arg string) (Answer, error) {
	arg = strings.TrimSpace(arg)
	// A code is 10 symbols (with dashes and spaces a few more); a record
	// is hundreds.
	if len([]rune(arg)) <= 2*certificate.CodeLen && !strings.Contains(arg, "/") {
		return s.Verify(ctx, arg)
	}
	payload, err := certificate.PayloadFromQR(arg)
	if err != nil {
		return s.judge(nil, "", nil, false), nil
	}
	return s.VerifyRecord(ctx, payload)
}

// verifyPage is the verification page's data.
type verifyPage struct {
	CSS    string
	Typed  string
	Answer *Answer
}

func (s *Site) handleVerifyPage(w http.ResponseWriter, r *http.Request) {
	typed := r.URL.Query().Get("code")
	if strings.TrimSpace(typed) == "" {
		s.render(w, r, http.StatusOK, "verify", verifyPage{CSS: s.cssHash})
		return
	}
	s.answer(w, r, typed, false)
}

func (s *Site) handleVerifyJSON(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	arg := q.Get("code")
	if arg == "" {
		arg = q.Get("qr")
	}
	if strings.TrimSpace(arg) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad_request",
			"message_en": "give ?code=VERIFICATION-CODE or ?qr=TEXT-OF-THE-QR-CODE",
			"message_ar": "أرسل ?code=رمز-التحقق أو ?qr=نص-رمز-الاستجابة"})
		return
	}
	s.answer(w, r, arg, true)
}

// handleVerifyPath serves /v/ARG and /V/ARG, where ARG is what a
// certificate's QR code or link carries.
func (s *Site) handleVerifyPath(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept")
	s.answer(w, r, r.PathValue("arg"), wantsJSON(r))
}

func wantsJSON(r *http.Request) bool {
	acc := r.Header.Get("Accept")
	return strings.Contains(acc, "application/json") && !strings.Contains(acc, "text/html")
}

// answer rate-limits, looks up and writes the answer as a page or JSON.
func (s *Site) answer(w http.ResponseWriter, r *http.Request, arg string, asJSON bool) {
	if ok, wait := s.verifyRL.allow(s.clientKey(r)); !ok {
		secs := strconv.Itoa(int(wait.Seconds()))
		w.Header().Set("Retry-After", secs)
		en := "Too many checks from your address in a short time. Please wait " + secs + " seconds and try again."
		ar := "طلبات تحقق كثيرة من عنوانك في وقت قصير. انتظر " + secs + " ثانية ثم حاول مرة أخرى."
		if asJSON {
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "rate_limited", "message_en": en, "message_ar": ar})
			return
		}
		s.message(w, r, http.StatusTooManyRequests, "Too many checks", "طلبات كثيرة", en, ar)
		return
	}
	a, err := s.lookup(r.Context(), arg)
	if err != nil {
		if asJSON {
			s.log.Error("verification failed", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "unavailable",
				"message_en": "HQ cannot check certificates right now; try again later.",
				"message_ar": "لا يستطيع المقر التحقق من الشهادات الآن؛ حاول لاحقًا."})
			return
		}
		s.fail(w, r, err)
		return
	}
	if asJSON {
		writeJSON(w, http.StatusOK, a)
		return
	}
	typed := ""
	if a.Code != "" {
		typed = a.Code
	} else if len(arg) <= 2*certificate.CodeLen {
		typed = arg
	}
	s.render(w, r, http.StatusOK, "verify", verifyPage{CSS: s.cssHash, Typed: typed, Answer: &a})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"internal"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Public answers, without credentials: other systems' pages may read them.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
