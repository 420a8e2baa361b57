package data

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/message"
)

// TestValidationCarriesMessages: every problem of a rejected person is a
// message of the catalogue (a code and its arguments), found through the
// error chain, and rendered with its arguments isolated: the wilayat and
// governorates by their names in each language, the typed phone whole.
func TestValidationCarriesMessages(t *testing.T) {
	s := openTest(t)
	p := safeer.Person{NameEn: "X", Phone: "12", Governorate: "OM-MA", Wilayat: "Salalah", Kind: "visitor"}
	err := s.AddPerson(context.Background(), &p)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v", err)
	}
	codes := map[string]message.Code{}
	for _, fe := range ve.Errors {
		codes[fe.Field] = fe.Msg.Code
		if fe.Msg.English() != fe.En || fe.Msg.Arabic() != fe.Ar {
			t.Errorf("%s: words %q / %q are not its message's", fe.Field, fe.En, fe.Ar)
		}
	}
	want := map[string]message.Code{"phone": "input.phone.omani_length", "wilayat": "data.place.wilayat_elsewhere", "kind": "data.person.kind"}
	for f, c := range want {
		if codes[f] != c {
			t.Errorf("field %s: code %q, want %q", f, codes[f], c)
		}
	}
	wil, _ := ve.Field("wilayat")
	if want := "ولاية " + message.FSI + "صلالة" + message.PDI + " تتبع محافظة " + message.FSI + "ظفار" + message.PDI; !strings.HasPrefix(wil.Ar, want) {
		t.Errorf("wilayat in Arabic %q, want it to start %q", wil.Ar, want)
	}
	ph, _ := ve.Field("phone")
	if !strings.Contains(ph.Ar, message.FSI+"«12»"+message.PDI) {
		t.Errorf("the typed phone is not isolated: %q", ph.Ar)
	}
	m, ok := message.Find(err)
	if !ok || m.Code != "data.invalid" {
		t.Fatalf("the validation error carries %v %v", m, ok)
	}
	if ar := m.Arabic(); !strings.HasPrefix(ar, "بيانات غير صحيحة: ") || !strings.Contains(ar, "؛ ") || ar != ve.Arabic() {
		t.Errorf("whole message in Arabic %q", ar)
	}
	if en := err.Error(); !strings.HasPrefix(en, "invalid: ") || !strings.Contains(en, "Salalah is in Dhofar, not in Muscat") {
		t.Errorf("Error() %q", en)
	}
}
