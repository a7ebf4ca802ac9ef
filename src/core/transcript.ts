/**
 * Everything said in a meeting, kept per final segment, exportable as WebVTT, JSON or plain text
 * in the original languages or translated into one (design §5.3).
 */

import { breakLines } from './caption-layout.js';
import { directionOf } from './language.js';
import { sameLanguage, translationTag } from './language.js';
import type { CachedTranslator } from './translation.js';
import { cleanName } from '../protocol/signaling.js';
import type { TranscriptFormat } from './captions.types.js';

export interface TranscriptEntry {
  /** The caption key (speaker id and segment id). */
  key: string;
  speakerId: string;
  speakerName: string;
  lang: string;
  text: string;
  /** Local time (ms since the epoch) the segment was first and last heard. */
  start: number;
  end: number;
}

/** One segment as exported: in the requested language, with the original when it was translated. */
export interface TranscriptLine {
  speakerName: string;
  speakerId: string;
  lang: string;
  text: string;
  start: number;
  end: number;
  machineTranslated: boolean;
  original?: { lang: string; text: string };
}

/**
 * Segments kept: at 20 words a segment, a day-long meeting of several speakers fits; a speaker
 * (or a flood from one page) past its share pushes out its own oldest segments, and the whole
 * transcript past its limit its oldest segments, with their translations.
 */
export const TRANSCRIPT_LIMITS = { total: 20_000, perSpeaker: 8_000 };

/** The segments of a meeting in the order they were said, with their known translations. */
export class Transcript {
  readonly #list: TranscriptEntry[] = [];
  readonly #translations = new Map<string, Map<string, string>>();
  readonly #perSpeaker = new Map<string, number>();
  readonly #limits: { total: number; perSpeaker: number };

  constructor(
    readonly startedAt = Date.now(),
    limits = TRANSCRIPT_LIMITS,
  ) {
    this.#limits = limits;
  }

  get entries(): readonly TranscriptEntry[] {
    return this.#list;
  }

