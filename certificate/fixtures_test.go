package certificate

import (
	"crypto/ed25519"
	"crypto/sha256"
	"os/exec"
	"testing"
	"time"
)

// Fixed keys, so failures reproduce.
func testKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("safeer test key " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

const testDeviceID = "01928c7e-4b3a-7d2e-9f10-2a3b4c5d6e7f"

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// testSigner is a device enrolled with the "hq" key.
func testSigner() Signer {
	dev := testKey("device")
	return Signer{DeviceID: testDeviceID, Key: dev, Endorsement: Endorse(testKey("hq"), testDeviceID, pub(dev))}
}

// typical is an ordinary certificate: a two-part Arabic name, a workshop
// title of average length in both languages.
func typical() Certificate {
	return Certificate{
		PersonNameAr:    "عبدالله بن سالم الإسماعيلي",
		PersonNameEn:    "Abdullah bin Salim Al Ismaili",
		WorkshopTitleAr: "مقدمة في المدن الذكية وإنترنت الأشياء",
		WorkshopTitleEn: "Introduction to Smart Cities and IoT",
		WilayatAr:       "نزوى",
		WilayatEn:       "Nizwa",
		Date:            time.Date(2026, time.March, 15, 0, 0, 0, 0, time.UTC),
		Hours:           3,
		IssuedAt:        time.Date(2026, time.March, 15, 13, 45, 0, 0, time.UTC),
	}
}

// people covers what the default template must cope with.
func people() []Certificate {
	a := typical()
	b := typical()
	b.PersonNameAr = "محمد بن عبدالرحمن بن سليمان بن خلفان بن ناصر البوسعيدي الهنائي"
	b.PersonNameEn = "Mohammed bin Abdulrahman bin Sulaiman bin Khalfan bin Nasser Al Busaidi Al Hinai"
	b.Hours = 2.5
	c := typical()
	c.PersonNameAr = "فاطمة بنت علي البلوشية"
	c.PersonNameEn = "" // no English name: that line is left out
	c.WilayatAr, c.WilayatEn = "صلالة", "Salalah"
	c.Date = time.Date(2026, time.November, 2, 0, 0, 0, 0, time.UTC)
	return []Certificate{a, b, c}
}

func mustSign(t testing.TB, s Signer, c Certificate) SignedCertificate {
	t.Helper()
	sc, err := s.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// tool returns the path of an external program the tests rely on. They are
// part of the check, not optional: a missing tool fails the test.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed for this test (apt-get install poppler-utils qpdf zbar-tools): %v", name, err)
	}
	return p
}
