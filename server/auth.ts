import { jwtVerify, errors } from 'jose';
import { ProtocolError, ROLES, MAX_NAME_LENGTH, type Role } from '../src/protocol/signaling.js';

/** What a valid token grants: the role always, the display name when the issuer fixed one. */
export interface Grant {
  role: Role;
  name?: string;
}

/**
 * Checks join tokens: HS256 only (so a token cannot pick `none` or an asymmetric algorithm), an
 * `exp` in the future, and a `room` claim equal to the room being joined.
 */
export class JoinAuthenticator {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  async verify(token: string | undefined, room: string): Promise<Grant> {
    if (!token) throw new ProtocolError('unauthorized', 'this server requires a "token" to join');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], requiredClaims: ['exp', 'room'] }));
    } catch (err) {
      const reason =
        err instanceof errors.JWTExpired
          ? 'the token has expired'
          : err instanceof errors.JWTClaimValidationFailed
            ? `the token is missing or has an invalid "${err.claim}" claim`
            : 'the token is not valid for this server';
      throw new ProtocolError('unauthorized', reason);
    }
    if (payload.room !== room) throw new ProtocolError('unauthorized', `the token is not valid for room "${room}"`);
    const role = payload.role ?? 'participant';
    if (!ROLES.includes(role as Role)) throw new ProtocolError('unauthorized', `the token has an unknown role "${String(role)}"`);
    const grant: Grant = { role: role as Role };
    if (typeof payload.name === 'string') {
      const name = payload.name.trim().slice(0, MAX_NAME_LENGTH);
      if (name) grant.name = name;
    }
    return grant;
  }
}
