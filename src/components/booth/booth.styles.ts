import { css } from 'lit';
import { pillButton, pressedButton, tokens, toolbar } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
    }
    [part='base'] {
      ${toolbar}
      align-items: center;
      border-radius: var(--_radius);
      background: var(--_surface-raised);
      color: var(--_on-surface);
    }
    [part='on-air'] {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      padding-block: 6px;
      padding-inline: 12px;
      border-radius: 999px;
      font-weight: 700;
      background: var(--_surface);
      color: var(--_muted);
    }
    [part='on-air'].live {
      background: var(--un75-on-air, #b71c1c);
      color: #fff;
    }
    [part='on-air'].live::before {
      content: '';
      inline-size: 10px;
      block-size: 10px;
      border-radius: 50%;
      background: #fff;
    }
    button,
    select {
      font: inherit;
      min-block-size: 40px;
      padding-inline: 12px;
      ${pillButton}
      border: 1px solid var(--_muted);
      background: var(--_surface);
      color: var(--_on-surface);
    }
    button[aria-pressed='true'] {
      ${pressedButton}
    }
    label {
      display: inline-flex;
      align-items: center;
      gap: 6px;
    }
  `,
];
