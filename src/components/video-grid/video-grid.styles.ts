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
    /* The speaker view: the large tile takes the room the filmstrip leaves. */
    [part~='speaker-view'] {
      flex: 1;
      min-block-size: 0;
      display: flex;
      flex-direction: column;
      gap: var(--_gap);
    }
    [part='main-view'] {
      flex: 1;
      min-block-size: 0;
      display: grid;
      place-items: center;
      container-type: size;
    }
    /* As large as the main view allows at 16:9 (a screen inside it is letterboxed, never cropped). */
    [part='main-view'] un75-participant-tile {
      inline-size: min(100cqi, 100cqb * 16 / 9);
    }
    /* One row along the inline axis (it mirrors in right-to-left), scrolling when it is full. */
    [part='filmstrip'] {
      flex: none;
      display: flex;
      gap: var(--_gap);
      justify-content: safe center;
      overflow-x: auto;
      overflow-inline: auto;
      overflow-y: hidden;
      overflow-block: hidden;
      padding-block-end: 4px;
      scroll-snap-type: inline proximity;
    }
    [part='filmstrip'] un75-participant-tile {
      flex: none;
      inline-size: clamp(6.5rem, 18vw, 11rem);
      scroll-snap-align: start;
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