  add(entry: TranscriptEntry): void {
    // Segments of several speakers end out of order; keep them sorted by when they began, as
    // WebVTT requires of cues.
    let i = this.#list.length;
    while (i > 0 && this.#list[i - 1]!.start > entry.start) i--;
    this.#list.splice(i, 0, entry);
    const count = (this.#perSpeaker.get(entry.speakerId) ?? 0) + 1;
    this.#perSpeaker.set(entry.speakerId, count);
    if (count > this.#limits.perSpeaker) this.#evict(this.#list.findIndex((e) => e.speakerId === entry.speakerId));
    while (this.#list.length > this.#limits.total) this.#evict(0);
  }

  #evict(index: number) {
    const [gone] = this.#list.splice(index, 1);
    if (!gone) return;
    this.#translations.delete(gone.key);
    const left = (this.#perSpeaker.get(gone.speakerId) ?? 1) - 1;
    if (left > 0) this.#perSpeaker.set(gone.speakerId, left);
    else this.#perSpeaker.delete(gone.speakerId);
  }

  setTranslation(key: string, lang: string, text: string): void {
    let map = this.#translations.get(key);
    if (!map) this.#translations.set(key, (map = new Map()));
    map.set(lang, text);
  }

  translation(key: string, lang: string): string | undefined {
    return this.#translations.get(key)?.get(lang);
  }

  clear(): void {
    this.#list.length = 0;
    this.#translations.clear();
    this.#perSpeaker.clear();
  }
}

/**
 * Everything in `store`, in its original languages or translated into `language` (translations
 * made while captioning are reused; missing ones are asked of `translator`, each within `timeout`
 * ms). Segments that cannot be translated are given in their original language.
 */
export async function exportTranscript(
  store: Transcript,
  format: TranscriptFormat,
  language: string | undefined,
  translator: CachedTranslator | undefined,
  timeout: number,
  chat?: readonly ChatTranscriptLine[],
): Promise<string> {
  const lines = await Promise.all(
    store.entries.map(async (entry): Promise<TranscriptLine> => {
      const base = { speakerName: entry.speakerName, speakerId: entry.speakerId, start: entry.start, end: entry.end };
      const original = { ...base, lang: entry.lang, text: entry.text, machineTranslated: false };
      if (!language || sameLanguage(entry.lang, language)) return original;
      const target = translationTag(language);
      let text = store.translation(entry.key, target);
      if (text === undefined && translator) {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), timeout);
        text = await translator.translate(entry.text, entry.lang, language, controller.signal).catch(() => undefined);
        clearTimeout(timer);
        if (text !== undefined) store.setTranslation(entry.key, target, text);
      }
      if (text === undefined) return original;
      return { ...base, lang: language, text, machineTranslated: true, original: { lang: entry.lang, text: entry.text } };
    }),
  );
  return formatTranscript(format, lines, { startedAt: store.startedAt, language, chat });
}

/** One chat message as exported: in the requested language, with the original when translated. */
export interface ChatTranscriptLine {
  id: string;
  from: string;
  name: string;
  /** When it was sent (ms since the epoch). */
  t: number;
  lang: string;
  text: string;
  machineTranslated: boolean;
  original?: { lang: string; text: string };
}

export interface FormatOptions {
  /** Time zero of the cue timings (ms since the epoch). */
  startedAt: number;
  /** The language the transcript was asked in; undefined for the originals. */
  language?: string | undefined;
  /** Chat messages, in the JSON format only (WebVTT and text are what was said). */
  chat?: readonly ChatTranscriptLine[] | undefined;
}

export function formatTranscript(format: TranscriptFormat, lines: readonly TranscriptLine[], options: FormatOptions): string {
  switch (format) {
    case 'vtt':
      return toWebVTT(lines, options);
    case 'json':
      return toJSON(lines, options);
    case 'text':
      return toText(lines, options);
    default:
      throw new TypeError(`unknown transcript format "${String(format)}"`);
  }
}

const RLM = '\u200F';

/** The name a line is attributed to: never able to break the line it is written in. */
const speakerOf = (line: TranscriptLine) => cleanName(line.speakerName) || cleanName(line.speakerId);

function timestamp(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor(total / 60_000) % 60;
  const s = Math.floor(total / 1000) % 60;
  const milli = total % 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(milli).padStart(3, '0')}`;
}

/** Cue text must not hold markup we did not write, nor "-->" which ends a cue timing line. */
const escapeVtt = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A shortest readable duration, so a final segment that arrived all at once still shows. */
const MIN_CUE_MS = 1000;

/**
 * WebVTT with one cue per final segment: `<v Speaker>` voice tags, lines broken for the cue's
 * language, and a right-to-left mark at the start of each line of right-to-left text so that
 * players that guess direction from the first strong character (a Latin name, a number) still
 * lay it out right to left.
 */
export function toWebVTT(lines: readonly TranscriptLine[], options: FormatOptions): string {
  const out = ['WEBVTT', ''];
  if (options.language) out.push(`NOTE language: ${options.language.replace(/-->/g, '')}`, '');
  lines.forEach((line, index) => {
    const start = line.start - options.startedAt;
    const end = Math.max(line.end - options.startedAt, start + MIN_CUE_MS);
    const rtl = directionOf(line.lang) === 'rtl';
    const voice = escapeVtt(speakerOf(line));
    const text = breakLines(line.text, line.lang).map((l) => (rtl ? RLM : '') + escapeVtt(l));
    if (text.length === 0) return;
    out.push(String(index + 1), `${timestamp(start)} --> ${timestamp(end)}`, `<v ${voice}>${text.join('\n')}`, '');
  });
  return out.join('\n');
}

export function toJSON(lines: readonly TranscriptLine[], options: FormatOptions): string {
  return JSON.stringify(
    {
      language: options.language ?? null,
      startedAt: new Date(options.startedAt).toISOString(),
      segments: lines.map((line) => ({
        speaker: speakerOf(line),
        speakerId: line.speakerId,
        start: (line.start - options.startedAt) / 1000,
        end: (Math.max(line.end, line.start) - options.startedAt) / 1000,
        lang: line.lang,
        text: line.text,
        machineTranslated: line.machineTranslated,
        ...(line.original ? { original: line.original } : {}),
      })),
      ...(options.chat
        ? {
            chat: options.chat.map((line) => ({
              id: line.id,
              from: line.name,
              fromId: line.from,
              at: (line.t - options.startedAt) / 1000,
              lang: line.lang,
              text: line.text,
              machineTranslated: line.machineTranslated,
              ...(line.original ? { original: line.original } : {}),
            })),
          }
        : {}),
    },
    null,
    2,
  );
}

/** One line per segment: `[mm:ss] Speaker: text`, each line isolated so mixed directions stay readable. */
export function toText(lines: readonly TranscriptLine[], options: FormatOptions): string {
  return lines
    .map((line) => {
      const at = timestamp(line.start - options.startedAt).slice(0, 8);
      const rtl = directionOf(line.lang) === 'rtl';
      const text = line.text.replace(/\s+/g, ' ').trim();
      // First-strong isolates keep a right-to-left sentence from reordering the "Name:" before it.
      return `[${at}] ${speakerOf(line)}: ${rtl ? `\u2067${text}\u2069` : text}`;
    })
    .join('\n')
    .concat(lines.length ? '\n' : '');
}
