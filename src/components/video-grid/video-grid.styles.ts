import { css } from 'lit';
import { tokens } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      min-block-size: 0;
    }
    [part='base'] {
      display: grid;
      gap: var(--_gap);
      block-size: 100%;
      align-content: center;
      grid-template-columns: repeat(var(--_columns, 1), minmax(0, 1fr));
    }
    [part='interpreters'] {
      display: flex;
      flex-wrap: wrap;
      justify-content: center;
      gap: var(--_gap);
      margin-block-start: var(--_gap);
    }
    [part='interpreters'] un75-participant-tile {
      inline-size: min(11rem, 40%);
    }
    .waiting {
      margin: 0;
      padding: 1rem;
      text-align: center;
      color: var(--_muted);
    }
  `,
];
