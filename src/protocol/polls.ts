/**
 * Dialogue polls (design §8): what a host prepares, what a member answers, and the counts everyone
 * sees. The server keeps them and is their authority; the same validators run on the server (for
 * what a client sends, what the database and other processes hold) and in the browser (for what
 * the server sends).
 */
import { AgendaError, check, cleanText, isInt, isObject, ITEM_ID, parseLocalized as localized, TAG, type Localized } from './agenda.js';

export const POLL_TYPES = ['single', 'multiple', 'scale', 'ranking', 'open', 'words'] as const;
export type PollType = (typeof POLL_TYPES)[number];
export type PollState = 'prepared' | 'open' | 'closed';
export const POLL_STATES: readonly PollState[] = ['prepared', 'open', 'closed'];

export interface PollOption {
  id: string;
  label: Localized;
}

export interface Poll {
  id: string;
  type: PollType;
  question: Localized;
  /** `single`, `multiple` and `ranking` only: 2 to 12 options. */
  options?: PollOption[];
  /**
   * `multiple`: how many options a ballot picks (1 ≤ min ≤ max ≤ options). `scale`: the range, within
   * 1–5. `open`, optional: the most characters an answer takes, 1 to 280 (the default).
   */
  min?: number;
  max?: number;
  /** `scale` only, optional: what its lowest and highest values mean ("Not at all important", "Very important"). */
  ends?: { min: Localized; max: Localized };
  /** `live`: counts after every ballot; `closed`: only once the host closes the poll. */
  results: 'live' | 'closed';
  /**
   * Polls with options, optional: each reader sees the options in an order of their own (ranking:
   * starts from it), so that no option gains from coming first.
   */
  shuffle?: true;
  /**
   * `single` and `multiple`, optional: one more choice, `OTHER_OPTION`, whose ballot carries the
   * person's own words in `text` (kept out of results, like open answers; counted as "other").
   */
  other?: true;
}

/** The option id of "Other (your own words)" in a poll with `other`: no option of it may take it. */
export const OTHER_OPTION = 'other';

/** A ballot: exactly the field its poll's type asks for. */
export interface PollAnswer {
  /** `single` (one id), `multiple` (min to max distinct ids); `OTHER_OPTION` among them with `text`. */
  optionIds?: string[];
  /** `scale`: an integer within the poll's range. */
  value?: number;
  /** `ranking`: distinct option ids, the first the most preferred (all of them or the top few). */
  ranking?: string[];
  /** `open` (≤ 280 characters) or `words` (1–3 words of ≤ 40 characters each); with "other", its words (≤ 280). */
  text?: string;
}

/**
 * The counts of a poll: `counts` by option id (`single`, `multiple`; `ranking` as Borda points: an
 * option ranked first of n gets n, second n − 1, …), by value (`scale`, keys "1"–"5"), by lower-cased
 * word (`words`, the most frequent); empty for `open` (the texts stay out of results).
 * `byLanguage`: the same counts per voter's spoken language.
 */
export interface PollResult {
  pollId: string;
  voters: number;
  counts: Record<string, number>;
  byLanguage?: Record<string, Record<string, number>>;
}

/** A poll as a room holds it: its definition, its state, and its counts when they may be seen. */
export interface PollView {
  poll: Poll;
  state: PollState;
  result?: PollResult;
}

export const MAX_POLL_OPTIONS = 12;
/** Per text and language, and languages per text: as agenda prompts (parseLocalized). */
export const MAX_POLL_TEXT_LENGTH = 500;
export const MAX_POLL_LANGUAGES = 16;
/** All texts of one poll (question and labels, every language), in characters. */
export const MAX_POLL_CHARACTERS = 4_000;
/**
 * Polls one room may hold, and all their texts together: they ride in every welcome, beside the
 * agenda and the members, under the 64 KiB frame limit.
 */
export const MAX_ROOM_POLLS = 10;
export const MAX_ROOM_POLL_CHARACTERS = 12_000;
export const SCALE_MIN = 1;
export const SCALE_MAX = 5;
export const MAX_OPEN_LENGTH = 280;

/** The most characters an open answer to `poll` takes (its `max`, else {@link MAX_OPEN_LENGTH}). */
export function openLength(poll: Poll): number {
  return poll.type === 'open' && poll.max !== undefined ? poll.max : MAX_OPEN_LENGTH;
}
export const MAX_WORDS = 3;
export const MAX_WORD_LENGTH = 40;
/** Words shown in a `words` poll's counts, and per language. */
export const MAX_RESULT_WORDS = 20;
export const MAX_RESULT_WORDS_PER_LANGUAGE = 5;
/** Languages a result is split into (those with the most voters). */
export const MAX_RESULT_LANGUAGES = 12;

