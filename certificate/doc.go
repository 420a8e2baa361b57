// Package certificate makes and checks certificates of attendance: the
// printed page (PDF, Arabic and English), the verification code a person
// can type, and the signed record in the QR code that anyone holding HQ's
// public key can verify offline.
//
// Issuing, in order: LoadOrCreateKey gives the device key; HQ endorses its
// public key at enrolment (Endorse); a Signer with key and endorsement
// signs each Certificate (Sign); Render prints the SignedCertificates, one
// page each; the store keeps SignedCertificate.Payload. Checking: Verify
// takes the QR code's text (or VerifyPayload the bytes) and says valid,
// tampered, unknown_signer, not_endorsed, revoked or malformed, with what
// was certified.
//
// Known limits of the PDF text: fpdf cannot place glyph IDs, so Arabic is
// drawn as Unicode presentation forms in visual order (arabic.Shape and
// arabic.VisualDir). That keeps the text selectable and searchable (after
// NFKC) and the fonts small, but only the ligatures that Unicode encodes
// (lam-alef) are formed, and tashkeel sits where the font's default
// advance puts it, not on its letter's anchor: certificates avoid
// diacritics in their fixed texts.
package certificate
