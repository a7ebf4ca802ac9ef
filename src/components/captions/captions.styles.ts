import { css } from 'lit';
import { accentPillButton, tokens } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      /* Readable over any video: light text on a dark, nearly opaque band (contrast above 12:1),
         at a size that scales with the token. */
      --_caption-size: var(--un75-caption-size, clamp(1rem, 0.8rem + 1vw, 1.5rem));
      --_caption-background: var(--un75-caption-background, rgb(8 10 14 / 0.86));
      --_caption-color: var(--un75-caption-color, var(--un75-on-surface, #f3f5f8));
      --_caption-speaker: var(--un75-caption-speaker, #ffd479);
      display: block;
      pointer-events: none;
    }
    [part='base'] {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 4px;
    }
    [part='captions'] {
      display: flex;
      flex-direction: column;
      align-items: stretch;
      max-inline-size: min(100%, 46em);
      padding-block: 4px;
      padding-inline: 12px;
      border-radius: var(--_radius);
      background: var(--_caption-background);
      color: var(--_caption-color);
      font-size: var(--_caption-size);
      line-height: 1.35;
      text-shadow: 0 1px 2px rgb(0 0 0 / 0.8);
    }
    [part='captions']:empty {
      display: none;
    }
    [part~='caption-line'] {
      display: flex;
      align-items: baseline;
      gap: 0.5em;
      margin: 0;
      text-align: start;
    }
    [part~='caption-line'].interim [part='text'] {
      /* Still being said: a little dimmer, so a change of words is expected. */
      opacity: 0.88;
    }
    [part~='original'] {
      font-size: 0.8em;
      opacity: 0.9;
      padding-inline-start: 1em;
    }
    [part='speaker'] {
      flex: none;
      font-weight: 700;
      color: var(--_caption-speaker);
    }
    [part='speaker']::after {
      content: ':';
    }
    [part='label'] {
      flex: none;
      align-self: center;
      padding-inline: 0.35em;
      border: 1px solid currentColor;
      border-radius: 4px;
      font-size: 0.6em;
      text-decoration: none;
      opacity: 0.9;
    }
    [part='notes'] {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 4px;
      pointer-events: auto;
    }
    [part='notes']:empty {
      display: none;
    }
    .note {
      margin: 0;
      padding-block: 2px;
      padding-inline: 8px;
      border-radius: 6px;
      background: var(--_caption-background);
      color: var(--_caption-color);
      font-size: 0.875rem;
    }
    progress {
      inline-size: 8em;
      vertical-align: middle;
      margin-inline-start: 0.5em;
    }
    [part~='button'] {
      pointer-events: auto;
      min-block-size: 36px;
      padding-block: 4px;
      padding-inline: 12px;
      ${accentPillButton}
    }
    [part='toolbar'] {
      display: flex;
      gap: var(--_gap);
      justify-content: flex-end;
      align-self: flex-end;
      pointer-events: auto;
    }
  `,
];
