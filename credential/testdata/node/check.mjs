// An independent check of a Safeer credential (issue 16), written from the
// specifications and sharing no code with Safeer's Go:
//
//   node check.mjs FILE   (FILE holds the credential, a compact JWS)
//
// 1. did:web (W3C CCG, §3.2 Read): the issuer's DID becomes an https URL;
//    the DID document is fetched and the key the JWT's kid names taken
//    from it (a JsonWebKey's publicKeyJwk).
// 2. jose verifies the JWT's EdDSA signature with that key and the
//    header and claims Open Badges 3.0 §8.2 asks for (typ JWT; iss, jti,
//    nbf, sub equal to issuer.id, id, validFrom, credentialSubject.id).
// 3. ajv checks the credential against the Open Badges 3.0 JSON Schema
//    (ob_v3p0_achievementcredential_schema.json beside this file; see
//    README.md for where it comes from).
// 4. The BitstringStatusListCredential the credential names is fetched,
//    its signature verified with the issuer's key, its encodedList
//    decoded (multibase "u", base64url, gunzip) and the credential's bit
//    read, index 0 being the left-most bit (Bitstring Status List v1.0).
//
// On success it prints one JSON line: {"revoked": …, …}. On any failure
// it prints the reasons to stderr and exits 1.
//
// SAFEER_RESOLVE=host=ip makes the name resolve to that address (a test
// server on loopback with a certificate for the name; NODE_EXTRA_CA_CERTS
// names the certificate to trust).

import { readFileSync } from 'node:fs';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';

const here = new URL('.', import.meta.url);
const problems = [];
const fail = (msg) => { problems.push(msg); };

const [override, overrideIP] = (process.env.SAFEER_RESOLVE || '').split('=');
function lookup(host, opts, cb) {
  if (typeof opts === 'function') { cb = opts; opts = {}; }
  const addr = host === override ? overrideIP : host;
  if (opts && opts.all) cb(null, [{ address: addr, family: addr.includes(':') ? 6 : 4 }]);
  else cb(null, addr, addr.includes(':') ? 6 : 4);
}

