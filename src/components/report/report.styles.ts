import { css } from 'lit';
import { controlButton, pressedButton, tokens, visuallyHidden } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: inline-block;
      position: relative;
      color: var(--_on-surface);
      font-family: var(--_font);
    }
    [part~='button'] {
      ${controlButton}
      font: inherit;
    }
    [part~='button']:focus-visible {
      outline: 3px solid var(--un75-focus, #ffbf47);
      outline-offset: 2px;
    }
    [part~='report-button'][aria-expanded='true'] {
      ${pressedButton}
    }
    [part='menu'] {
      position: absolute;
      inset-block-end: calc(100% + 6px);
      inset-inline-start: 0;
      z-index: 2;
      display: flex;
      flex-direction: column;
      align-items: stretch;
      gap: 4px;
      min-inline-size: max-content;
      padding: 6px;
      border-radius: var(--_radius);
      background: var(--_surface-raised);
      box-shadow: 0 4px 16px rgb(0 0 0 / 0.4);
    }
    [part='menu'][hidden] {
      display: none;
    }
    .live {
      ${visuallyHidden}
    }
  `,
];
