/**
 * Server speech recognition (design §5.1, docs/protocol.md "Speech recognition"): what the welcome
 * offers, and the frames of the `/asr` WebSocket between a speaker's browser and un75-signal.
 * The same validators run in the browser and on the server.
 *
 * Browser → server: binary frames of 16-bit little-endian mono PCM at {@link ASR_SAMPLE_RATE} Hz,
 * and one text frame `{"type":"eof"}` to end the stream (the last final follows, then the close).
 * Server → browser: `{"type":"partial","text"}`, `{"type":"final","text"}`, `{"type":"error","code","message"}`.
 */
/** As in signaling.ts (which imports this module, so it cannot import signaling.ts back). */
const MAX_LANGUAGE_TAG_LENGTH = 35;

export const ASR_SAMPLE_RATE = 16_000;
/** 16 kHz, 16 bits, mono: 256 kbit/s while someone speaks. */
export const ASR_BYTES_PER_SECOND = ASR_SAMPLE_RATE * 2;
/** Largest audio frame the server accepts: half a second (browsers send 100 ms). */
export const MAX_ASR_FRAME_BYTES = ASR_BYTES_PER_SECOND / 2;
/** Longest caption text relayed from a recogniser. */
export const MAX_ASR_TEXT_LENGTH = 2000;
/** Longest token the server hands out (and reads). */
export const MAX_ASR_TOKEN_LENGTH = 512;
/** Languages listed in an offer at most. */
export const MAX_ASR_LANGUAGES = 64;
/** Stands for "every language" in an offer (`--asr '*=URL'`). */
export const ANY_LANGUAGE = '*';

/** In the welcome (and the answer to `asr-token`): a single-use token for one stream, and what is recognised. */
export interface AsrOffer {
  token: string;
  /** Language tags the server recognises; `*` for any. */
  languages: string[];
}

export const ASR_ERROR_CODES = [
  /** No token, a token used before, expired, or for another language. */
  'unauthorized',
  /** Too many streams for this member or this room. */
  'busy',
  /** Audio faster than real time. */
  'too-fast',
  /** The stream lasted its maximum: open a new one (with a new token). */
  'too-long',
  /** A frame that is not PCM16 audio or `{"type":"eof"}`. */
  'bad-frame',
  /** The recogniser for this language cannot be reached, hangs or answers garbage. */
  'backend',
  /** This server recognises no speech in this language. */
  'unsupported-language',
  'shutting-down',
  /** The speaker left the room (or was removed from it): their stream ends with them. */
  'left',
] as const;
export type AsrErrorCode = (typeof ASR_ERROR_CODES)[number];

export type AsrServerMessage =
  | { type: 'partial'; text: string }
  | { type: 'final'; text: string }
  | { type: 'error'; code: AsrErrorCode; message: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `asr` field of a welcome; undefined when absent or malformed (the browser then does without). */
export function parseAsrOffer(value: unknown): AsrOffer | undefined {
  if (!isObject(value)) return undefined;
  const { token } = value;
  if (typeof token !== 'string' || !token || token.length > MAX_ASR_TOKEN_LENGTH) return undefined;
  const languages = parseAsrLanguages(value);
  return languages && { token, languages };
}

/**
 * The languages of an `asr` field (a welcome's offer, or the server's `hello` ahead of any join);
 * undefined when absent or malformed.
 */
export function parseAsrLanguages(value: unknown): string[] | undefined {
  if (!isObject(value)) return undefined;
  const { languages } = value;
  if (!Array.isArray(languages) || languages.length > MAX_ASR_LANGUAGES) return undefined;
  // Only ever compared with the spoken language, never shown: strings of a tag's length will do.
  return languages.filter((l): l is string => typeof l === 'string' && l.length <= MAX_LANGUAGE_TAG_LENGTH);
}

/**
 * The recogniser key serving `language` among `keys`: the exact tag, else its primary language
 * (`en` serves `en-GB`), else `*`; case-insensitive, as language tags are.
 */
export function asrLanguageKey(keys: Iterable<string>, language: string): string | undefined {
  const all = [...keys];
  const lower = language.toLowerCase();
  const primary = lower.split('-')[0];
  return (
    all.find((k) => k.toLowerCase() === lower) ??
    all.find((k) => k.toLowerCase() === primary) ??
    all.find((k) => k === ANY_LANGUAGE)
  );
}

/** The JSON object a text frame holds; undefined when it holds anything else or is not JSON. */
function jsonObject(frame: string): Record<string, unknown> | undefined {
  try {
    const msg: unknown = JSON.parse(frame);
    return isObject(msg) ? msg : undefined;
  } catch {
    return undefined;
  }
}

/** One text frame from the server on `/asr`; undefined for anything malformed. */
export function parseAsrServerMessage(frame: string): AsrServerMessage | undefined {
  if (frame.length > 4 * MAX_ASR_TEXT_LENGTH) return undefined;
  const msg = jsonObject(frame);
  if (!msg) return undefined;
  switch (msg.type) {
    case 'partial':
    case 'final':
      if (typeof msg.text !== 'string' || msg.text.length > MAX_ASR_TEXT_LENGTH) return undefined;
      return { type: msg.type, text: msg.text };
    case 'error': {
      // An unknown code (a newer server's) is a failure like any other: the browser only tells a few apart.
      const code = typeof msg.code === 'string' ? (msg.code.slice(0, 32) as AsrErrorCode) : 'backend';
      return { type: 'error', code, message: typeof msg.message === 'string' ? msg.message.slice(0, 500) : code };
    }
    default:
      return undefined;
  }
}

/**
 * One answer of a Vosk-protocol recogniser: `{"partial"}` or `{"text"}` (other fields such as
 * `result` are ignored). Undefined when it is not that protocol.
 */
export function parseVoskAnswer(frame: string): { partial: string } | { text: string } | undefined {
  const msg = jsonObject(frame);
  if (!msg) return undefined;
  if (typeof msg.text === 'string') return msg.text.length <= MAX_ASR_TEXT_LENGTH ? { text: msg.text } : undefined;
  if (typeof msg.partial === 'string') return msg.partial.length <= MAX_ASR_TEXT_LENGTH ? { partial: msg.partial } : undefined;
  return undefined;
}
