/** Values shared by the caption service, its elements, demos and tests. */

export const RECOGNITION_STATES = ['idle', 'starting', 'active', 'paused', 'unavailable'] as const;
/**
 * The local speaker's recognition: `idle` before `start()`, `paused` while the microphone is off,
 * `unavailable` when the browser cannot recognise speech (see the failure reason).
 */
export type RecognitionState = (typeof RECOGNITION_STATES)[number];

export const CAPTION_NOTES = [
  'no-translator',
  'translation-unavailable',
  'translation-downloadable',
  'translation-downloading',
  'translation-failed',
] as const;
/** Why a caption is shown in its original language although the listener asked for another. */
export type CaptionNote = (typeof CAPTION_NOTES)[number];

export const TRANSCRIPT_FORMATS = ['vtt', 'json', 'text'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** A caption as shown to this listener: one spoken segment, after translation. */
export interface Caption {
  /** Unique in the meeting: the speaker's id and the segment's id. */
  key: string;
  /** The segment id the speaker gave. */
  id: string;
  speakerId: string;
  speakerName: string;
  /** True for the local participant's own speech. */
  self: boolean;
  /** BCP 47 tag of the spoken language. */
  lang: string;
  /** What was said, as recognised. */
  text: string;
  /** False while the speaker is still saying it: the text may still change. */
  final: boolean;
  /** The speaker's message counter. */
  seq: number;
  /** When the speaker's recogniser produced it (ms since the epoch, speaker's clock). */
  t: number;
  /** When this listener first and last received the segment (ms since the epoch, local clock). */
  start: number;
  end: number;
  /** The machine translation into the listener's language, when one was made. */
  translation?: { lang: string; text: string };
  /** Set when the listener asked for another language but is shown the original: why. */
  note?: CaptionNote;
}

export const RECOGNITION_MODES = ['auto', 'browser', 'server', 'off'] as const;
/**
 * Where this person's speech is recognised (design §5.1): `server` through the signaling server's
 * recognisers, `browser` by the browser's own, `auto` the server when it offers the spoken language
 * and the browser otherwise, `off` nowhere.
 */
export type RecognitionMode = (typeof RECOGNITION_MODES)[number];