/** Poll and option ids: as agenda item ids, `[A-Za-z0-9._-]{1,64}`. */
export const POLL_ID = ITEM_ID;
/** What a raw answer's text may be before cleaning (a little white space and invisible characters to spare). */
const MAX_RAW_TEXT = 1_000;

/**
 * Thrown by the validators below (the agenda's error: one class and one set of helpers for both, as
 * they ride in the browser's bundle); the signaling layer turns it into a `bad-message` error.
 */
export const PollError = AgendaError;

/**
 * Validates a poll (from a host, the database, another process or the server). `needId`: false for
 * a host's new poll, which the server names when it has no id. Returns the poll and its characters.
 */
export function parsePollDefinition(value: unknown, needId = true): { poll: Omit<Poll, 'id'> & { id?: string }; characters: number } {
  check(isObject(value), BAD_POLL);
  const { id, type, options, min, max, results, ends, shuffle, other } = value;
  check(id === undefined ? !needId : typeof id == 'string' && POLL_ID.test(id), '"poll.id"');
  check(POLL_TYPES.includes(type as PollType), '"poll.type"');
  check(results === undefined || results === 'live' || results === 'closed', '"poll.results"');
  const question = localized(value.question, '"poll.question"');
  let characters = question.characters;
  const poll: Omit<Poll, 'id'> & { id?: string } = {
    ...(typeof id == 'string' ? { id } : {}),
    type: type as PollType,
    question: question.text,
    results: results === 'closed' ? 'closed' : 'live',
  };
  const withOptions = type === 'single' || type === 'multiple' || type === 'ranking';
  if (withOptions) {
    check(Array.isArray(options) && isInt(options.length, 2, MAX_POLL_OPTIONS), `"poll.options": 2 to ${MAX_POLL_OPTIONS}`);
    const ids = new Set<string>();
    poll.options = options.map((raw: unknown, i): PollOption => {
      check(isObject(raw) && typeof raw.id == 'string' && POLL_ID.test(raw.id) && !ids.has(raw.id), `"poll.options[${i}].id": once`);
      ids.add(raw.id);
      const label = localized(raw.label, `"poll.options[${i}].label"`);
      characters += label.characters;
      return { id: raw.id, label: label.text };
    });
    if (shuffle !== undefined) {
      check(shuffle === true, '"poll.shuffle": true or absent');
      poll.shuffle = true;
    }
  } else check(options === undefined && shuffle === undefined, '"poll.options", "poll.shuffle": not for this type');
  if (other !== undefined) {
    check(other === true && (type === 'single' || type === 'multiple'), '"poll.other": true or absent, for a single or multiple choice');
    check(!poll.options!.some((o) => o.id === OTHER_OPTION), `"poll.options": "${OTHER_OPTION}" is the id of "other"`);
    poll.other = true;
  }
  if (type === 'multiple') {
    const n = poll.options!.length + (poll.other ? 1 : 0);
    const lo = min ?? 1;
    const hi = max ?? n;
    check(isInt(lo, 1, n) && isInt(hi, lo, n), '"poll.min/max": 1 <= min <= max <= options');
    poll.min = lo;
    poll.max = hi;
  } else if (type === 'scale') {
    const lo = min ?? SCALE_MIN;
    const hi = max ?? SCALE_MAX;
    check(isInt(lo, SCALE_MIN, SCALE_MAX) && isInt(hi, lo + 1, SCALE_MAX), '"poll.min/max": 1 <= min < max <= 5');
    poll.min = lo;
    poll.max = hi;
  } else if (type === 'open' && max !== undefined) {
    check(min === undefined && isInt(max, 1, MAX_OPEN_LENGTH), `"poll.max": 1 to ${MAX_OPEN_LENGTH} characters, for an open answer`);
    poll.max = max;
  } else check(min === undefined && max === undefined, '"poll.min/max": not for this type');
  if (ends !== undefined) {
    check(type === 'scale' && isObject(ends), '"poll.ends": { min, max }, for a scale');
    const low = localized(ends.min, '"poll.ends.min"');
    const high = localized(ends.max, '"poll.ends.max"');
    characters += low.characters + high.characters;
    poll.ends = { min: low.text, max: high.text };
  }
  check(characters <= MAX_POLL_CHARACTERS, '"poll": at most 4000 characters');
  return { poll, characters };
}

/** Validates a poll as the server holds it (with its id). */
export function parsePoll(value: unknown): Poll {
  return parsePollDefinition(value, true).poll as Poll;
}

