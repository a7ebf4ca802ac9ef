import { css } from 'lit';
import { accentPillButton, tokens } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      /* Painted here too so that the lobby stays readable when placed on its own on a light page. */
      background: var(--_surface);
      border-radius: var(--_radius);
    }
    [part='base'] {
      display: grid;
      gap: calc(2 * var(--_gap));
      grid-template-columns: minmax(0, 3fr) minmax(16rem, 2fr);
      align-items: center;
      padding: calc(2 * var(--_gap));
    }
    @media (max-width: 720px) {
      [part='base'] {
        grid-template-columns: minmax(0, 1fr);
      }
    }
    [part='preview'] {
      position: relative;
      aspect-ratio: 16 / 9;
      border-radius: var(--_radius);
      overflow: hidden;
      background: var(--_surface-raised);
    }
    video {
      inline-size: 100%;
      block-size: 100%;
      object-fit: cover;
      transform: scaleX(-1);
      display: block;
    }
    .preview-toggles {
      position: absolute;
      inset-block-end: var(--_gap);
      inset-inline: 0;
      display: flex;
      justify-content: center;
      gap: var(--_gap);
    }
    .preview-toggles button {
      display: inline-grid;
      place-items: center;
      inline-size: 48px;
      block-size: 48px;
      border-radius: 50%;
      border: 0;
      cursor: pointer;
      background: rgb(0 0 0 / 0.55);
      color: #fff;
    }
    .preview-toggles button[aria-pressed='false'] {
      background: var(--_danger);
    }
    form {
      display: grid;
      gap: var(--_gap);
    }
    h2 {
      margin: 0;
      font-size: 1.5rem;
    }
    .room {
      margin: 0;
      color: var(--_muted);
    }
    label {
      display: grid;
      gap: 4px;
      font-size: 0.875rem;
    }
    input,
    select {
      font: inherit;
      padding: 10px;
      border-radius: calc(var(--_radius) / 2);
      border: 1px solid var(--_muted);
      background: var(--_surface);
      color: var(--_on-surface);
      min-block-size: 44px;
    }
    [part='level'] {
      inline-size: 100%;
      block-size: 8px;
      margin-block-start: -4px;
    }
    [part='join'] {
      margin-block-start: var(--_gap);
      min-block-size: 48px;
      ${accentPillButton}
      font-weight: 600;
    }
    [part='join']:disabled {
      opacity: 0.6;
      cursor: progress;
    }
    [part='notice'] {
      margin: 0;
      padding: var(--_gap);
      border-radius: calc(var(--_radius) / 2);
      background: var(--_surface-raised);
      border-inline-start: 4px solid var(--un75-warning, #ffb300);
    }
  `,
];
