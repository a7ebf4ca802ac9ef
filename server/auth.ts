import { createHash } from 'node:crypto';
import { jwtVerify, errors } from 'jose';
import { cleanName, MAX_NAME_LENGTH, ProtocolError, ROLES, type Role } from '../src/protocol/signaling.js';

/** What a valid token grants: the role always, the display name when the issuer fixed one. */
export interface Grant {
  role: Role;
  name?: string;
  /** Who the token was issued to (`sub`, else the token itself): one live member per subject and room. */
  subject: string;
  /** When the token expires (ms): a member may not resume after that. */
  expiresAt: number;
  /** The `waiting: true` claim: the room has a waiting room; only hosts go straight in. */
  waitingRoom?: boolean;
}

export interface JoinAuthOptions {
  /** The HS256 key; at least {@link MIN_SECRET_BYTES} bytes. */
  secret: string;
  /** When set, tokens must carry this `aud`. */
  audience?: string;
  /** When set, tokens must carry this `iss`. */
  issuer?: string;
  /** Tokens whose `exp` is further away than this are refused. Default 24 h. */
  maxLifetimeSeconds?: number;
}

/** HS256 is as strong as its key: shorter secrets are refused at start-up (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

/**
 * Checks join tokens: HS256 only (so a token cannot pick `none` or an asymmetric algorithm), an
 * `exp` in the future but not too far, `aud`/`iss` when configured, and a `room` claim equal to
 * the room being joined.
 */
export class JoinAuthenticator {
  private readonly key: Uint8Array;
  private readonly maxLifetimeSeconds: number;

  constructor(private readonly options: JoinAuthOptions) {
    this.key = new TextEncoder().encode(options.secret);
    if (this.key.byteLength < MIN_SECRET_BYTES) {
      throw new Error(`the JWT secret must be at least ${MIN_SECRET_BYTES} bytes long (it has ${this.key.byteLength})`);
    }
    this.maxLifetimeSeconds = options.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  }

  async verify(token: string | undefined, room: string): Promise<Grant> {
    if (!token) throw new ProtocolError('unauthorized', 'this server requires a "token" to join');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'room'],
        ...(this.options.audience !== undefined ? { audience: this.options.audience } : {}),
        ...(this.options.issuer !== undefined ? { issuer: this.options.issuer } : {}),
      }));
    } catch (err) {
      const reason =
        err instanceof errors.JWTExpired
          ? 'the token has expired'
          : err instanceof errors.JWTClaimValidationFailed
            ? `the token is missing or has an invalid "${err.claim}" claim`
            : 'the token is not valid for this server';
      throw new ProtocolError('unauthorized', reason);
    }
    const exp = payload.exp!;
    if (exp > Date.now() / 1000 + this.maxLifetimeSeconds) {
      throw new ProtocolError('unauthorized', `the token is valid for longer than this server accepts (${this.maxLifetimeSeconds} s)`);
    }
    if (payload.room !== room) throw new ProtocolError('unauthorized', `the token is not valid for room "${room}"`);
    const role = payload.role ?? 'participant';
    if (!ROLES.includes(role as Role)) throw new ProtocolError('unauthorized', `the token has an unknown role "${String(role)}"`);
    const subject = typeof payload.sub === 'string' && payload.sub ? `sub:${payload.sub}` : `token:${createHash('sha256').update(token).digest('base64url')}`;
    const grant: Grant = { role: role as Role, subject, expiresAt: exp * 1000 };
    if (payload.waiting === true) grant.waitingRoom = true;
    if (typeof payload.name === 'string') {
      const name = [...cleanName(payload.name)].slice(0, MAX_NAME_LENGTH).join('').trim();
      if (name) grant.name = name;
    }
    return grant;
  }
}
