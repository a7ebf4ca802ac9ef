import { css } from 'lit';
import { tokens, visuallyHidden } from '../shared.styles.js';

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
      gap: calc(var(--_gap) * 2);
      padding: calc(var(--_gap) * 2);
      border-radius: var(--_radius);
      background: var(--_surface);
    }
    h2,
    h3 {
      margin: 0;
    }
    h2 {
      font-size: 1.4em;
    }
    h3 {
      font-size: 1.1em;
    }
    p {
      margin: 0;
    }
    .muted {
      color: var(--_muted);
    }
    .live {
      ${visuallyHidden}
    }
    .error {
      border-inline-start: 4px solid var(--un75-warning, #ffb300);
      padding-inline-start: 0.5em;
    }
    [part='filters'] {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_gap);
      border: 0;
      padding: 0;
      margin: 0;
    }
    [part='filters'] legend {
      ${visuallyHidden}
    }
    label {
      display: flex;
      flex-direction: column;
      gap: 2px;
      color: var(--_muted);
      font-size: 0.9em;
    }
    select {
      font: inherit;
      min-block-size: 44px;
      padding-inline: 0.5em;
      border-radius: 6px;
      color: var(--_on-surface);
      background: var(--_surface-raised);
      border: 1px solid var(--_muted);
    }
    select:focus-visible,
    a:focus-visible {
      outline: 3px solid var(--_accent);
      outline-offset: 2px;
    }
    [part='totals'] {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
      gap: var(--_gap);
      margin: 0;
    }
    [part='totals'] div {
      padding: var(--_gap);
      border-radius: var(--_radius);
      background: var(--_surface-raised);
    }
    [part='totals'] dt {
      color: var(--_muted);
    }
    [part='totals'] dd {
      margin: 0;
      font-size: 1.8em;
      font-weight: 600;
      font-variant-numeric: tabular-nums;
    }
    section {
      display: flex;
      flex-direction: column;
      gap: var(--_gap);
    }
    .columns {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
      gap: calc(var(--_gap) * 2);
    }
    /* Bars start at the reader's start edge: the element places them (see #chart), so SVG's own
       direction stays ltr. */
    [part~='chart'] {
      direction: ltr;
      max-inline-size: 28rem;
    }
    [part~='chart'] .label,
    [part~='chart'] .count {
      fill: var(--_on-surface);
      font-size: 12px;
    }
    [part~='chart'] .bar {
      fill: var(--_accent);
    }
    [part~='chart'] .small {
      fill: var(--_muted);
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
    ol {
      margin: 0;
      padding-inline-start: 1.5em;
      display: flex;
      flex-direction: column;
      gap: var(--_gap);
    }
    .note {
      font-size: 0.85em;
      color: var(--_muted);
    }
    [part='export'] {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_gap);
      align-items: center;
    }
    a {
      color: var(--_on-surface);
      padding-block: 0.5em;
    }
  `,
];
