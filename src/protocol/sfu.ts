/**
 * The frames of a room on the media server (design §4.1, docs/protocol.md "SFU rooms"): the browser
 * publishes one PeerConnection and receives everyone else on one subscriber PeerConnection; the
 * server relays only descriptions and candidates, never Janus's own requests. The same validators
 * run in the browser and on the server.
 */
import { MAX_ID_LENGTH, ProtocolError } from './signaling.js';

/** Which of a browser's two PeerConnections a candidate belongs to. */
export const SFU_PCS = ['pub', 'sub'] as const;
export type SfuPc = (typeof SFU_PCS)[number];

/** Longest SDP accepted either way: a publisher's audio and video, or a subscriber's ~40 m-lines. */
export const MAX_SFU_SDP_CHARS = 60 * 1024;
/** A publisher sends at most this many m-lines (camera, microphone, a screen share to come). */
export const MAX_PUBLISH_M_LINES = 4;
export const MAX_CANDIDATE_CHARS = 512;
/** How many members one `sfu-subscribe` may name. */
export const MAX_SUBSCRIBE_IDS = 64;

export interface SfuDescription {
  type: 'offer' | 'answer';
  sdp: string;
}

export interface SfuCandidate {
  candidate: string;
  sdpMid?: string;
  sdpMLineIndex?: number;
}

/** One m-line of the subscriber connection: which member's track (`kind`) arrives on `mid`. */
export interface SfuStream {
  mid: string;
  id: string;
  kind: 'audio' | 'video';
}

export type SfuClientMessage =
  /** Publish camera and microphone: the offer of the publisher PeerConnection. */
  | { type: 'sfu-publish'; jsep: SfuDescription }
  /** The answer to the server's last `sfu-offer` (subscriber PeerConnection). */
  | { type: 'sfu-answer'; jsep: SfuDescription }
  /** A local candidate of one PeerConnection; null: gathering is complete. */
  | { type: 'sfu-candidate'; pc: SfuPc; candidate: SfuCandidate | null }
  /** Receive these members' feeds (members of one's own room who publish); the server adds everyone's by default. */
  | { type: 'sfu-subscribe'; ids: string[] };

export type SfuServerMessage =
  /** The answer to `sfu-publish`. */
  | { type: 'sfu-answer'; jsep: SfuDescription }
  /** A (re)offer of the subscriber connection, with whose track each live m-line carries. */
  | { type: 'sfu-offer'; jsep: SfuDescription; streams: SfuStream[] }
  /** A candidate of the media server for one of the browser's PeerConnections; null: no more. */
  | { type: 'sfu-candidate'; pc: SfuPc; candidate: SfuCandidate | null };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(message: string): never {
  throw new ProtocolError('bad-message', message);
}

/** Refuses any field but `allowed`: nothing a browser adds is passed on, and nothing is silently ignored. */
function only(obj: Json, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) fail(`${what}: unexpected field "${key}"`);
}

/** An SDP of the expected type: a real session description, bounded in size and in m-lines. */
export function parseDescription(value: unknown, type: 'offer' | 'answer', maxMLines = Infinity): SfuDescription {
  if (!isObject(value)) fail('"jsep" must be an object');
  only(value, ['type', 'sdp'], '"jsep"');
  if (value.type !== type) fail(`"jsep.type" must be "${type}"`);
  const sdp = value.sdp;
  if (typeof sdp !== 'string' || sdp.length > MAX_SFU_SDP_CHARS) fail(`"jsep.sdp" must be a string of at most ${MAX_SFU_SDP_CHARS} characters`);
  if (!sdp.startsWith('v=0\r\n') || !/\r\no=/.test(sdp) || !/\r\nm=(audio|video|application) /.test(sdp)) fail('"jsep.sdp" is not a session description');
  // Printable text and line breaks only.
  if (/[^\x20-\x7e\r\n\t]/.test(sdp)) fail('"jsep.sdp" holds characters an SDP never has');
  const mLines = sdp.split('\r\nm=').length - 1;
  if (mLines > maxMLines) fail(`"jsep.sdp" has ${mLines} m-lines; at most ${maxMLines}`);
  return { type, sdp };
}

