import { css } from 'lit';
import { accentPillButton, tokens } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      container-type: inline-size;
      background: var(--_surface);
      border-radius: var(--_radius);
      overflow: hidden;
      min-block-size: 20rem;
    }
    [part='base'] {
      display: flex;
      flex-direction: column;
      block-size: 100%;
      min-block-size: inherit;
    }
    [part='stage'] {
      position: relative;
      flex: 1;
      min-block-size: 0;
      padding: var(--_gap);
    }
    un75-video-grid {
      block-size: 100%;
    }
    /* Captions sit over the bottom of the videos, like subtitles. */
    un75-captions {
      position: absolute;
      inset-inline: calc(var(--_gap) * 2);
      inset-block-end: calc(var(--_gap) * 2);
      z-index: 1;
    }
    [part='notices'] {
      display: grid;
      gap: 4px;
      padding-inline: var(--_gap);
      padding-block-start: var(--_gap);
    }
    [part='notices']:empty {
      display: none;
    }
    .notice {
      margin: 0;
      padding-block: 6px;
      padding-inline: 12px;
      border-radius: calc(var(--_radius) / 2);
      background: var(--_surface-raised);
      border-inline-start: 4px solid var(--un75-warning, #ffb300);
    }
    .notice.error {
      border-inline-start-color: var(--_danger);
    }
    .joining {
      margin: 0;
      padding: 3rem 1rem;
      text-align: center;
    }
    [part='left'] {
      display: grid;
      place-items: center;
      gap: var(--_gap);
      padding: 3rem 1rem;
      text-align: center;
    }
    [part='left'] button {
      min-block-size: 44px;
      padding-inline: 20px;
      ${accentPillButton}
    }
  `,
];