function get(url) {
  return new Promise((resolve, reject) => {
    https.get(url, { lookup }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: ${res.statusCode}`));
        else resolve({ body, headers: res.headers });
      });
    }).on('error', reject);
  });
}

// did:web §3.2: replace ":" with "/", percent-decode the port's colon,
// prepend https://, append /.well-known if there is no path, then /did.json.
function didWebURL(did) {
  if (!did.startsWith('did:web:')) throw new Error(`${did} is not a did:web`);
  const parts = did.slice('did:web:'.length).split(':');
  const host = decodeURIComponent(parts[0]);
  const path = parts.slice(1).map(decodeURIComponent);
  return 'https://' + host + (path.length ? '/' + path.join('/') : '/.well-known') + '/did.json';
}

async function keyOf(kid) {
  const did = kid.split('#')[0];
  const { body } = await get(didWebURL(did));
  const doc = JSON.parse(body);
  if (doc.id !== did) throw new Error(`DID document of ${doc.id}, wanted ${did}`);
  const abs = (id) => (id.startsWith('#') ? did + id : id);
  const vm = (doc.verificationMethod || []).find((m) => abs(m.id) === kid);
  if (!vm) throw new Error(`${kid} is not in the DID document`);
  if (!(doc.assertionMethod || []).map((a) => (typeof a === 'string' ? abs(a) : abs(a.id))).includes(kid)) {
    throw new Error(`${kid} may not make assertions`);
  }
  if (vm.type !== 'JsonWebKey' || !vm.publicKeyJwk) throw new Error(`${kid} is a ${vm.type} without publicKeyJwk`);
  if ('d' in vm.publicKeyJwk) throw new Error('the DID document publishes a private key');
  return { key: await importJWK(vm.publicKeyJwk, 'EdDSA'), doc };
}

const token = readFileSync(process.argv[2], 'utf8').trim();
const report = {};
try {
  const header = decodeProtectedHeader(token);
  report.header = header;
  const extra = Object.keys(header).filter((k) => !['alg', 'kid', 'jwk', 'typ'].includes(k));
  if (extra.length) fail(`JOSE header has ${extra.join(', ')}: Open Badges 3.0 allows no other headers`);
  if (header.typ !== undefined && header.typ !== 'JWT') fail(`typ is ${header.typ}, Open Badges 3.0 says JWT`);

  const { key, doc } = await keyOf(header.kid);
  report.didDocument = doc.id;
  const { payload } = await jwtVerify(token, key, { algorithms: ['EdDSA'], typ: 'JWT' });
  report.signature = 'verified';

  const { iss, jti, nbf, sub, exp, ...credential } = payload;
  if ('vc' in payload) fail('the credential is in a "vc" claim, not the payload');
  if (iss !== credential.issuer?.id) fail(`iss ${iss} is not issuer.id ${credential.issuer?.id}`);
  if (!header.kid.startsWith(iss + '#')) fail(`kid ${header.kid} is not a key of ${iss}`);
  if (jti !== credential.id) fail(`jti ${jti} is not id ${credential.id}`);
  if (sub !== credential.credentialSubject?.id) fail(`sub ${sub} is not credentialSubject.id`);
  if (typeof nbf !== 'number' || nbf * 1000 !== Date.parse(credential.validFrom)) fail(`nbf ${nbf} is not validFrom ${credential.validFrom}`);
  if (exp !== undefined && exp * 1000 !== Date.parse(credential.validUntil)) fail('exp is not validUntil');
  report.credential = { id: credential.id, issuer: iss, subject: sub, name: credential.name };

  const schema = JSON.parse(readFileSync(new URL('ob_v3p0_achievementcredential_schema.json', here), 'utf8'));
  const ajv = new Ajv2019({ allErrors: true, strict: false, validateSchema: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  if (!validate(credential)) {
    for (const e of validate.errors) fail(`schema: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  }
  report.schema = schema.$id;

  const st = credential.credentialStatus;
  if (!st || st.type !== 'BitstringStatusListEntry' || st.statusPurpose !== 'revocation') {
    fail('no BitstringStatusListEntry for revocation');
  } else {
    const { body: listJwt, headers } = await get(st.statusListCredential);
    report.statusCacheControl = headers['cache-control'] || '';
    const lh = decodeProtectedHeader(listJwt);
    if (!lh.kid.startsWith(iss + '#')) fail(`status list signed by ${lh.kid}, not by ${iss}`);
    const { key: listKey } = await keyOf(lh.kid);
    const { payload: list } = await jwtVerify(listJwt, listKey, { algorithms: ['EdDSA'], typ: 'vc+jwt' });
    if (list.issuer !== iss && list.issuer?.id !== iss) fail('the status list has another issuer');
    if (list.id !== st.statusListCredential) fail('the status list is not the one named');
    if (!list.type.includes('BitstringStatusListCredential')) fail('not a BitstringStatusListCredential');
    const subj = list.credentialSubject;
    if (subj.statusPurpose !== 'revocation') fail('the list is not for revocation');
    if (!subj.encodedList.startsWith('u')) fail('encodedList is not multibase base64url');
    const bits = gunzipSync(Buffer.from(subj.encodedList.slice(1), 'base64url'));
    if (bits.length * 8 < 131072) fail(`the list has ${bits.length * 8} entries, fewer than 131072`);
    const index = Number.parseInt(st.statusListIndex, 10);
    const bit = (bits[index >> 3] >> (7 - (index & 7))) & 1;
    report.status = { index, entries: bits.length * 8, bit, set: [] };
    // Every set bit, so the test can see that no other was touched.
    for (let i = 0; i < bits.length; i++) {
      for (let b = 0; b < 8; b++) if ((bits[i] >> (7 - b)) & 1) report.status.set.push(i * 8 + b);
    }
    report.revoked = bit === 1;
  }
} catch (e) {
  fail(`${e.code ? e.code + ': ' : ''}${e.message}`);
}
if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(JSON.stringify(report));