/** The shape of an answer, before its poll is known; unknown fields are dropped. */
export function parsePollAnswer(value: unknown): PollAnswer {
  check(isObject(value), '"answer" must be an object');
  const answer: PollAnswer = {};
  const ids = (key: 'optionIds' | 'ranking') => {
    const list = value[key];
    check(Array.isArray(list) && isInt(list.length, 1, MAX_POLL_OPTIONS + 1), `"answer.${key}": 1 to ${MAX_POLL_OPTIONS + 1} option ids`);
    check(list.every((id) => typeof id == 'string' && POLL_ID.test(id)), `"answer.${key}": option ids`);
    check(new Set(list).size === list.length, `"answer.${key}": each option once`);
    return list as string[];
  };
  if (value.optionIds !== undefined) answer.optionIds = ids('optionIds');
  if (value.ranking !== undefined) answer.ranking = ids('ranking');
  if (value.value !== undefined) {
    check(isInt(value.value, SCALE_MIN, SCALE_MAX), `"answer.value": an integer from ${SCALE_MIN} to ${SCALE_MAX}`);
    answer.value = value.value;
  }
  if (value.text !== undefined) {
    check(typeof value.text == 'string' && value.text.length <= MAX_RAW_TEXT, `"answer.text": at most ${MAX_OPEN_LENGTH} characters`);
    answer.text = value.text;
  }
  return answer;
}

/**
 * Checks an answer against its poll and returns it as kept: only the field the type asks for, texts
 * cleaned (a `words` answer lower-cased, its words separated by single spaces).
 */
export function checkAnswer(poll: Poll, answer: PollAnswer): PollAnswer {
  const want = poll.type === 'single' || poll.type === 'multiple' ? 'optionIds' : poll.type === 'scale' ? 'value' : poll.type === 'ranking' ? 'ranking' : 'text';
  // "Other" brings its words beside the ids.
  const withOther = poll.other === true && answer.optionIds?.includes(OTHER_OPTION) === true;
  const given = (Object.keys(answer) as Array<keyof PollAnswer>).filter((k) => answer[k] !== undefined && !(withOther && k === 'text'));
  check(given.length === 1 && given[0] === want, `a "${poll.type}" poll takes "answer.${want}" alone${poll.other ? ' (and "answer.text" with "other")' : ''}`);
  const known = new Set(poll.options?.map((o) => o.id));
  if (poll.other) known.add(OTHER_OPTION);
  switch (poll.type) {
    case 'single':
    case 'multiple': {
      const ids = answer.optionIds!;
      const [lo, hi] = poll.type === 'single' ? [1, 1] : [poll.min!, poll.max!];
      check(isInt(ids.length, lo, hi), `"answer.optionIds": ${lo === hi ? lo : `${lo} to ${hi}`} option${hi > 1 ? 's' : ''}`);
      check(ids.every((id) => known.has(id)), '"answer.optionIds": an option this poll does not have');
      if (!withOther) return { optionIds: [...ids] };
      const text = cleanText(answer.text ?? '');
      check(isInt(text.length, 1, MAX_OPEN_LENGTH), `"answer.text": "other" takes 1 to ${MAX_OPEN_LENGTH} characters of one's own`);
      return { optionIds: [...ids], text };
    }
    case 'ranking': {
      const ids = answer.ranking!;
      check(ids.every((id) => known.has(id)), '"answer.ranking": an option this poll does not have');
      return { ranking: [...ids] };
    }
    case 'scale':
      check(isInt(answer.value, poll.min!, poll.max!), `"answer.value": an integer from ${poll.min} to ${poll.max}`);
      return { value: answer.value };
    case 'open': {
      const text = cleanText(answer.text!);
      const most = openLength(poll);
      check(isInt(text.length, 1, most), `"answer.text": 1 to ${most} characters`);
      return { text };
    }
    case 'words': {
      const words = cleanText(answer.text!).toLowerCase().split(' ').filter(Boolean);
      check(isInt(words.length, 1, MAX_WORDS) && words.every((w) => w.length <= MAX_WORD_LENGTH), `"answer.text": 1 to ${MAX_WORDS} words of at most ${MAX_WORD_LENGTH} characters`);
      return { text: [...new Set(words)].join(' ') };
    }
  }
}

/** The keys one ballot adds to, with how much (a ballot's words each count once). */
function scores(poll: Poll, answer: PollAnswer): Array<[string, number]> {
  switch (poll.type) {
    case 'single':
    case 'multiple':
      return (answer.optionIds ?? []).map((id) => [id, 1]);
    case 'ranking': {
      const n = poll.options!.length;
      return (answer.ranking ?? []).map((id, i) => [id, n - i]);
    }
    case 'scale':
      return answer.value === undefined ? [] : [[String(answer.value), 1]];
    case 'words':
      return (answer.text ?? '').split(' ').filter(Boolean).map((w) => [w, 1]);
    case 'open':
      return [];
  }
}

