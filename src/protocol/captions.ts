/**
 * Caption messages between peers (design §5.1, docs/captions.md). They travel over the data
 * channels, so they come from another participant's browser and are untrusted: everything is
 * validated and size-limited before it reaches the screen or the transcript.
 */

import { LANGUAGE_TAG, MAX_LANGUAGE_TAG_LENGTH } from './signaling.js';

/** Longest caption text a peer accepts. A speaker splits longer final segments before sending. */
export const MAX_CAPTION_TEXT = 1000;
/** Longest segment id. Ids are opaque to receivers; they only group the updates of one segment. */
export const MAX_CAPTION_ID = 64;

/**
 * One update of one spoken segment. A segment is sent as interim updates and closed by one final
 * update carrying the same `id`; `seq` grows by one with every message a speaker sends, so a
 * receiver can drop anything older than what it has already shown.
 */
// A type alias, not an interface, so that it is assignable to the session's PeerMessage.
export type CaptionMessage = {
  type: 'caption';
  /** The segment this update belongs to. */
  id: string;
  /** The sender's message counter (non-negative integer, increasing). */
  seq: number;
  /** BCP 47 tag of the spoken language. */
  lang: string;
  /** The whole text of the segment so far (interim) or for good (final); may be empty in an interim. */
  text: string;
  final: boolean;
  /** When the sender's recogniser produced this result, in milliseconds since the Unix epoch. */
  t: number;
};

export const CAPTION_STATES = ['active', 'paused', 'unavailable'] as const;
/** Whether a speaker's captions are being produced: `unavailable` lets listeners say so. */
export type CaptionState = (typeof CAPTION_STATES)[number];

/**
 * Sent by a speaker to every peer when its recognition state changes, and to each peer whose data
 * channel opens, so that listeners can tell "silent" from "cannot be captioned".
 */
export type CaptionStatusMessage = {
  type: 'caption-status';
  lang: string;
  state: CaptionState;
};

/** Why a caption message was refused; the receiver logs it and drops the message. */
export class CaptionMessageError extends Error {
  override name = 'CaptionMessageError';
}

type Json = Record<string, unknown>;

function fail(message: string): never {
  throw new CaptionMessageError(message);
}

function lang(msg: Json): string {
  const value = msg.lang;
  if (typeof value !== 'string' || value.length > MAX_LANGUAGE_TAG_LENGTH || !LANGUAGE_TAG.test(value)) {
    fail('"lang" must be a BCP 47 language tag');
  }
  return value;
}

/** Validates a `caption` message received from a peer. Throws {@link CaptionMessageError}. */
export function parseCaptionMessage(msg: Json): CaptionMessage {
  if (msg.type !== 'caption') fail('not a caption message');
  const { id, seq, text, final, t } = msg;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_CAPTION_ID) {
    fail(`"id" must be a non-empty string of at most ${MAX_CAPTION_ID} characters`);
  }
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) fail('"seq" must be a non-negative integer');
  if (typeof text !== 'string' || text.length > MAX_CAPTION_TEXT) {
    fail(`"text" must be a string of at most ${MAX_CAPTION_TEXT} characters`);
  }
  if (typeof final !== 'boolean') fail('"final" must be true or false');
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) fail('"t" must be a time in milliseconds');
  // Control characters other than line breaks and tabs would only ever be garbage or an attempt to
  // break the transcript's line-based formats.
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
  return { type: 'caption', id, seq, lang: lang(msg), text: clean, final, t };
}

/** Validates a `caption-status` message received from a peer. Throws {@link CaptionMessageError}. */
export function parseCaptionStatusMessage(msg: Json): CaptionStatusMessage {
  if (msg.type !== 'caption-status') fail('not a caption-status message');
  if (!CAPTION_STATES.includes(msg.state as CaptionState)) fail(`"state" must be one of ${CAPTION_STATES.join(', ')}`);
  return { type: 'caption-status', lang: lang(msg), state: msg.state as CaptionState };
}

/**
 * Cuts a text into pieces of at most `max` characters, at spaces where there are any, so that a
 * long final segment can be sent as several messages that each pass {@link parseCaptionMessage}.
 */
export function splitCaptionText(text: string, max = MAX_CAPTION_TEXT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf(' ', max);
    if (cut <= max / 2) cut = max;
    // Never split a surrogate pair.
    if (/[\uD800-\uDBFF]/.test(rest.charAt(cut - 1))) cut -= 1;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest || pieces.length === 0) pieces.push(rest);
  return pieces;
}
