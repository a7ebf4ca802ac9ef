import { css } from 'lit';
import { accentPillButton, controlButton, pressedButton, tokens, visuallyHidden } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      color: var(--_on-surface);
      font-family: var(--_font);
    }
    [part='base'] {
      display: flex;
      flex-direction: column;
      gap: var(--_gap);
      max-block-size: var(--un75-ideas-max-size, 40vh);
      overflow: auto;
      padding: var(--_gap);
      border-radius: var(--_radius);
      background: var(--_surface-raised);
    }
    [part='base'][hidden] {
      display: none;
    }
    .live {
      ${visuallyHidden}
    }
    h3 {
      margin: 0;
      font-size: 1.05em;
    }
    p {
      margin: 0;
    }
    .muted {
      color: var(--_muted);
    }
    .error {
      border-inline-start: 4px solid var(--un75-warning, #ffb300);
      padding-inline-start: 0.5em;
    }
    form {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      gap: calc(var(--_gap) / 2);
      max-inline-size: 40rem;
    }
    textarea,
    select {
      font: inherit;
      color: var(--_on-surface);
      background: var(--_surface);
      border: 1px solid var(--_muted);
      border-radius: calc(var(--_radius) / 2);
      padding: 0.4em;
      box-sizing: border-box;
    }
    textarea {
      inline-size: 100%;
    }
    ol {
      margin: 0;
      padding: 0;
      list-style: none;
      display: flex;
      flex-direction: column;
    }
    [part~='idea'] {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      gap: 0.35em;
      padding-block: calc(var(--_gap) / 2);
      border-block-end: 1px solid color-mix(in srgb, var(--_on-surface) 25%, transparent);
    }
    .merged {
      margin-inline-start: 1.5em;
      padding-inline-start: 0.75em;
      border-inline-start: 2px solid color-mix(in srgb, var(--_on-surface) 25%, transparent);
      font-size: 0.95em;
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.35em 0.75em;
    }
    .consensus {
      font-weight: 600;
    }
    button {
      ${controlButton}
      min-block-size: 36px;
      font: inherit;
    }
    button[aria-pressed='true'] {
      ${pressedButton}
    }
    button.accent {
      ${accentPillButton}
    }
  `,
];
