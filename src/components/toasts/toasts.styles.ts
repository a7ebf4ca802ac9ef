import { css } from 'lit';
import { accentPillButton, pillButton, tokens } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
    }
    [part='base'] {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 4px;
    }
    .toast {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
      max-inline-size: min(36rem, 100%);
      padding-block: 4px;
      padding-inline: 12px 4px;
      border-radius: calc(var(--_radius) / 2);
      background: var(--_surface-raised);
      border-inline-start: 4px solid var(--_accent);
    }
    .toast.error {
      border-inline-start-color: var(--un75-warning, #ffb300);
    }
    .text {
      flex: 1;
      overflow-wrap: anywhere;
    }
    [part~='button'] {
      min-block-size: 36px;
      min-inline-size: 36px;
      padding-inline: 10px;
      ${pillButton}
      background: none;
      color: var(--_on-surface);
      font: inherit;
    }
    [part~='button'].accent {
      ${accentPillButton}
    }
    :focus-visible {
      outline: 3px solid var(--un75-focus, #ffbf47);
      outline-offset: 2px;
    }
  `,
];
