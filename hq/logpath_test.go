package hq

import "testing"

func TestLogPathKeepsNoRecord(t *testing.T) {
	for in, want := range map[string]string{
		"/v/MB7K6XHK28": "/v/MB7K6XHK28",
		"/verify":       "/verify",
		"/v1/sync/push": "/v1/sync/push",
		"/V/AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOGAZDINRYHI6D4QEAQ": "/V/AEBAGBAF…(record)",
	} {
		if got := logPath(in); got != want {
			t.Errorf("logPath(%q) = %q, want %q", in, got, want)
		}
	}
}
