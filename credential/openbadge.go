package credential

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oman-sca/safeer/message"
)

// The JSON-LD contexts of an Open Badges 3.0 credential, in the order the
// specification requires: the VC Data Model 2.0's first, then Open
// Badges' (its latest version, 3.0.3).
var obContexts = []string{
	"https://www.w3.org/ns/credentials/v2",
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
}

// OBSchemaURL is the Open Badges 3.0 JSON Schema of an
// AchievementCredential, named in every credential's credentialSchema so
// that verifiers check against it (its type "1EdTechJsonSchemaValidator2019").
const OBSchemaURL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

// Credential is an OpenBadgeCredential (Open Badges 3.0 data model:
// AchievementCredential), a W3C Verifiable Credential (Data Model 2.0).
// Only the properties Safeer writes are here.
type Credential struct {
	Context           []string           `json:"@context"`
	ID                string             `json:"id"`
	Type              []string           `json:"type"`
	Name              string             `json:"name"`
	Description       string             `json:"description,omitempty"`
	Issuer            Profile            `json:"issuer"`
	ValidFrom         string             `json:"validFrom"`
	ValidUntil        string             `json:"validUntil,omitempty"`
	AwardedDate       string             `json:"awardedDate,omitempty"`
	CredentialSubject AchievementSubject `json:"credentialSubject"`
	CredentialStatus  *StatusEntry       `json:"credentialStatus,omitempty"`
	CredentialSchema  []CredentialSchema `json:"credentialSchema,omitempty"`
}

// Profile is the issuer (Open Badges' Profile): HQ, named by its did:web.
type Profile struct {
	ID   string   `json:"id"`
	Type []string `json:"type"`
	Name string   `json:"name,omitempty"`
	URL  string   `json:"url,omitempty"`
}

// AchievementSubject is the ambassador who attended, and what they
// achieved.
type AchievementSubject struct {
	ID                string           `json:"id,omitempty"`
	Type              []string         `json:"type"`
	ActivityStartDate string           `json:"activityStartDate,omitempty"`
	Achievement       Achievement      `json:"achievement"`
	Identifier        []IdentityObject `json:"identifier,omitempty"`
}

// Achievement is the workshop.
type Achievement struct {
	ID          string   `json:"id"`
	Type        []string `json:"type"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Criteria    Criteria `json:"criteria"`
	InLanguage  string   `json:"inLanguage,omitempty"`
}

// Criteria says how the achievement is earned, as Markdown.
type Criteria struct {
	Narrative string `json:"narrative"`
}

// IdentityObject identifies the recipient. Safeer writes only the
// person's names, in the clear (hashed false), as the specification's
// IdentifierTypeEnum "name" allows; see docs/CREDENTIALS.md for what is
// deliberately left out.
type IdentityObject struct {
	Type         string `json:"type"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	Salt         string `json:"salt,omitempty"`
}

// StatusEntry is a BitstringStatusListEntry: the credential's bit in the
// issuer's revocation list.
type StatusEntry struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

// CredentialSchema names a JSON Schema the credential conforms to.
type CredentialSchema struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// claims are the JWT claims Open Badges 3.0 (JSON Web Token Proof
// Format) requires next to the credential's own properties in the
// payload: iss = issuer.id, jti = id, nbf = validFrom, sub =
// credentialSubject.id, and exp = validUntil when there is one.
type claims struct {
	Iss string `json:"iss"`
	Jti string `json:"jti"`
	Nbf int64  `json:"nbf"`
	Sub string `json:"sub,omitempty"`
	Exp int64  `json:"exp,omitempty"`
}

// payload is a JWT payload: the credential itself, as VC-JOSE-COSE and
// Open Badges 3.0 have it (not wrapped in a "vc" claim as VC-JWT of Data
// Model 1.1 did), with the claims beside its properties.
type payload struct {
	Credential
	claims
}

// Issuer issues HQ's credentials.
type Issuer struct {
	// DID is HQ's did:web (DIDFromURL of PublicURL).
	DID string
	// PublicURL is HQ's public address, without a trailing slash.
	PublicURL string
	// NameAr and NameEn name the programme, the issuer.
	NameAr, NameEn string
	// Key is HQ's Ed25519 signing key; its public half is DID#key-1.
	Key ed25519.PrivateKey
}

