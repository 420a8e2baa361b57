package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
)

// runVerifyCredential checks an Open Badges credential (issue 16) as HQ's
// /verify.json does, from the database and key at hand: a token (.jwt),
// or a badge image (.png) with one baked in, or - for stdin. It prints the
// verdict (valid, revoked, not_ours, invalid) and its reasons, and exits
// 0 only for a valid credential.
func (m *Main) runVerifyCredential(ctx context.Context, args []string) error {
	f := m.newFlags("verify-credential")
	keyPath := f.String("key", "", "HQ's signing key file (default: next to a SQLite database, or in the config folder)")
	publicURL := f.String("public-url", "", "HQ's public https:// address, as safeer-hq serve has it")
	asJSON := f.Bool("json", false, "machine-readable output")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *publicURL == "" {
		return usagef("verify-credential FILE.jwt|FILE.png|- --public-url https://HOST")
	}
	var raw []byte
	if pos[0] == "-" {
		raw, err = io.ReadAll(io.LimitReader(m.Stdin, 1<<20))
	} else {
		raw, err = os.ReadFile(pos[0])
	}
	if err != nil {
		return fmt.Errorf("read the credential: %w", err)
	}
	token := strings.TrimSpace(string(raw))
	if strings.HasPrefix(string(raw), "\x89PNG") {
		var baked bool
		if token, baked, err = credential.FromPNG(raw); err != nil {
			return err
		} else if !baked {
			return errors.New("the image holds no Open Badges credential")
		}
	}
	key, err := m.loadKey(f.db, *keyPath)
	if err != nil {
		return err
	}
	is, err := web.NewIssuer(*publicURL, key)
	if err != nil {
		return usagef("verify-credential: %s", err)
	}
	var res credential.Result
	err = m.withStore(ctx, f.db, func(st hq.Store) error {
		creds, err := hq.NewCredentials(st, is, hq.CredentialOptions{Now: m.Now})
		if err != nil {
			return err
		}
		now := m.Now()
		res = credential.Verify(token, credential.VerifyOptions{
			Issuer:  is.DID,
			Resolve: func(kid string) (ed25519.PublicKey, error) { return is.DIDDocument().Key(kid) },
			Status: func(url string) (string, error) {
				if url != is.StatusListURL() {
					return "", errors.New("not the programme's revocation list")
				}
				revoked, err := creds.RevokedStatuses(ctx)
				if err != nil {
					return "", err
				}
				n, err := creds.StatusListLength(ctx)
				if err != nil {
					return "", err
				}
				list := credential.NewStatusList(n)
				for _, i := range revoked {
					if err := list.Set(i, true); err != nil {
						return "", err
					}
				}
				return is.StatusListCredential(list, now.Add(-time.Minute), time.Hour)
			},
			Now: now,
		})
		return nil
	})
	if err != nil {
		return err
	}
	if *asJSON {
		reasons := []map[string]string{}
		for _, r := range res.Reasons {
			reasons = append(reasons, map[string]string{"code": string(r.Code), "message_en": r.English(), "message_ar": r.Arabic()})
		}
		out := map[string]any{"status": res.Outcome, "reasons": reasons}
		if res.Credential != nil && (res.Outcome == credential.Valid || res.Outcome == credential.Revoked) {
			out["id"], out["name"] = res.Credential.ID, res.Credential.Name
		}
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(out)
	} else {
		fmt.Fprintln(m.Stdout, res.Outcome)
		if res.Credential != nil && (res.Outcome == credential.Valid || res.Outcome == credential.Revoked) {
			fmt.Fprintf(m.Stdout, "  %s\n  %s\n", res.Credential.ID, res.Credential.Name)
		}
		for _, r := range res.Reasons {
			fmt.Fprintf(m.Stdout, "  %s\n", r.English())
		}
	}
	if res.Outcome != credential.Valid {
		return fmt.Errorf("the credential is not valid (%s)", res.Outcome)
	}
	return nil
}
