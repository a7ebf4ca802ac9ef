/**
 * Dialogue ideas (design §8, issue 24 item 3): anyone submits one, everyone answers agree / pass /
 * disagree, hosts hide or merge. The server keeps them and is their authority; the same validators
 * run on the server (for what a client sends, what the database and other processes hold) and in
 * the browser (for what the server sends).
 */
import { check, cleanText, isInt, isObject, ITEM_ID, parseLocalized, TAG, type Localized } from './agenda.js';

/** An idea as the server describes it to a member. */
export interface Idea {
  id: string;
  /** Its text by language: the author's own (`lang`) and the machine translations the server made. */
  text: Localized;
  /** The language the author wrote in (the author's spoken language, lower-cased). */
  lang: string;
  /** The languages of `text` that are machine translations (never `lang`). */
  machine: string[];
  agree: number;
  pass: number;
  disagree: number;
  /** Every language group that voted agrees, and at least two did (see `consensus`). */
  consensus: boolean;
  /** Hosts alone see hidden ideas; to the others a hidden idea is gone (`idea-gone`). */
  hidden?: true;
  /** A host merged it into the idea of this id: shown under it, out of the ranking, its votes its own. */
  mergedInto?: string;
  /** `idea`: submitted as one; `poll`: an open or "other" answer of poll `pollId`. */
  source: 'idea' | 'poll';
  pollId?: string;
  /** When it was submitted (server clock, ms). */
  created: number;
}

/** An idea as the store lists it for the report: every idea, hidden and merged ones too. */
export interface IdeaRecord extends Omit<Idea, 'hidden' | 'created'> {
  hidden: boolean;
  /** ISO 8601. */
  created: string;
}

export type IdeaVote = 1 | 0 | -1;
export const IDEA_VOTES: readonly IdeaVote[] = [1, 0, -1];

export const MAX_IDEA_LENGTH = 280;
/** A machine translation is cut to this many characters (the longest text a Localized takes). */
export const MAX_TRANSLATION_LENGTH = 500;
/** Ideas one room may hold (each rides in its own frame after the welcome). */
export const MAX_ROOM_IDEAS = 300;
/** Ideas one person may submit in one room (open and "other" poll answers not counted). */
export const MAX_AUTHOR_IDEAS = 10;
/** Idea ids: as poll ids. */
export const IDEA_ID = ITEM_ID;
/** What a raw idea may be before cleaning: refused beyond, unread. */
const MAX_RAW_LENGTH = 1_000;
/**
 * Refused in an idea rather than cleaned: C0/C1 controls other than white space, and the bidi
 * embedding, override and isolate characters (U+202A–U+202E, U+2066–U+2069), which would reorder the
 * text around the idea for every reader. Other invisible format characters are cleaned to spaces
 * instead, as in agenda prompts and poll answers.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const REFUSED = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/**
 * Validates an idea's text from its author: at most 280 characters once trimmed, no control or bidi
 * formatting characters; line breaks become spaces. Throws AgendaError with a sentence the author
 * can read.
 */
export function parseIdeaText(raw: unknown): string {
  check(typeof raw == 'string' && raw.length <= MAX_RAW_LENGTH, `"text": 1 to ${MAX_IDEA_LENGTH} characters`);
  check(!REFUSED.test(raw), '"text": control and bidi formatting characters are not taken');
  // Other invisible and format characters become spaces, as in agenda prompts and poll answers.
  const text = cleanText(raw);
  check(isInt(text.length, 1, MAX_IDEA_LENGTH), `"text": 1 to ${MAX_IDEA_LENGTH} characters`);
  return text;
}

export function parseIdeaVote(value: unknown): IdeaVote {
  check(IDEA_VOTES.includes(value as IdeaVote), '"vote": 1 (agree), 0 (pass) or -1 (disagree)');
  return value as IdeaVote;
}

const BAD_IDEA = '"idea" is not valid';
const count = (n: unknown) => isInt(n, 0, Number.MAX_SAFE_INTEGER);