// StatusListPath is where, under its public URL, HQ serves its one
// revocation list.
const StatusListPath = "/credentials/status/revocation"

// NewIssuer is the issuer at publicURL (https://…) with key.
func NewIssuer(publicURL, nameAr, nameEn string, key ed25519.PrivateKey) (*Issuer, error) {
	publicURL = strings.TrimRight(strings.TrimSpace(publicURL), "/")
	did, err := DIDFromURL(publicURL)
	if err != nil {
		return nil, err
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("credential: issuer needs an Ed25519 key")
	}
	return &Issuer{DID: did, PublicURL: publicURL, NameAr: nameAr, NameEn: nameEn, Key: key}, nil
}

// KeyID is the verification method that signs: DID#key-1.
func (is *Issuer) KeyID() string { return is.DID + "#" + KeyFragment }

// StatusListURL is the address of the revocation list credential.
func (is *Issuer) StatusListURL() string { return is.PublicURL + StatusListPath }

// DIDDocument is the issuer's DID document.
func (is *Issuer) DIDDocument() DIDDocument {
	return NewDIDDocument(is.DID, is.Key.Public().(ed25519.PublicKey))
}

// Oman is the time of the programme's dates: a workshop's date is a day in
// Oman (UTC+4, no daylight saving), so a credential is valid from the
// start of that day there (00:00+04:00, 20:00 UTC the day before), not
// from 00:00 UTC, which would make it "not yet valid" until 04:00 in Oman.
var Oman = time.FixedZone("+04", 4*60*60)

// Certificate is what a credential says: one certificate of attendance
// as HQ recorded it. Civil ID, phone and e-mail are not here on purpose.
type Certificate struct {
	ID          string    // the certificate's UUID: the credential is urn:uuid:ID
	PersonID    string    // the ambassador's UUID: the subject is urn:uuid:PersonID
	NameAr      string    // the names printed on the certificate
	NameEn      string    //
	WorkshopID  string    // the workshop's UUID: the achievement is urn:uuid:WorkshopID
	TitleAr     string    // the workshop's titles
	TitleEn     string    //
	Date        string    // the workshop's date in Oman, YYYY-MM-DD: validFrom is its start there
	Hours       float64   // the hours printed on the certificate
	WilayatAr   string    // where the workshop was held
	WilayatEn   string    //
	IssuedAt    time.Time // when the certificate was issued: awardedDate
	StatusIndex int       // the certificate's bit in the revocation list
}

