package web_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"hash/crc32"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/hq/web"
)

// bakedCredentials reads a PNG's chunks as the PNG specification lays
// them out (PNG 1.2: the 8-byte signature, then chunks of a 4-byte
// big-endian length, a 4-byte type, the data and a CRC-32 of type and
// data; iTXt data is keyword, NUL, compression flag, compression method,
// language tag, NUL, translated keyword, NUL, text) and returns the texts
// of the iTXt chunks whose keyword is openbadgecredential. It is written
// here, apart from credential.BakePNG, so the test does not check the
// baking code with itself.
func bakedCredentials(t *testing.T, img []byte) []string {
	t.Helper()
	if len(img) < 8 || string(img[:8]) != "\x89PNG\r\n\x1a\n" {
		t.Fatal("not a PNG")
	}
	var out []string
	seenEnd := false
	for p := 8; p < len(img); {
		if p+12 > len(img) {
			t.Fatal("truncated chunk")
		}
		n := int(binary.BigEndian.Uint32(img[p : p+4]))
		typ := string(img[p+4 : p+8])
		if p+12+n > len(img) {
			t.Fatalf("chunk %s overruns the file", typ)
		}
		data := img[p+8 : p+8+n]
		if crc32.ChecksumIEEE(img[p+4:p+8+n]) != binary.BigEndian.Uint32(img[p+8+n:p+12+n]) {
			t.Fatalf("chunk %s: CRC mismatch", typ)
		}
		p += 12 + n
		if seenEnd {
			t.Fatal("a chunk after IEND")
		}
		switch typ {
		case "IEND":
			seenEnd = true
		case "iTXt":
			kw := bytes.IndexByte(data, 0)
			if kw < 0 || string(data[:kw]) != "openbadgecredential" {
				continue
			}
			flag, method := data[kw+1], data[kw+2]
			if flag != 0 || method != 0 {
				t.Fatalf("compressed (%d, %d): the credential must be plain text", flag, method)
			}
			rest := data[kw+3:]
			lang := bytes.IndexByte(rest, 0)
			rest = rest[lang+1:]
			tk := bytes.IndexByte(rest, 0)
			out = append(out, string(rest[tk+1:]))
		}
	}
	if !seenEnd {
		t.Fatal("no IEND")
	}
	return out
}