/** Validates an idea as the server sends it (or as the database or another process holds it). */
export function parseIdea(value: unknown): Idea {
  check(isObject(value), BAD_IDEA);
  const { id, lang, machine, agree, pass, disagree, consensus, hidden, mergedInto, source, pollId, created } = value;
  check(typeof id == 'string' && IDEA_ID.test(id), BAD_IDEA);
  check(typeof lang == 'string' && TAG.test(lang) && lang.length <= 35, BAD_IDEA);
  const text = parseLocalized(value.text, '"idea.text"').text;
  check(text[lang.toLowerCase()] !== undefined, BAD_IDEA);
  check(Array.isArray(machine) && machine.every((m) => typeof m == 'string' && text[m] !== undefined && m !== lang), BAD_IDEA);
  check(count(agree) && count(pass) && count(disagree) && typeof consensus == 'boolean', BAD_IDEA);
  check(hidden === undefined || hidden === true, BAD_IDEA);
  check(mergedInto === undefined || (typeof mergedInto == 'string' && IDEA_ID.test(mergedInto) && mergedInto !== id), BAD_IDEA);
  check(source === 'idea' || source === 'poll', BAD_IDEA);
  check(source === 'poll' ? typeof pollId == 'string' && IDEA_ID.test(pollId) : pollId === undefined, BAD_IDEA);
  check(count(created), BAD_IDEA);
  return {
    id,
    text,
    lang: lang.toLowerCase(),
    machine: machine as string[],
    agree,
    pass,
    disagree,
    consensus,
    ...(hidden ? { hidden } : {}),
    ...(mergedInto !== undefined ? { mergedInto } : {}),
    source,
    ...(pollId !== undefined ? { pollId: pollId as string } : {}),
    created,
  };
}

/** A language group: the primary subtag of a voter's spoken language (`fr-CA` votes with `fr`). */
export const languageGroup = (lang: string): string => lang.toLowerCase().split('-')[0] || 'und';

/** Votes of one idea by language group. */
export type VotesByLanguage = Map<string, { agree: number; pass: number; disagree: number }>;

/**
 * Consensus: at least two language groups voted, and in every group that voted more than half of
 * its votes agree (a pass counts as a vote that does not agree).
 */
export function consensusOf(byLanguage: VotesByLanguage): boolean {
  if (byLanguage.size < 2) return false;
  for (const { agree, pass, disagree } of byLanguage.values()) if (agree * 2 <= agree + pass + disagree) return false;
  return true;
}

/**
 * The order ideas are shown in: by agreement (agree − disagree), then by more votes, then the older
 * first. Merged ideas sit under their target, outside the ranking.
 */
export function rankIdeas<T extends Pick<Idea, 'id' | 'agree' | 'disagree' | 'pass' | 'created'>>(ideas: readonly T[]): T[] {
  const votes = (i: T) => i.agree + i.pass + i.disagree;
  return [...ideas].sort((a, b) => b.agree - b.disagree - (a.agree - a.disagree) || votes(b) - votes(a) || a.created - b.created || (a.id < b.id ? -1 : 1));
}

/**
 * The text of an idea for a reader of `lang`: its own language (or the same language of another
 * region), else the original. `machine`: a machine translation; `missing`: not in the reader's
 * language at all (the original is shown).
 */
export function ideaTextFor(idea: Pick<Idea, 'text' | 'lang' | 'machine'>, lang: string): { text: string; lang: string; machine: boolean; missing: boolean } {
  const want = lang.toLowerCase();
  const langs = Object.keys(idea.text);
  const found = idea.text[want] !== undefined ? want : langs.find((k) => languageGroup(k) === languageGroup(want));
  const shown = found ?? idea.lang;
  return { text: idea.text[shown] ?? idea.text[idea.lang]!, lang: shown, machine: found !== undefined && idea.machine.includes(found), missing: found === undefined };
}
