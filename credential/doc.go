// Package credential issues and checks the programme's certificates as
// Open Badges 3.0 credentials (1EdTech), which are W3C Verifiable
// Credentials (Data Model 2.0), so that an ambassador can carry one to a
// wallet or a profile and anyone can check it with standard tools
// (issue 16; docs/CREDENTIALS.md). It holds no SQL and no HTTP server:
// HQ stores, numbers and serves; this package makes and reads the bytes.
//
// What follows which specification:
//
//   - Issuer identity: did:web (W3C CCG). DIDFromURL maps HQ's public
//     https address to its DID (a port's colon percent-encoded, a path as
//     colon-separated segments), DocumentURL maps back, NewDIDDocument
//     is the document served there, with HQ's Ed25519 key as its one
//     verification method DID#key-1 of type JsonWebKey (publicKeyJwk, OKP
//     Ed25519), listed under assertionMethod.
//   - The credential: an OpenBadgeCredential (Issuer.Credential): issuer
//     Profile, AchievementSubject with the workshop as its Achievement,
//     validFrom the workshop's date, a BitstringStatusListEntry.
//   - Securing: Open Badges 3.0's "JSON Web Token Proof Format" (in "Proofs",
//     Issuer.Issue). It follows VC-JOSE-COSE in putting the credential
//     itself in the JWT payload (not in a "vc" claim as VC-JWT of Data
//     Model 1.1 did) and adds the claims iss, jti, nbf, sub (and exp); its
//     JOSE header may hold only alg, kid or jwk, and typ, which if present
//     MUST be "JWT", so Safeer writes typ "JWT", not VC-JOSE-COSE's
//     "vc+jwt". The algorithm is EdDSA (RFC 8037): the specification asks
//     for RS256 "as a minimum" and permits others at some cost to
//     interoperability; the issue asked for Ed25519, HQ's key kind.
//   - Revocation: Bitstring Status List v1.0 (StatusList: bit 0 is the
//     left-most bit; at least 131,072 entries; gzip, then multibase
//     base64url, prefix "u"), in a BitstringStatusListCredential signed as
//     VC-JOSE-COSE secures a Data Model 2.0 credential (typ "vc+jwt").
//   - Verify: Open Badges 3.0's verification steps for a JWT and the
//     status list's validate algorithm; the outcome is valid, revoked,
//     not ours or invalid, with reasons from the message catalogue.
//
// The compact JWS is written by hand (jws.go) rather than with a JOSE
// library: one algorithm, a few lines over crypto/ed25519, nothing to
// configure wrongly. credential/testdata/node checks what this package
// issues with independent code (the jose and ajv packages from npm).
package credential
