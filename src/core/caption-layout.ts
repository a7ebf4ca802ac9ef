/**
 * Breaking caption text into lines (design §5.3). Subtitle practice is about 42 characters a line
 * for alphabetic scripts (Latin, Cyrillic, Arabic) and about 16 for Chinese and Japanese, whose
 * characters carry more each and are read at a similar rate. Break points come from
 * `Intl.Segmenter`, which knows where words end in scripts written without spaces.
 */

import { primarySubtag } from './language.js';
import { LruMap } from './lru.js';

/** Characters per line for a language, from its script. */
export function lineLengthFor(lang: string): number {
  switch (primarySubtag(lang)) {
    case 'zh':
    case 'ja':
    case 'yue':
    case 'wuu':
      return 16;
    case 'ko':
      // Hangul is written with spaces but each syllable block is dense: between the two.
      return 24;
    default:
      return 42;
  }
}

/**
 * Segmenters by language tag, most recently used last. The tags come from other people's captions,
 * so the cache is small and drops the least recently used: a meeting has a handful of languages.
 */
export const SEGMENTER_CACHE_SIZE = 16;
const segmenters = new LruMap<string, { words: Intl.Segmenter; graphemes: Intl.Segmenter }>(SEGMENTER_CACHE_SIZE);

/** How many languages have segmenters cached (diagnostics and tests). */
export const cachedSegmenters = (): number => segmenters.size;

function segmentersFor(lang: string) {
  let pair = segmenters.get(lang);
  if (!pair) {
    let locale = lang;
    try {
      Intl.getCanonicalLocales(lang);
    } catch {
      locale = 'und';
    }
    pair = {
      words: new Intl.Segmenter(locale, { granularity: 'word' }),
      graphemes: new Intl.Segmenter(locale, { granularity: 'grapheme' }),
    };
    segmenters.set(lang, pair);
  }
  return pair;
}

/** Length as a reader counts it: user-perceived characters, not UTF-16 units. */
export function visibleLength(text: string, lang = 'und'): number {
  let n = 0;
  for (const _ of segmentersFor(lang).graphemes.segment(text)) n++;
  return n;
}

/**
 * Greedy line filling at word boundaries. A word longer than a line is cut between characters.
 * Punctuation stays attached to the word before it, and lines never start with a space.
 */
export function breakLines(text: string, lang: string, maxLength = lineLengthFor(lang)): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (!clean) return [];
  const { words, graphemes } = segmentersFor(lang);
  // Glue each non-word segment (space, punctuation) to the word before it: break opportunities
  // are then only before a word, which is where people expect them.
  const pieces: string[] = [];
  for (const { segment, isWordLike } of words.segment(clean)) {
    const last = pieces.length - 1;
    if (!isWordLike && last >= 0 && !/^\s+$/.test(segment)) pieces[last] += segment;
    else if (/^\s+$/.test(segment) && last >= 0) pieces[last] += segment;
    else pieces.push(segment);
  }
  const lines: string[] = [];
  let line = '';
  let lineLength = 0;
  const flush = () => {
    const trimmed = line.trim();
    if (trimmed) lines.push(trimmed);
    line = '';
    lineLength = 0;
  };
  for (const piece of pieces) {
    const length = visibleLength(piece.trimEnd(), lang);
    if (lineLength + length <= maxLength) {
      line += piece;
      lineLength += visibleLength(piece, lang);
      continue;
    }
    if (length <= maxLength) {
      flush();
      line = piece;
      lineLength = visibleLength(piece, lang);
      continue;
    }
    // A single word longer than a line (a URL, a long compound): cut it by characters.
    for (const { segment } of graphemes.segment(piece)) {
      if (lineLength + 1 > maxLength) flush();
      if (lineLength === 0 && /^\s$/.test(segment)) continue;
      line += segment;
      lineLength++;
    }
  }
  flush();
  return lines;
}

/** One line of the caption overlay. */
export interface CaptionRow {
  /** Stable across updates of the same caption line, for keyed rendering. */
  key: string;
  speakerId: string;
  speakerName: string;
  lang: string;
  text: string;
  /** True when `text` is a machine translation. */
  machineTranslated: boolean;
  final: boolean;
  /** In bilingual mode: the matching part of the original, shown under a translated line. */
  original?: { lang: string; text: string };
}

interface RowSource {
  key: string;
  speakerId: string;
  speakerName: string;
  lang: string;
  text: string;
  final: boolean;
  translation?: { lang: string; text: string } | undefined;
}

/**
 * The overlay's last `count` lines from the recent captions (oldest first): each caption's text in
 * the listener's language, broken for its language. In bilingual mode each translated line carries
 * the part of the original at the same relative position, since the two texts break differently.
 */
export function captionRows(captions: readonly RowSource[], count = 2, bilingual = false): CaptionRow[] {
  const rows: CaptionRow[] = [];
  for (const caption of captions) {
    const lang = caption.translation?.lang ?? caption.lang;
    const lines = breakLines(caption.translation?.text ?? caption.text, lang);
    const originalLines = bilingual && caption.translation ? breakLines(caption.text, caption.lang) : [];
    lines.forEach((text, index) => {
      const row: CaptionRow = {
        key: `${caption.key}#${index}`,
        speakerId: caption.speakerId,
        speakerName: caption.speakerName,
        lang,
        text,
        machineTranslated: Boolean(caption.translation),
        final: caption.final,
      };
      if (originalLines.length) {
        // Lines [from, to) of the original that correspond to this line of the translation.
        const from = Math.floor((index * originalLines.length) / lines.length);
        const to = Math.max(from + 1, Math.floor(((index + 1) * originalLines.length) / lines.length));
        // Scripts written without spaces are rejoined without them.
        const joiner = lineLengthFor(caption.lang) < 24 ? '' : ' ';
        row.original = { lang: caption.lang, text: originalLines.slice(from, to).join(joiner) };
      }
      rows.push(row);
    });
  }
  return rows.slice(-count);
}