// Counted in Maps: a word or an option id may be "constructor" or "__proto__". Object.fromEntries
// then makes them own properties like any other key.
function zeroes(poll: Poll): Map<string, number> {
  const counts = new Map<string, number>();
  if (poll.options) for (const o of poll.options) counts.set(o.id, 0);
  if (poll.other) counts.set(OTHER_OPTION, 0);
  if (poll.type === 'scale') for (let v = poll.min!; v <= poll.max!; v++) counts.set(String(v), 0);
  return counts;
}

/** The `max` largest counts (ties: alphabetical), for word clouds; all of them for the other types. */
function top(counts: Map<string, number>, max = Infinity): Record<string, number> {
  const entries = [...counts];
  if (entries.length > max) entries.sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.slice(0, max));
}

/** Counts a poll's ballots (each already checked against the poll), overall and by spoken language. */
export function tally(poll: Poll, ballots: ReadonlyArray<{ answer: PollAnswer; lang: string }>): PollResult {
  const counts = zeroes(poll);
  const perLanguage = new Map<string, { voters: number; counts: Map<string, number> }>();
  for (const { answer, lang } of ballots) {
    let mine = perLanguage.get(lang);
    if (!mine) perLanguage.set(lang, (mine = { voters: 0, counts: zeroes(poll) }));
    mine.voters++;
    for (const [key, n] of scores(poll, answer)) {
      counts.set(key, (counts.get(key) ?? 0) + n);
      mine.counts.set(key, (mine.counts.get(key) ?? 0) + n);
    }
  }
  const words = poll.type === 'words';
  const languages = [...perLanguage].sort(([a, x], [b, y]) => y.voters - x.voters || (a < b ? -1 : 1)).slice(0, MAX_RESULT_LANGUAGES);
  const result: PollResult = { pollId: poll.id, voters: ballots.length, counts: top(counts, words ? MAX_RESULT_WORDS : Infinity) };
  if (languages.length) {
    result.byLanguage = Object.fromEntries(languages.map(([lang, v]) => [lang, top(v.counts, words ? MAX_RESULT_WORDS_PER_LANGUAGE : Infinity)]));
  }
  return result;
}

const BAD_RESULT = '"result" is not valid';
const BAD_POLL = '"poll" is not valid';

function parseCounts(value: unknown): Record<string, number> {
  const entries = isObject(value) ? Object.entries(value) : [];
  check(isObject(value) && entries.length <= MAX_RESULT_WORDS, BAD_RESULT);
  for (const [key, n] of entries) check(isInt(key.length, 1, 64) && isInt(n, 0, Number.MAX_SAFE_INTEGER), BAD_RESULT);
  return Object.fromEntries(entries) as Record<string, number>;
}

/** Validates a poll's counts as the server sends them. */
export function parsePollResult(value: unknown): PollResult {
  check(isObject(value) && typeof value.pollId == 'string' && POLL_ID.test(value.pollId) && isInt(value.voters, 0, Number.MAX_SAFE_INTEGER), BAD_RESULT);
  const result: PollResult = { pollId: value.pollId, voters: value.voters, counts: parseCounts(value.counts) };
  if (value.byLanguage !== undefined) {
    const entries = isObject(value.byLanguage) ? Object.entries(value.byLanguage) : [];
    check(isInt(entries.length, 1, MAX_RESULT_LANGUAGES) && entries.every(([lang]) => TAG.test(lang) && lang.length <= 35), BAD_RESULT);
    result.byLanguage = Object.fromEntries(entries.map(([lang, counts]) => [lang, parseCounts(counts)]));
  }
  return result;
}

/** Validates a poll as the server describes it to a member. */
export function parsePollView(value: unknown): PollView {
  check(isObject(value) && POLL_STATES.includes(value.state as PollState), BAD_POLL);
  const poll = parsePoll(value.poll);
  const view: PollView = { poll, state: value.state as PollState };
  if (value.result !== undefined) {
    view.result = parsePollResult(value.result);
    check(view.result.pollId === poll.id, BAD_RESULT);
  }
  return view;
}

/**
 * The ids of the built-in poll templates' polls, in order (their texts stay on the server,
 * server/poll-templates.ts): a host's page opens them by id once the server has prepared them.
 */
export const POLL_TEMPLATE_IDS: Readonly<Record<string, readonly string[]>> = {
  'un75-survey': ['un75-2045', 'un75-priorities', 'un75-trends', 'un75-together', 'un75-advice'],
};
