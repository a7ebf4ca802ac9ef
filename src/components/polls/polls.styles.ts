import { css } from 'lit';
import { accentPillButton, controlButton, tokens, visuallyHidden } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      color: var(--_on-surface);
      font-family: var(--_font);
    }
    [part='base'][hidden] {
      display: none;
    }
    [part='base'] {
      display: flex;
      flex-direction: column;
      gap: var(--_gap);
      max-block-size: var(--un75-polls-max-size, 40vh);
      overflow: auto;
      padding: var(--_gap);
      border-radius: var(--_radius);
      background: var(--_surface-raised);
    }
    .live {
      ${visuallyHidden}
    }
    [part='form'] {
      max-inline-size: 40rem;
    }
    [part='poll'],
    [part='form'] {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      gap: calc(var(--_gap) / 2);
      padding-block: var(--_gap);
      border-block-end: 1px solid color-mix(in srgb, var(--_on-surface) 25%, transparent);
    }
    h3 {
      margin: 0;
      font-size: 1.05em;
    }
    p {
      margin: 0;
    }
    .muted,
    .badge {
      color: var(--_muted);
    }
    .error {
      color: var(--_on-surface);
      border-inline-start: 4px solid var(--un75-warning, #ffb300);
      padding-inline-start: 0.5em;
    }
    form {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      gap: calc(var(--_gap) / 2);
      inline-size: 100%;
    }
    fieldset {
      display: flex;
      flex-direction: column;
      gap: 0.35em;
      margin: 0;
      padding: 0;
      border: 0;
      inline-size: 100%;
    }
    .choice {
      display: flex;
      align-items: center;
      gap: 0.5em;
      min-block-size: 32px;
    }
    .scale {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25em 1em;
    }
    .end {
      color: var(--_muted);
    }
    .ranking {
      margin: 0;
      padding-inline-start: 1.5em;
      display: flex;
      flex-direction: column;
      gap: 0.25em;
    }
    .ranking li span {
      margin-inline-end: 0.5em;
    }
    textarea,
    input[type='text'],
    input[type='number'],
    select {
      font: inherit;
      color: var(--_on-surface);
      background: var(--_surface);
      border: 1px solid var(--_muted);
      border-radius: calc(var(--_radius) / 2);
      padding: 0.4em;
      box-sizing: border-box;
    }
    textarea,
    fieldset input[type='text'] {
      inline-size: 100%;
    }
    input[type='number'] {
      inline-size: 5em;
    }
    button {
      ${controlButton}
      min-block-size: 36px;
      font: inherit;
    }
    button.accent {
      ${accentPillButton}
      min-block-size: 36px;
      padding-block: 6px;
      padding-inline: 14px;
    }
    button[disabled] {
      opacity: 0.5;
      cursor: default;
    }
    .ranking button {
      min-block-size: 32px;
      min-inline-size: 32px;
      padding: 4px 8px;
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_gap);
      align-items: center;
    }
    .result {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      gap: 0.35em;
      inline-size: 100%;
      max-inline-size: 32rem;
    }
    /* Drawn at its own size (320 units wide). Its coordinates are mirrored for right-to-left
       readers by the element, so SVG's own direction stays ltr: inherited rtl would flip the anchors. */
    [part='chart'] {
      direction: ltr;
      max-inline-size: 20rem;
    }
    [part='chart'] .label {
      fill: var(--_on-surface);
      font-size: 12px;
    }
    [part='chart'] .count {
      fill: var(--_on-surface);
      font-size: 11px;
    }
    [part='chart'] .word {
      fill: var(--_accent);
    }
    [part='chart'] .bar {
      fill: var(--_accent);
    }
    [part='chart'] .thin {
      opacity: 0.6;
    }
    table {
      border-collapse: collapse;
      font-size: 0.9em;
    }
    caption {
      text-align: start;
      color: var(--_muted);
    }
    th,
    td {
      padding-block: 0.15em;
      padding-inline: 0.5em;
      text-align: start;
    }
    td {
      font-variant-numeric: tabular-nums;
    }
  `,
];
