import { css } from 'lit';
import { tokens } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    /* The speakers' grid takes the room left by the interpreters' strip and the waiting note. */
    :host {
      display: flex;
      flex-direction: column;
      min-block-size: 0;
    }
    /* Columns of the width that fits every tile in the room there is (fitTiles). */
    [part='base'] {
      flex: 1;
      min-block-size: 0;
      display: grid;
      gap: var(--_gap);
      align-content: center;
      justify-content: center;
      grid-template-columns: repeat(var(--_columns, 1), var(--_tile, minmax(0, 1fr)));
    }
    [part='interpreters'] {
      flex: none;
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
