/**
 * Chat messages between peers (design §5.5, docs/chat.md). They travel over the data channels, so
 * they come from another participant's browser and are untrusted: everything is validated,
 * cleaned and size-limited before it reaches the screen or the transcript.
 */

import { LANGUAGE_TAG, MAX_ID_LENGTH, MAX_LANGUAGE_TAG_LENGTH, MAX_NAME_LENGTH, cleanName } from './signaling.js';

/** Longest chat text, in UTF-16 code units, after trimming. */
export const MAX_CHAT_TEXT = 1000;
/** Longest message id. A sender numbers its messages; ids are unique per sender. */
export const MAX_CHAT_ID = 64;
/** Most messages one `chat-history` carries: the recent history a newcomer receives. */
export const MAX_CHAT_HISTORY = 50;
/**
 * Longest serialised `chat-history`: a data-channel message is at most 16 KiB (MeetingSession), so
 * a sender keeps only the newest entries that fit, fewer than 50 when messages are long.
 */
export const MAX_CHAT_HISTORY_CHARS = 15 * 1024;

/**
 * Budget per sender, applied at the single entry point of peer data (PEER_MESSAGE_RATES in
 * src/core/budget.ts, docs/chat.md): a person types at most a few messages a second; a paste of
 * several lines is one message. `chat-history` is sent once per link, by one member.
 */
export const CHAT_BUDGET = {
  chat: { perSecond: 2, burst: 10 },
  'chat-history': { perSecond: 0.1, burst: 1 },
} as const;

/**
 * Translation requests one writer's chat may cause at a receiver (a history counts as its relayer's):
 * a burst, then one a second. A person does not write more; what a flood writes beyond it waits,
 * newest first, and is shown in the original meanwhile.
 */
export const CHAT_TRANSLATION_RATE = { burst: 5, perSecond: 1 } as const;

/**
 * How far a live message's `t` may be from the receiver's clock: further, it is taken as now (a
 * sender's clock may be off by a little; a message in the year 300,000 is a forgery).
 */
export const CHAT_CLOCK_SKEW_MS = 5 * 60_000;
/** How old a history entry may say it is: older ones are shown as that old. */
export const CHAT_HISTORY_AGE_MS = 24 * 60 * 60_000;

const MESSAGE_ID = /^[A-Za-z0-9_-]+$/;

// A type alias, not an interface, so that it is assignable to the session's PeerMessage.
export type ChatMessage = {
  type: 'chat';
  /** Unique per sender. */
  id: string;
  /** The text as typed: trimmed, 1–1,000 characters, line breaks kept. */
  text: string;
  /** BCP 47 tag of the language it is written in (the sender's spoken language). */
  lang: string;
  /** When it was sent, in milliseconds since the Unix epoch (the sender's clock). */
  t: number;
};

/** One message of a history, with the id and name of the person who wrote it. */
export type ChatHistoryEntry = {
  id: string;
  from: string;
  name: string;
  text: string;
  lang: string;
  t: number;
};

/** The recent messages, sent by one member to a newcomer when their link opens. */
export type ChatHistoryMessage = {
  type: 'chat-history';
  messages: ChatHistoryEntry[];
};

/** Why a chat message was refused; the receiver logs it and drops the message. */
export class ChatMessageError extends Error {
  override name = 'ChatMessageError';
}

type Json = Record<string, unknown>;

function fail(message: string): never {
  throw new ChatMessageError(message);
}

/*
 * Removed from any text a peer sends: control characters other than the line break (tab becomes
 * a space first), DEL and C1 controls, the bidi embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) that could turn the text around the name next to it, and lone surrogates.
 * Directional marks (U+200E, U+200F, U+061C) are kept: they are how people write mixed-direction text.
 */
// eslint-disable-next-line no-control-regex
const UNWANTED = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Cleans a chat text as every receiver does: line breaks unified, unwanted characters removed,
 * blank lines collapsed, trimmed. The sender uses it too, so that what it shows is what others see.
 */
export function cleanChatText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(UNWANTED, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function text(msg: Json, key: string, max: number): string {
  const value = msg[key];
  if (typeof value !== 'string' || value.length > max) fail(`"${key}" must be a string of at most ${max} characters`);
  const clean = cleanChatText(value);
  if (!clean) fail(`"${key}" is blank`);
  return clean;
}

function id(msg: Json, key: string, max: number): string {
  const value = msg[key];
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !MESSAGE_ID.test(value)) {
    fail(`"${key}" must be 1–${max} letters, digits, "-" or "_"`);
  }
  return value;
}

function fields(msg: Json): { id: string; text: string; lang: string; t: number } {
  const { lang, t } = msg;
  if (typeof lang !== 'string' || lang.length > MAX_LANGUAGE_TAG_LENGTH || !LANGUAGE_TAG.test(lang)) fail('"lang" must be a BCP 47 language tag');
  // Any time is taken here; the receiver brings it near its own clock (clampChatTime): one beyond
  // what a Date holds (8.64e15) would make every date formatter throw.
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) fail('"t" must be a time in milliseconds');
  return { id: id(msg, 'id', MAX_CHAT_ID), text: text(msg, 'text', MAX_CHAT_TEXT), lang, t };
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The time to keep for a message that says it was sent at `t`, by the receiver's clock `now`: a
 * live one's own within CHAT_CLOCK_SKEW_MS of now, else now (it has just been sent); a history
 * entry's brought within CHAT_HISTORY_AGE_MS ago and CHAT_CLOCK_SKEW_MS ahead.
 */
export function clampChatTime(t: number, now: number, history = false): number {
  if (history) return Math.min(now + CHAT_CLOCK_SKEW_MS, Math.max(now - CHAT_HISTORY_AGE_MS, t));
  return Math.abs(t - now) <= CHAT_CLOCK_SKEW_MS ? t : now;
}

/** Validates a `chat` message received from a peer. Throws {@link ChatMessageError}. */
export function parseChatMessage(msg: Json): ChatMessage {
  if (msg.type !== 'chat') fail('not a chat message');
  return { type: 'chat', ...fields(msg) };
}

/**
 * Validates a `chat-history` message: at most {@link MAX_CHAT_HISTORY} entries, each valid like a
 * live message and carrying its writer's id and name. One bad entry refuses the whole message.
 */
export function parseChatHistoryMessage(msg: Json): ChatHistoryMessage {
  if (msg.type !== 'chat-history') fail('not a chat-history message');
  const list = msg.messages;
  if (!Array.isArray(list) || list.length > MAX_CHAT_HISTORY) fail(`"messages" must be a list of at most ${MAX_CHAT_HISTORY} messages`);
  const messages = list.map((entry: unknown): ChatHistoryEntry => {
    if (!isObject(entry)) fail('a history entry is not an object');
    // A name as the server hands names out: on one line, no bidi controls (it could forge a line).
    const name = cleanName(text(entry, 'name', MAX_NAME_LENGTH)) || fail('"name" is blank');
    return { ...fields(entry), from: id(entry, 'from', MAX_ID_LENGTH), name };
  });
  return { type: 'chat-history', messages };
}
