package certificate

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/oman-sca/safeer"
)

// Certificate is what a certificate of attendance says, exactly as printed
// (the domain's safeer.CertificateText, with the methods of the PDF and
// the signed record). Every field is also in the signed record the QR code
// carries, so what a verifier is shown is what the paper says.
type Certificate safeer.CertificateText

// Record is the compact signed record a certificate's QR code carries: the
// certificate, the issuing device's public key, HQ's endorsement of that key
// (empty before the device is enrolled) and the device's signature over all
// of it. Anyone holding HQ's public key can check it without a network.
type Record struct {
	Certificate
	DevicePub   ed25519.PublicKey
	Endorsement []byte // HQ's signature over DeviceID and DevicePub, or nil
	Signature   []byte // the device's signature over everything else
}

// The binary layout, version 1. Hand-written rather than CBOR because every
// byte costs QR modules and the layout is small enough to read at a glance:
//
//	version      1 byte (= 1)
//	flags        1 byte: flagEndorsed | flagReissue | flagUUID
//	code         7 bytes: 10 Crockford symbols × 5 bits, 6 zero bits
//	name_ar, name_en, workshop_ar, workshop_en, wilayat_ar, wilayat_en:
//	             strings (below)
//	date         varint: days since 1970-01-01
//	minutes      uvarint: hours attended × 60
//	issued_at    varint: Unix seconds
//	device_id    16 bytes when flagUUID (a canonical lower-case UUID), else a string
//	reissue_of   7 bytes, when flagReissue
//	device_pub   32 bytes
//	endorsement  64 bytes, when flagEndorsed
//	signature    64 bytes: Ed25519 by device_pub over signDomain + all bytes before it
//
// A string is uvarint(len<<1 | compact) then len bytes. Compact strings hold
// one byte a character, ASCII below 0x80 and U+0600..U+067F (all Arabic
// letters, tashkeel and Arabic-Indic digits) from 0x80 up; that halves the
// Arabic names and titles, which are most of the record. Anything else is
// UTF-8.
const (
	recordVersion = 1

	flagEndorsed = 1 << 0
	flagReissue  = 1 << 1
	flagUUID     = 1 << 2
	knownFlags   = flagEndorsed | flagReissue | flagUUID

	// maxString bounds one text field, so a record always fits a QR code.
	maxString = 255
	// Bounds that keep dates, times and hours exact and sane: 1970 to
	// about 4840, and up to 10,000 hours.
	maxDays, maxSeconds, maxMinutes = 1 << 20, 1 << 37, 10000 * 60
	// MaxRecordLen bounds the decoder's input; real records are ~300 bytes.
	MaxRecordLen = 2048

	signDomain    = "safeer/certificate/v1\n"
	endorseDomain = "safeer/endorsement/v1\n"
)

// ErrMalformed reports bytes that are not a certificate record.
var ErrMalformed = errors.New("not a certificate record")

// MarshalBinary encodes the record, signature included.
func (r *Record) MarshalBinary() ([]byte, error) {
	body, err := r.appendBody(make([]byte, 0, 384))
	if err != nil {
		return nil, err
	}
	if len(r.Signature) != ed25519.SignatureSize {
		return nil, errors.New("certificate record: signature missing")
	}
	return append(body, r.Signature...), nil
}

