import type { TranscriptFormat } from '../core/captions.js';

/** Detail of `un75-transcript`, fired before a transcript is saved. */
export interface Un75TranscriptDetail {
  format: TranscriptFormat;
  /** The language it was asked in, undefined for the originals. */
  language: string | undefined;
  text: string;
}

/**
 * Saves a transcript as a file, after an `un75-transcript` event (fired on `host`) that a page may
 * cancel to handle the text itself. Shared by the caption overlay and the side panel's transcript tab.
 */
export function saveTranscript(host: HTMLElement, format: TranscriptFormat, language: string | undefined, text: string): void {
  const event = new CustomEvent<Un75TranscriptDetail>('un75-transcript', {
    detail: { format, language, text },
    bubbles: true,
    composed: true,
    cancelable: true,
  });
  if (!host.dispatchEvent(event)) return;
  const type = format === 'vtt' ? 'text/vtt' : format === 'json' ? 'application/json' : 'text/plain';
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `transcript-${new Date().toISOString().slice(0, 10)}${language ? `-${language}` : ''}.${format === 'text' ? 'txt' : format}`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
