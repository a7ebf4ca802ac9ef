import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/*
 * The signature on a dialogue report (docs/outcomes.md, "Aggregation"): a JWS in compact
 * serialization, `alg: EdDSA` (Ed25519), `kid` = the partner's id, the payload = the report's JSON.
 * node:crypto does Ed25519; no JWT library is needed for one algorithm and no claims.
 */

const B64URL = /^[A-Za-z0-9_-]*$/;

export interface ParsedJws {
  kid: string;
  /** The payload's bytes, as signed. */
  payload: Buffer;
  /** `header.payload`, what the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** Splits a compact JWS; a string naming what is wrong when it is not one we take. */
export function parseJws(compact: string): ParsedJws | string {
  const parts = compact.trim().split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p)) || !parts[0] || !parts[1] || !parts[2]) {
    return 'the body must be a JWS in compact serialization (header.payload.signature, base64url)';
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    return 'the JWS header is not JSON';
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) return 'the JWS header is not a JSON object';
  const { alg, kid, crit } = header as Record<string, unknown>;
  if (alg !== 'EdDSA') return `the JWS "alg" must be "EdDSA" (Ed25519), not ${JSON.stringify(alg)}`;
  if (typeof kid !== 'string' || !kid) return 'the JWS header must name the partner in "kid"';
  if (crit !== undefined) return 'the JWS header has "crit" extensions this aggregator does not know';
  return { kid, payload: Buffer.from(parts[1], 'base64url'), signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
}

export function verifyJws(jws: ParsedJws, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(jws.signingInput), key, jws.signature);
  } catch {
    return false;
  }
}

/** Signs `payload` (a report's JSON) for partner `kid`. */
export function signJws(payload: string, key: KeyObject, kid: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid, typ: 'un75-report+jws' })).toString('base64url');
  const body = Buffer.from(payload).toString('base64url');
  const signature = sign(null, Buffer.from(`${header}.${body}`), key).toString('base64url');
  return `${header}.${body}.${signature}`;
}

/** An Ed25519 public key from a JWK object or a PEM string; a string naming what is wrong otherwise. */
export function publicKeyFrom(value: unknown): KeyObject | string {
  try {
    const key =
      typeof value === 'string'
        ? createPublicKey(value)
        : value && typeof value === 'object'
          ? createPublicKey({ key: { kty: (value as { kty?: unknown }).kty, crv: (value as { crv?: unknown }).crv, x: (value as { x?: unknown }).x } as never, format: 'jwk' })
          : null;
    if (!key) return 'a key must be a JWK object or a PEM string';
    if (key.asymmetricKeyType !== 'ed25519') return `the key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not Ed25519`;
    return key;
  } catch (err) {
    return `not a public key: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * A partner's signing key from its file: a private JWK with `kid` (what `un75-signal keygen`
 * writes), or a PKCS#8 PEM with the partner id given apart.
 */
export function privateKeyFrom(text: string, kid?: string): { key: KeyObject; kid: string } | string {
  try {
    const trimmed = text.trim();
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as Record<string, unknown>;
      const id = kid ?? (typeof jwk.kid === 'string' ? jwk.kid : undefined);
      if (!id) return 'the key file has no "kid" (the partner id)';
      const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
      if (key.asymmetricKeyType !== 'ed25519') return `the key is ${key.asymmetricKeyType}, not Ed25519`;
      return { key, kid: id };
    }
    if (!kid) return 'a PEM key file needs the partner id beside it';
    const key = createPrivateKey(trimmed);
    if (key.asymmetricKeyType !== 'ed25519') return `the key is ${key.asymmetricKeyType}, not Ed25519`;
    return { key, kid };
  } catch (err) {
    return `not a private key: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** A new partner key pair: the private JWK for `--report-key` and the public one (and PEM) for the aggregator's partners file. */
export function newPartnerKeys(partner: string): { privateJwk: Record<string, unknown>; publicJwk: Record<string, unknown>; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid: partner },
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid: partner },
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}