// appendBody appends everything the device signs.
func (r *Record) appendBody(b []byte) ([]byte, error) {
	c := &r.Certificate
	code, err := packCode(c.Code)
	if err != nil {
		return nil, fmt.Errorf("certificate record: code: %w", err)
	}
	var flags byte
	switch len(r.Endorsement) {
	case 0:
	case ed25519.SignatureSize:
		flags |= flagEndorsed
	default:
		return nil, fmt.Errorf("certificate record: endorsement is %d bytes, not %d", len(r.Endorsement), ed25519.SignatureSize)
	}
	var reissue [7]byte
	if c.ReissueOf != "" {
		if reissue, err = packCode(c.ReissueOf); err != nil {
			return nil, fmt.Errorf("certificate record: reissue_of: %w", err)
		}
		flags |= flagReissue
	}
	uuid, isUUID := parseUUID(c.DeviceID)
	if isUUID {
		flags |= flagUUID
	}
	if len(r.DevicePub) != ed25519.PublicKeySize {
		return nil, errors.New("certificate record: device public key missing")
	}
	if days := civilDays(c.Date); c.Date.IsZero() || days < 0 || days > maxDays {
		return nil, fmt.Errorf("certificate record: date %v out of range", c.Date)
	}
	if s := c.IssuedAt.Unix(); s < 0 || s > maxSeconds {
		return nil, fmt.Errorf("certificate record: issue time %v out of range", c.IssuedAt)
	}
	if c.Hours < 0 || math.IsNaN(c.Hours) || math.Round(c.Hours*60) > maxMinutes {
		return nil, fmt.Errorf("certificate record: hours %v out of range", c.Hours)
	}

	b = append(b, recordVersion, flags)
	b = append(b, code[:]...)
	for _, f := range []struct{ name, v string }{
		{"name_ar", c.PersonNameAr}, {"name_en", c.PersonNameEn},
		{"workshop_ar", c.WorkshopTitleAr}, {"workshop_en", c.WorkshopTitleEn},
		{"wilayat_ar", c.WilayatAr}, {"wilayat_en", c.WilayatEn},
	} {
		if b, err = appendString(b, f.v); err != nil {
			return nil, fmt.Errorf("certificate record: %s: %w", f.name, err)
		}
	}
	b = binary.AppendVarint(b, civilDays(c.Date))
	b = binary.AppendUvarint(b, uint64(math.Round(c.Hours*60)))
	b = binary.AppendVarint(b, c.IssuedAt.Unix())
	if isUUID {
		b = append(b, uuid[:]...)
	} else if b, err = appendString(b, c.DeviceID); err != nil {
		return nil, fmt.Errorf("certificate record: device_id: %w", err)
	}
	if flags&flagReissue != 0 {
		b = append(b, reissue[:]...)
	}
	b = append(b, r.DevicePub...)
	b = append(b, r.Endorsement...)
	return b, nil
}

// signedMessage is what the device signs: a domain string (so a signature
// made for something else can never pass as a certificate) and the body.
func signedMessage(body []byte) []byte {
	return append([]byte(signDomain), body...)
}

// ParseRecord decodes a record. It checks the layout only, not signatures
// (see Verify). It never allocates more than a small multiple of len(b) and
// rejects any length that reaches past the input.
func ParseRecord(b []byte) (Record, error) {
	r, _, err := parseRecord(b)
	return r, err
}

// parseRecord also returns the length of the signed body.
func parseRecord(b []byte) (Record, int, error) {
	var r Record
	if len(b) > MaxRecordLen {
		return r, 0, fmt.Errorf("%w: %d bytes is too long", ErrMalformed, len(b))
	}
	d := decoder{b: b}
	version, flags := d.byte(), d.byte()
	if d.err == nil && version != recordVersion {
		return r, 0, fmt.Errorf("%w: version %d is not supported", ErrMalformed, version)
	}
	if d.err == nil && flags&^knownFlags != 0 {
		return r, 0, fmt.Errorf("%w: unknown flags %#x", ErrMalformed, flags)
	}
	c := &r.Certificate
	c.Code = d.code("code")
	c.PersonNameAr = d.string("name_ar")
	c.PersonNameEn = d.string("name_en")
	c.WorkshopTitleAr = d.string("workshop_ar")
	c.WorkshopTitleEn = d.string("workshop_en")
	c.WilayatAr = d.string("wilayat_ar")
	c.WilayatEn = d.string("wilayat_en")
	days := d.varint("date")
	minutes := d.uvarint("hours")
	issued := d.varint("issued_at")
	if flags&flagUUID != 0 {
		c.DeviceID = formatUUID(d.bytes("device_id", 16))
	} else if c.DeviceID = d.string("device_id"); d.err == nil {
		if _, isUUID := parseUUID(c.DeviceID); isUUID {
			d.fail("device_id", "should be packed")
		}
	}
	if flags&flagReissue != 0 {
		c.ReissueOf = d.code("reissue_of")
	}
	r.DevicePub = ed25519.PublicKey(d.bytes("device_pub", ed25519.PublicKeySize))
	if flags&flagEndorsed != 0 {
		r.Endorsement = d.bytes("endorsement", ed25519.SignatureSize)
	}
	bodyLen := d.off
	r.Signature = d.bytes("signature", ed25519.SignatureSize)
	if d.err != nil {
		return Record{}, 0, d.err
	}
	if d.off != len(b) {
		return Record{}, 0, fmt.Errorf("%w: %d bytes left over", ErrMalformed, len(b)-d.off)
	}
	if days < 0 || days > maxDays || issued < 0 || issued > maxSeconds || minutes > maxMinutes {
		return Record{}, 0, fmt.Errorf("%w: date, hours or issue time out of range", ErrMalformed)
	}
	c.Date = time.Unix(days*86400, 0).UTC()
	c.Hours = float64(minutes) / 60
	c.IssuedAt = time.Unix(issued, 0).UTC()
	return r, bodyLen, nil
}

