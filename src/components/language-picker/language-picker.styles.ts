import { css } from 'lit';
import { tokens } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: inline-block;
    }
    [part='base'] {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--_gap);
      margin: 0;
      /* Its own surface, so the labels stay readable on any page it is placed in. */
      padding-block: 4px;
      padding-inline: var(--_gap);
      border: 0;
      border-radius: var(--_radius);
      background: var(--_surface);
      color: var(--_on-surface);
    }
    [part~='field'] {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      font-size: 0.875rem;
    }
    [part~='picker'] {
      /* As wide as the chosen language. Sized by its widest option instead, each select had every
         language's own name shaped (Arabic and Chinese scripts through font fallback) when first
         laid out: 15-40 ms of a joining page's main thread in Chromium, measured. */
      field-sizing: content;
      min-block-size: 40px;
      padding-block: 4px;
      padding-inline: 10px;
      border: 1px solid var(--_muted);
      border-radius: calc(var(--_radius) / 2);
      background: var(--_surface-raised);
      color: var(--_on-surface);
      font: inherit;
      font-size: 1rem;
    }
    [part='channel-status'] {
      font-size: 0.875rem;
      color: var(--_on-surface);
    }
    [part='floor-volume'] {
      accent-color: var(--_accent);
      inline-size: 7rem;
    }
    option {
      background: var(--_surface-raised);
      color: var(--_on-surface);
    }
  `,
];