// TestVerifyOffersCredential: /verify offers a valid certificate's
// credential as a JWT, as JSON and baked into the badge image; a revoked
// one's is not handed out; /verify.json checks credentials: ours valid or
// revoked, another issuer's not ours, garbage invalid.
func TestVerifyOffersCredential(t *testing.T) {
	c, creds, st := newIssuingHQ(t)
	dev, cl, cert := issuingDevice(t, c, st)
	stored, found, err := creds.Of(ctx, cert.ID)
	if err != nil || !found {
		t.Fatalf("no credential: %v", err)
	}
	code := certificate.FormatCode(cert.Code)
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := c.client().Get("https://" + c.host + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}

	resp, page := get("/verify?code=" + code)
	for _, want := range []string{"Download the credential", "تنزيل الشهادة الرقمية",
		`href="/credentials/` + code + `.jwt"`, `href="/credentials/` + code + `.json"`, `href="/credentials/` + code + `.png"`,
		`href="/credentials/` + code + `.svg"`} {
		if resp.StatusCode != 200 || !strings.Contains(string(page), want) {
			t.Fatalf("the page (%d) lacks %q", resp.StatusCode, want)
		}
	}
	var a web.Answer
	if _, b := get("/verify.json?code=" + code); json.Unmarshal(b, &a) != nil || a.Credential == nil || a.Credential.JWT != "/credentials/"+code+".jwt" {
		t.Fatalf("verify.json: %s", b)
	}

	resp, jwt := get("/credentials/" + code + ".jwt")
	if resp.StatusCode != 200 || string(jwt) != stored.JWT || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("the JWT: %d %v", resp.StatusCode, resp.Header)
	}
	resp, js := get("/credentials/" + code + ".json")
	var doc map[string]any
	if resp.StatusCode != 200 || json.Unmarshal(js, &doc) != nil || doc["id"] != "urn:uuid:"+cert.ID || doc["iss"] != nil {
		t.Fatalf("the JSON: %d %s", resp.StatusCode, js)
	}
	resp, img := get("/credentials/" + code + ".png")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the badge: %d %v", resp.StatusCode, resp.Header)
	}
	if baked := bakedCredentials(t, img); len(baked) != 1 || baked[0] != stored.JWT {
		t.Fatalf("baked in the badge: %d credentials", len(baked))
	}
	if _, err := png.Decode(bytes.NewReader(img)); err != nil {
		t.Fatalf("the badge is no image: %v", err)
	}
	resp, svg := get("/credentials/" + code + ".svg")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("the SVG badge: %d %v", resp.StatusCode, resp.Header)
	}
	if got := svgBaked(t, svg); len(got) != 1 || got[0] != stored.JWT {
		t.Fatalf("baked in the SVG: %d credentials", len(got))
	}
	if resp, _ := get("/credentials/ZZZZZ-ZZZZZ.jwt"); resp.StatusCode != 404 {
		t.Fatalf("an unknown code's credential: %d", resp.StatusCode)
	}

	check := func(how, token string) web.CredentialAnswer {
		t.Helper()
		var resp *http.Response
		var err error
		if how == "post" {
			resp, err = c.client().Post("https://"+c.host+"/verify.json", "application/jwt", strings.NewReader(token))
		} else {
			resp, err = c.client().Get("https://" + c.host + "/verify.json?credential=" + url.QueryEscape(token))
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ca web.CredentialAnswer
		if err := json.NewDecoder(resp.Body).Decode(&ca); err != nil || resp.StatusCode != 200 {
			t.Fatalf("verify.json (%s): %d %v", how, resp.StatusCode, err)
		}
		return ca
	}
	if ca := check("get", stored.JWT); ca.Status != "valid" || ca.Credential == nil || ca.MessageAr == "" ||
		!strings.Contains(strings.Join(ca.Credential.Names, " "), "Salim") {
		t.Fatalf("our credential: %+v", ca)
	}
	other, _ := credential.NewIssuer("https://badges.example.org", "", "Other", ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)))
	foreign, err := other.Issue(credential.Certificate{ID: "x", PersonID: "y", WorkshopID: "z", NameEn: "Someone", TitleEn: "Welding", Date: "2026-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	if ca := check("post", foreign); ca.Status != "not_ours" || ca.Credential != nil {
		t.Fatalf("another issuer's: %+v", ca)
	}
	if ca := check("get", "eyJhbGciOiJub25lIn0.e30.x"); ca.Status != "invalid" || len(ca.Reasons) == 0 {
		t.Fatalf("garbage: %+v", ca)
	}

	// Revoked on the device and synced: the list says so, and HQ no
	// longer hands the credential out.
	if _, err := dev.RevokeCertificate(ctx, cert.Code, "attendance recorded in error"); err != nil {
		t.Fatal(err)
	}
	syncDevice(t, cl)
	if ca := check("post", stored.JWT); ca.Status != "revoked" || ca.Credential == nil {
		t.Fatalf("revoked: %+v", ca)
	}
	if resp, page := get("/verify?code=" + code); resp.StatusCode != 200 || strings.Contains(string(page), "Download the credential") {
		t.Fatalf("a revoked certificate's page offers its credential (%d)", resp.StatusCode)
	}
	for _, ext := range []string{"jwt", "json", "png", "svg"} {
		if resp, _ := get("/credentials/" + code + "." + ext); resp.StatusCode != 404 {
			t.Fatalf("a revoked certificate's %s: %d", ext, resp.StatusCode)
		}
	}
}

// svgBaked reads an SVG with encoding/xml (not with credential.BakeSVG)
// and returns the verify attributes of its <openbadges:credential>
// elements, the Open Badges 3.0 namespace's.
func svgBaked(t *testing.T, svg []byte) []string {
	t.Helper()
	var out []string
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("the SVG is not XML: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Space == "https://purl.imsglobal.org/ob/v3p0" && el.Name.Local == "credential" {
			for _, a := range el.Attr {
				if a.Name.Local == "verify" {
					out = append(out, a.Value)
				}
			}
		}
	}
}
