/**
 * A dialogue's agenda (design §8): guiding questions with planned minutes, authored per language.
 * The server keeps it and is its authority; the same validators run in the browser and on the server.
 */

/** Text in several languages: BCP 47 tag -> text. A language the author did not write is absent. */
export type Localized = Record<string, string>;

export interface AgendaItem {
  id: string;
  prompt: Localized;
  /** Planned minutes, 1–240. */
  minutes: number;
}

/** A room's agenda as the server tells it: the items, which one is current, and since when. */
export interface AgendaState {
  items: AgendaItem[];
  /** Index of the current item in `items` (0 when there are none). */
  current: number;
  /** Server clock (ms) when the current item started. */
  startedAt: number;
}

/** The six official languages of the United Nations, in the UN's own order. */
export const UN_LANGUAGES = ['ar', 'zh', 'en', 'fr', 'ru', 'es'] as const;

export const MAX_AGENDA_ITEMS = 20;
export const MAX_PROMPT_LENGTH = 500;
/** Languages one prompt may carry. */
export const MAX_PROMPT_LANGUAGES = 16;
/**
 * All prompts of an agenda together, in characters: the agenda rides in every welcome, which must
 * stay under the 64 KiB frame limit with a full room beside it (Arabic and Chinese take 2–3 bytes
 * a character).
 */
export const MAX_AGENDA_CHARACTERS = 12_000;
export const MIN_ITEM_MINUTES = 1;
export const MAX_ITEM_MINUTES = 240;
const ITEM_ID = /^[A-Za-z0-9._-]{1,64}$/;
const TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
/** Control, bidi and other invisible format characters: a prompt may not reorder or hide the text around it. */
const UNSAFE_IN_TEXT = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu;

/** Thrown by the validators below; the signaling layer turns it into a `bad-message` error. */
export class AgendaError extends Error {
  override name = 'AgendaError';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(message: string): never {
  throw new AgendaError(message);
}

/** A prompt as everyone shows it: control and format characters become spaces, runs of space one. */
export function cleanText(raw: string): string {
  return raw.replace(UNSAFE_IN_TEXT, ' ').replace(/\s+/gu, ' ').trim();
}

function parseLocalized(value: unknown, where: string): Localized {
  if (!isObject(value)) fail(`${where} must be an object of language -> text`);
  const entries = Object.entries(value);
  if (entries.length === 0) fail(`${where} needs at least one language`);
  if (entries.length > MAX_PROMPT_LANGUAGES) fail(`${where} has more than ${MAX_PROMPT_LANGUAGES} languages`);
  const out: Localized = {};
  for (const [lang, text] of entries) {
    if (lang.length > 35 || !TAG.test(lang)) fail(`${where} has an invalid language tag`);
    if (typeof text !== 'string') fail(`${where}.${lang} must be a string`);
    const clean = cleanText(text);
    if (!clean) fail(`${where}.${lang} is blank`);
    if (clean.length > MAX_PROMPT_LENGTH) fail(`${where}.${lang} is longer than ${MAX_PROMPT_LENGTH} characters`);
    out[lang.toLowerCase()] = clean;
  }
  return out;
}

/** Validates an agenda's items (from a host, a partner's JSON, the database or another process). */
export function parseAgendaItems(value: unknown): AgendaItem[] {
  if (!Array.isArray(value)) fail('"items" must be an array');
  if (value.length > MAX_AGENDA_ITEMS) fail(`an agenda has at most ${MAX_AGENDA_ITEMS} items`);
  const seen = new Set<string>();
  let characters = 0;
  const items = value.map((raw, i): AgendaItem => {
    if (!isObject(raw)) fail(`item ${i} must be an object`);
    const { id, minutes } = raw;
    if (typeof id !== 'string' || !ITEM_ID.test(id)) fail(`item ${i}: "id" must match [A-Za-z0-9._-]{1,64}`);
    if (seen.has(id)) fail(`item ${i}: "id" "${id}" is used twice`);
    seen.add(id);
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < MIN_ITEM_MINUTES || minutes > MAX_ITEM_MINUTES) {
      fail(`item ${i}: "minutes" must be a whole number from ${MIN_ITEM_MINUTES} to ${MAX_ITEM_MINUTES}`);
    }
    const prompt = parseLocalized(raw.prompt, `item ${i}: "prompt"`);
    for (const text of Object.values(prompt)) characters += text.length;
    return { id, prompt, minutes };
  });
  if (characters > MAX_AGENDA_CHARACTERS) fail(`an agenda's prompts hold at most ${MAX_AGENDA_CHARACTERS} characters in all`);
  return items;
}

/** Validates an agenda state as the server sends it. */
export function parseAgendaState(value: unknown): AgendaState {
  if (!isObject(value)) fail('"agenda" must be an object');
  const items = parseAgendaItems(value.items);
  const { current, startedAt } = value;
  if (typeof current !== 'number' || !Number.isInteger(current) || current < 0 || current >= Math.max(1, items.length)) {
    fail('"current" is not valid');
  }
  if (typeof startedAt !== 'number' || !Number.isFinite(startedAt) || startedAt < 0) fail('"startedAt" is not valid');
  return { items, current, startedAt };
}

/**
 * The text of a prompt for a reader of `lang`: its own language (or the same language without
 * region), else English, else the first one written. `missing` is true when it is not the reader's
 * language, so a view can say so (machine translation by the server is still to come).
 */
export function promptFor(prompt: Localized, lang: string): { text: string; lang: string; missing: boolean } {
  const want = lang.toLowerCase();
  const base = want.split('-')[0]!;
  const found = prompt[want] !== undefined ? want : prompt[base] !== undefined ? base : Object.keys(prompt).find((k) => k.split('-')[0] === base);
  if (found) return { text: prompt[found]!, lang: found, missing: false };
  const fallback = prompt.en !== undefined ? 'en' : Object.keys(prompt)[0]!;
  return { text: prompt[fallback] ?? '', lang: fallback, missing: true };
}

/** The languages of UN_LANGUAGES an agenda's prompts do not all carry. */
export function missingLanguages(items: readonly AgendaItem[]): string[] {
  return UN_LANGUAGES.filter((lang) => items.some((item) => promptFor(item.prompt, lang).missing));
}