// decoder reads fields and remembers the first error, naming the field.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(field, why string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s: %s", ErrMalformed, field, why)
	}
}

func (d *decoder) byte() byte {
	if v := d.bytes("header", 1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) bytes(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b)-d.off {
		d.fail(field, "cut short")
		return nil
	}
	v := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return v
}

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	// Only the shortest form: one record has one encoding.
	if n <= 0 || n != len(binary.AppendUvarint(nil, v)) {
		d.fail(field, "bad number")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint(field string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 || n != len(binary.AppendVarint(nil, v)) {
		d.fail(field, "bad number")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) code(field string) string {
	v := d.bytes(field, 7)
	if v == nil {
		return ""
	}
	code, ok := unpackCode(v)
	if !ok {
		d.fail(field, "not a verification code")
	}
	return code
}

func (d *decoder) string(field string) string {
	h := d.uvarint(field)
	if d.err != nil {
		return ""
	}
	// Compare before converting, so a huge length cannot wrap or allocate.
	if h>>1 > maxString || h>>1 > uint64(len(d.b)-d.off) {
		d.fail(field, "length reaches past the record")
		return ""
	}
	v := d.bytes(field, int(h>>1))
	if h&1 == 0 {
		if !utf8.Valid(v) {
			d.fail(field, "not UTF-8")
		} else if fitsCompact(string(v)) && len(v) > 0 {
			d.fail(field, "should be compact")
		}
		return string(v)
	}
	rs := make([]rune, len(v))
	for i, c := range v {
		if c < 0x80 {
			rs[i] = rune(c)
		} else {
			rs[i] = 0x0600 + rune(c-0x80)
		}
	}
	return string(rs)
}

// appendString writes s compactly when every rune allows it.
func appendString(b []byte, s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return nil, errors.New("not UTF-8")
	}
	compact := fitsCompact(s)
	n := len(s)
	if compact {
		n = utf8.RuneCountInString(s)
	}
	if n > maxString {
		return nil, fmt.Errorf("longer than %d characters", maxString)
	}
	if !compact {
		b = binary.AppendUvarint(b, uint64(n)<<1)
		return append(b, s...), nil
	}
	b = binary.AppendUvarint(b, uint64(n)<<1|1)
	for _, r := range s {
		if r < 0x80 {
			b = append(b, byte(r))
		} else {
			b = append(b, byte(r-0x0600+0x80))
		}
	}
	return b, nil
}

func fitsCompact(s string) bool {
	for _, r := range s {
		if r >= 0x80 && (r < 0x0600 || r > 0x067f) {
			return false
		}
	}
	return true
}

// civilDays counts days from 1970-01-01 to t's calendar date in t's own
// location, so a date typed as 2026-03-15 stays the 15th wherever it is read.
func civilDays(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400 // exact: midnight
}

// parseUUID accepts only the canonical lower-case form, so formatUUID gives
// back exactly the string that HQ endorsed.
func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	h := s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	for i := 0; i < len(h); i++ {
		if c := h[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return u, false
		}
	}
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, false
	}
	return u, true
}

func formatUUID(b []byte) string {
	if len(b) != 16 {
		return ""
	}
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
