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
export const ITEM_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
/** Control, bidi and other invisible format characters: a prompt may not reorder or hide the text around it. */
const UNSAFE_IN_TEXT = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu;

/** Thrown by the validators below; the signaling layer turns it into a `bad-message` error. */
export class AgendaError extends Error {}

// Shared with the poll validators (src/protocol/polls.ts), which throw AgendaError too.
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const isInt = (value: unknown, min: number, max: number): value is number =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

/** Throws unless `ok`; the messages are short, as the browser carries them too. */
export function check(ok: unknown, message: string): asserts ok {
  if (!ok) throw new AgendaError(message);
}

/** A prompt as everyone shows it: control and format characters become spaces, runs of space one. */
export function cleanText(raw: string): string {
  return raw.replace(UNSAFE_IN_TEXT, ' ').replace(/\s+/gu, ' ').trim();
}

/**
 * Validates a text in several languages (a prompt, a poll's question or label): 1 to 16 languages,
 * each 1–500 characters once cleaned, tags lower-cased. Returns it with its length in characters.
 */
export function parseLocalized(value: unknown, where: string): { text: Localized; characters: number } {
  const entries = isObject(value) ? Object.entries(value) : [];
  check(isInt(entries.length, 1, MAX_PROMPT_LANGUAGES), `${where}: 1 to ${MAX_PROMPT_LANGUAGES} languages`);
  const text: Localized = {};
  let characters = 0;
  for (const [lang, raw] of entries) {
    const clean = typeof raw == 'string' ? cleanText(raw) : '';
    check(TAG.test(lang) && lang.length <= 35 && isInt(clean.length, 1, MAX_PROMPT_LENGTH), `${where} ${lang.slice(0, 35)}: 1 to ${MAX_PROMPT_LENGTH} characters`);
    text[lang.toLowerCase()] = clean;
    characters += clean.length;
  }
  return { text, characters };
}

/** Validates an agenda's items (from a host, a partner's JSON, the database or another process). */
export function parseAgendaItems(value: unknown): AgendaItem[] {
  check(Array.isArray(value) && value.length <= MAX_AGENDA_ITEMS, `"items": an array of at most ${MAX_AGENDA_ITEMS}`);
  const ids = new Set<string>();
  let characters = 0;
  return value.map((raw: unknown, i): AgendaItem => {
    const where = `item ${i}: `;
    check(isObject(raw) && typeof raw.id == 'string' && ITEM_ID.test(raw.id) && !ids.has(raw.id), `${where}"id": [A-Za-z0-9._-]{1,64}, once`);
    check(isInt(raw.minutes, MIN_ITEM_MINUTES, MAX_ITEM_MINUTES), `${where}"minutes": ${MIN_ITEM_MINUTES} to ${MAX_ITEM_MINUTES}`);
    const { text: prompt, characters: more } = parseLocalized(raw.prompt, `${where}"prompt"`);
    characters += more;
    check(characters <= MAX_AGENDA_CHARACTERS, `at most ${MAX_AGENDA_CHARACTERS} characters in all`);
    ids.add(raw.id);
    return { id: raw.id, prompt, minutes: raw.minutes };
  });
}

/** Validates an agenda state as the server sends it. */
export function parseAgendaState(value: unknown): AgendaState {
  check(isObject(value), '"agenda" is not valid');
  const items = parseAgendaItems(value.items);
  const { current, startedAt } = value;
  check(isInt(current, 0, Math.max(0, items.length - 1)) && isInt(startedAt, 0, Number.MAX_SAFE_INTEGER), '"agenda" is not valid');
  return { items, current, startedAt };
}

/**
 * The text of a prompt for a reader of `lang`: its own language (or the same language without
 * region), else English, else the first one written. `missing` is true when it is not the reader's
 * language, so a view can say so (machine translation by the server is still to come).
 */
export function promptFor(prompt: Localized, lang: string): { text: string; lang: string; missing: boolean } {
  const want = lang.toLowerCase();
  const langs = Object.keys(prompt);
  const found = prompt[want] ? want : langs.find((k) => k.split('-')[0] === want.split('-')[0]);
  const shown = found ?? (prompt.en ? 'en' : langs[0]!);
  return { text: prompt[shown]!, lang: shown, missing: !found };
}

/** The languages of UN_LANGUAGES an agenda's prompts do not all carry. */
export function missingLanguages(items: readonly AgendaItem[]): string[] {
  return UN_LANGUAGES.filter((lang) => items.some((item) => promptFor(item.prompt, lang).missing));
}
