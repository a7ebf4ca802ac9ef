import { css } from 'lit';
import { controlButton, pressedButton, tokens, toolbar, visuallyHidden } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
    }
    [part='base'] {
      ${toolbar}
    }
    [part~='button'] {
      ${controlButton}
    }
    [part~='button']:hover {
      filter: brightness(1.2);
    }
    [part~='button'][aria-pressed='false'].inverted,
    [part~='button'][aria-pressed='true']:not(.inverted) {
      ${pressedButton}
    }
    [part~='button'].inverted[aria-pressed='false'] {
      background: var(--_danger);
      color: #fff;
    }
    [part~='leave'] {
      background: var(--_danger);
      color: #fff;
    }
    [part~='button']:disabled {
      opacity: 0.5;
      cursor: not-allowed;
    }
    .text {
      font-size: 0.875rem;
    }
    @media (max-width: 520px) {
      .text {
        ${visuallyHidden}
      }
    }
  `,
];