export function parseCandidate(value: unknown): SfuCandidate | null {
  if (value === null) return null;
  if (!isObject(value)) fail('"candidate" must be an object or null');
  only(value, ['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'], '"candidate"');
  const { candidate, sdpMid, sdpMLineIndex } = value;
  if (typeof candidate !== 'string' || candidate.length > MAX_CANDIDATE_CHARS || !/^candidate:[\x20-\x7e]+$/.test(candidate)) fail('"candidate.candidate" is not a candidate line');
  const parsed: SfuCandidate = { candidate };
  if (sdpMid !== undefined && sdpMid !== null) {
    if (typeof sdpMid !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(sdpMid)) fail('"candidate.sdpMid" is not valid');
    parsed.sdpMid = sdpMid;
  }
  if (sdpMLineIndex !== undefined && sdpMLineIndex !== null) {
    if (!Number.isInteger(sdpMLineIndex) || (sdpMLineIndex as number) < 0 || (sdpMLineIndex as number) > 255) fail('"candidate.sdpMLineIndex" is not valid');
    parsed.sdpMLineIndex = sdpMLineIndex as number;
  }
  if (parsed.sdpMid === undefined && parsed.sdpMLineIndex === undefined) fail('"candidate" needs "sdpMid" or "sdpMLineIndex"');
  return parsed;
}

function parsePc(value: unknown): SfuPc {
  if (!SFU_PCS.includes(value as SfuPc)) fail('"pc" must be "pub" or "sub"');
  return value as SfuPc;
}

/** The SFU frames of a client (`type` starts with `sfu-`); throws ProtocolError on anything else. */
export function parseSfuClientMessage(msg: Json): SfuClientMessage {
  switch (msg.type) {
    case 'sfu-publish':
      only(msg, ['type', 'jsep'], '"sfu-publish"');
      return { type: 'sfu-publish', jsep: parseDescription(msg.jsep, 'offer', MAX_PUBLISH_M_LINES) };
    case 'sfu-answer':
      only(msg, ['type', 'jsep'], '"sfu-answer"');
      return { type: 'sfu-answer', jsep: parseDescription(msg.jsep, 'answer') };
    case 'sfu-candidate':
      only(msg, ['type', 'pc', 'candidate'], '"sfu-candidate"');
      if (!('candidate' in msg)) fail('"candidate" is missing');
      return { type: 'sfu-candidate', pc: parsePc(msg.pc), candidate: parseCandidate(msg.candidate) };
    case 'sfu-subscribe': {
      only(msg, ['type', 'ids'], '"sfu-subscribe"');
      const ids = msg.ids;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_SUBSCRIBE_IDS) fail(`"ids" must list 1 to ${MAX_SUBSCRIBE_IDS} members`);
      for (const id of ids) if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) fail('"ids" must hold member ids');
      return { type: 'sfu-subscribe', ids: [...new Set(ids as string[])] };
    }
    default:
      throw new ProtocolError('unknown-type', `unknown message type "${String(msg.type)}"`);
  }
}

/** The SFU frames from the server, checked in the browser like every other server frame. */
export function parseSfuServerMessage(msg: Json): SfuServerMessage {
  switch (msg.type) {
    case 'sfu-answer':
      return { type: 'sfu-answer', jsep: parseDescription(msg.jsep, 'answer') };
    case 'sfu-offer': {
      if (!Array.isArray(msg.streams)) fail('"streams" is not valid');
      const streams = msg.streams.map((s): SfuStream => {
        if (!isObject(s) || typeof s.mid !== 'string' || s.mid.length > 32 || typeof s.id !== 'string' || s.id.length > MAX_ID_LENGTH || (s.kind !== 'audio' && s.kind !== 'video')) {
          fail('"streams" is not valid');
        }
        return { mid: s.mid, id: s.id, kind: s.kind };
      });
      return { type: 'sfu-offer', jsep: parseDescription(msg.jsep, 'offer'), streams };
    }
    case 'sfu-candidate':
      return { type: 'sfu-candidate', pc: parsePc(msg.pc), candidate: parseCandidate(msg.candidate ?? null) };
    default:
      throw new ProtocolError('unknown-type', `unknown message type "${String(msg.type)}"`);
  }
}
