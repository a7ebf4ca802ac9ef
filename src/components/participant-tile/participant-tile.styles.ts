import { css } from 'lit';
import { tokens } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      position: relative;
      min-inline-size: 0;
      aspect-ratio: 16 / 9;
    }
    [part='base'] {
      position: relative;
      inline-size: 100%;
      block-size: 100%;
      border-radius: var(--_radius);
      overflow: hidden;
      background: var(--_surface-raised);
      outline: 3px solid transparent;
      transition: outline-color 0.15s;
    }
    :host([speaking]) [part='base'] {
      outline-color: var(--_speaking);
    }
    video {
      inline-size: 100%;
      block-size: 100%;
      object-fit: cover;
      display: block;
      background: #000;
    }
    :host([screen]) video {
      object-fit: contain;
    }
    .mirror {
      transform: scaleX(-1);
    }
    .avatar {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
    }
    .avatar span {
      inline-size: 30%;
      aspect-ratio: 1;
      border-radius: 50%;
      display: grid;
      place-items: center;
      background: var(--_accent);
      color: var(--_on-accent);
      font-size: clamp(1rem, 4vw, 2.5rem);
      font-weight: 600;
    }
    /* The labels on the video: name, connection state, interpreter badge. */
    [part='name'],
    [part='state'],
    [part='badge'] {
      position: absolute;
      inset-inline-start: var(--_gap);
      max-inline-size: calc(100% - 2 * var(--_gap));
      padding-inline: 8px;
      border-radius: 999px;
      background: rgb(0 0 0 / 0.6);
      color: #fff;
      font-size: 0.75rem;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    [part='name'] {
      inset-block-end: var(--_gap);
      display: flex;
      align-items: center;
      gap: 4px;
      padding-block: 2px;
      font-size: 0.875rem;
    }
    [part='state'] {
      inset-block-start: var(--_gap);
    }
    [part='badge'] {
      inset-block-end: calc(var(--_gap) + 1.9rem);
      background: var(--un75-interpreter, #5e35b1);
    }
    [part='mic-off'] {
      display: inline-flex;
      color: #ff8a80;
    }
    [part='mic-off'] svg {
      inline-size: 1rem;
      block-size: 1rem;
    }
    /* The pin toggle sits at the top end; the raised hand moves beside it when both show. */
    [part='pin'] {
      position: absolute;
      inset-block-start: var(--_gap);
      inset-inline-end: var(--_gap);
      display: grid;
      place-items: center;
      inline-size: 2rem;
      block-size: 2rem;
      padding: 0;
      border: none;
      border-radius: 50%;
      background: rgb(0 0 0 / 0.6);
      color: #fff;
      cursor: pointer;
      opacity: 0;
      transition: opacity 0.15s;
    }
    [part='pin'] svg {
      inline-size: 1.25rem;
      block-size: 1.25rem;
    }
    /* Shown on hover and keyboard focus, and always while pinned or on touch screens. */
    :host(:hover) [part='pin'],
    [part='pin']:focus-visible,
    [part='pin'][aria-pressed='true'] {
      opacity: 1;
    }
    @media (hover: none) {
      [part='pin'] {
        opacity: 1;
      }
    }
    [part='pin'][aria-pressed='true'] {
      background: var(--_accent);
      color: var(--_on-accent);
    }
    :host([pinnable]) [part='hand'] {
      inset-inline-end: calc(2 * var(--_gap) + 2rem);
    }
    [part='hand'] {
      position: absolute;
      inset-block-start: var(--_gap);
      inset-inline-end: var(--_gap);
      color: #ffd54f;
    }
  `,
];