// Credential is the OpenBadgeCredential of c, unsigned.
func (is *Issuer) Credential(c Certificate) (Credential, error) {
	if c.ID == "" || c.PersonID == "" || c.WorkshopID == "" {
		return Credential{}, errors.New("credential: certificate, person and workshop ids are needed")
	}
	if c.NameAr == "" && c.NameEn == "" {
		return Credential{}, errors.New("credential: the certificate names no one")
	}
	if c.TitleAr == "" && c.TitleEn == "" {
		return Credential{}, errors.New("credential: the workshop has no title")
	}
	day, err := time.ParseInLocation(time.DateOnly, c.Date, Oman)
	if err != nil {
		return Credential{}, fmt.Errorf("credential: workshop date %q: %w", c.Date, err)
	}
	if c.StatusIndex < 0 {
		return Credential{}, fmt.Errorf("credential: status index %d", c.StatusIndex)
	}
	title := pair(c.TitleAr, c.TitleEn)
	hours := message.Float("hours", c.Hours)
	date := message.Latin("date", c.Date)
	words := func(m message.Message) string {
		return strings.Join(nonEmpty(m.Arabic(), m.English()), "\n\n")
	}
	index := strconv.Itoa(c.StatusIndex)
	cr := Credential{
		Context:     obContexts,
		ID:          "urn:uuid:" + c.ID,
		Type:        []string{"VerifiableCredential", "OpenBadgeCredential"},
		Name:        title,
		Description: words(message.New("credential.description", message.Pair("programme", is.NameEn, is.NameAr))),
		Issuer: Profile{
			ID:   is.DID,
			Type: []string{"Profile"},
			Name: pair(is.NameAr, is.NameEn),
			URL:  is.PublicURL,
		},
		ValidFrom: day.Format(time.RFC3339),
		CredentialSubject: AchievementSubject{
			ID:                "urn:uuid:" + c.PersonID,
			Type:              []string{"AchievementSubject"},
			ActivityStartDate: day.Format(time.RFC3339),
			Achievement: Achievement{
				ID:   "urn:uuid:" + c.WorkshopID,
				Type: []string{"Achievement"},
				Name: title,
				Description: words(message.New("credential.achievement",
					message.Pair("title", nz(c.TitleEn, c.TitleAr), nz(c.TitleAr, c.TitleEn)),
					message.Pair("wilayat", nz(c.WilayatEn, c.WilayatAr), nz(c.WilayatAr, c.WilayatEn)),
					date, hours)),
				Criteria: Criteria{Narrative: words(message.New("credential.criteria",
					message.Pair("title", nz(c.TitleEn, c.TitleAr), nz(c.TitleAr, c.TitleEn)), hours))},
				InLanguage: "ar",
			},
		},
		CredentialStatus: &StatusEntry{
			ID:                   is.StatusListURL() + "#" + index,
			Type:                 "BitstringStatusListEntry",
			StatusPurpose:        "revocation",
			StatusListIndex:      index,
			StatusListCredential: is.StatusListURL(),
		},
		CredentialSchema: []CredentialSchema{{ID: OBSchemaURL, Type: "1EdTechJsonSchemaValidator2019"}},
	}
	if !c.IssuedAt.IsZero() {
		cr.AwardedDate = c.IssuedAt.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	for _, n := range nonEmpty(c.NameAr, c.NameEn) {
		cr.CredentialSubject.Identifier = append(cr.CredentialSubject.Identifier, IdentityObject{
			Type: "IdentityObject", IdentityHash: n, IdentityType: "name", Hashed: false,
		})
	}
	return cr, nil
}

// Issue is c's OpenBadgeCredential signed as Open Badges 3.0's JSON Web
// Token Proof Format requires: a compact JWS whose header holds only alg
// (EdDSA), kid (DID#key-1) and typ ("JWT", the only value the
// specification allows), and whose payload is the credential with the
// iss, jti, nbf and sub claims.
func (is *Issuer) Issue(c Certificate) (string, error) {
	cr, err := is.Credential(c)
	if err != nil {
		return "", err
	}
	return is.Sign(cr)
}

// Sign secures an OpenBadgeCredential as a JWT (see Issue).
func (is *Issuer) Sign(cr Credential) (string, error) {
	from, err := time.Parse(time.RFC3339, cr.ValidFrom)
	if err != nil {
		return "", fmt.Errorf("credential: validFrom %q: %w", cr.ValidFrom, err)
	}
	cl := claims{Iss: cr.Issuer.ID, Jti: cr.ID, Nbf: from.Unix(), Sub: cr.CredentialSubject.ID}
	if cr.ValidUntil != "" {
		until, err := time.Parse(time.RFC3339, cr.ValidUntil)
		if err != nil {
			return "", fmt.Errorf("credential: validUntil %q: %w", cr.ValidUntil, err)
		}
		cl.Exp = until.Unix()
	}
	return signCompact(header{Kid: is.KeyID(), Typ: "JWT"}, payload{cr, cl}, is.Key)
}

// pair writes a value that has an Arabic and an English form as one
// string, Arabic first, each isolated (FSI … PDI) so that neither
// reorders the other: Open Badges 3.0's schema types names as plain
// strings, with no language maps.
func pair(ar, en string) string {
	switch {
	case ar == "":
		return en
	case en == "" || en == ar:
		return ar
	}
	return message.FSI + ar + message.PDI + " — " + message.FSI + en + message.PDI
}

func nz(s, or string) string {
	if s != "" {
		return s
	}
	return or
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// UnmarshalJSON reads an issuer given as an object or, as the VC Data
// Model allows, as just its id.
func (p *Profile) UnmarshalJSON(b []byte) error {
	var id string
	if json.Unmarshal(b, &id) == nil {
		*p = Profile{ID: id}
		return nil
	}
	type plain Profile
	return json.Unmarshal(b, (*plain)(p))
}
