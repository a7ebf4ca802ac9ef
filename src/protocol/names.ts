/**
 * Display names come from other people: a name is shown in tiles, captions and the transcript,
 * so it must never be able to forge a line of a text or WebVTT transcript, nor reorder the text
 * around it. One function cleans them, wherever a name is received or written out.
 */
import { MAX_NAME_LENGTH } from './signaling.js';

/**
 * Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional
 * formatting characters (embeddings, overrides, isolates, marks) that would let a name reorder or
 * break the text it is shown in.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/**
 * A name as it may be shown: unsafe characters become spaces, runs of white space one space,
 * trimmed, and at most MAX_NAME_LENGTH characters (never cutting a surrogate pair). May be empty:
 * the caller falls back to the participant's id.
 */
export function cleanName(name: string): string {
  let clean = name.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  if (clean.length > MAX_NAME_LENGTH) {
    clean = clean.slice(0, MAX_NAME_LENGTH);
    if (/[\uD800-\uDBFF]$/.test(clean)) clean = clean.slice(0, -1);
    clean = clean.trimEnd();
  }
  return clean;
}
