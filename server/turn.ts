import { createHmac } from 'node:crypto';
import type { IceServer } from '../src/protocol/signaling.js';

export interface TurnOptions {
  /** TURN URLs handed to clients, e.g. `turn:turn.example.org:3478?transport=udp`. */
  urls: string[];
  /** The `static-auth-secret` shared with coturn (`use-auth-secret`). */
  secret: string;
  /** How long issued credentials stay valid, in seconds. */
  ttlSeconds: number;
}

/**
 * TURN REST credentials (draft-uberti-behave-turn-rest, what coturn's `use-auth-secret` checks):
 * the username carries its own expiry, so the TURN server needs no database, only the secret.
 */
export function turnCredentials(
  secret: string,
  memberId: string,
  ttlSeconds: number,
  nowMs = Date.now(),
): { username: string; credential: string } {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiry}:${memberId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/** The `iceServers` of a welcome: STUN as configured, then TURN with fresh credentials. */
export function iceServersFor(memberId: string, stunUrls: string[], turn: TurnOptions | undefined): IceServer[] {
  const servers: IceServer[] = [];
  if (stunUrls.length) servers.push({ urls: stunUrls });
  if (turn) servers.push({ urls: turn.urls, ...turnCredentials(turn.secret, memberId, turn.ttlSeconds) });
  return servers;
}
