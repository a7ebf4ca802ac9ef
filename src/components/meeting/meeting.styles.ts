import { css } from 'lit';
import { accentPillButton, controlButton, countBadge, pressedButton, tokens, visuallyHidden } from '../shared.styles.js';

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
    /* The call and the side panel side by side; on a narrow meeting the panel is a bottom sheet. */
    .body {
      display: flex;
      flex: 1;
      min-block-size: 0;
      gap: var(--_gap);
    }
    [part='stage'] {
      display: flex;
      flex-direction: column;
      gap: var(--_gap);
      flex: 1;
      min-block-size: 0;
      min-inline-size: 0;
      padding: var(--_gap);
    }
    un75-video-grid {
      flex: 1;
      min-block-size: 0;
    }
    /* Captions have a row of their own under the videos: they never hide a face. */
    un75-captions {
      flex: none;
    }
    un75-side-panel[open] {
      flex: none;
      /* Its content scrolls inside: the call's height never depends on how long the lists are. */
      contain: size;
      inline-size: var(--un75-panel-size, 20rem);
      margin-block: var(--_gap);
      margin-inline-end: var(--_gap);
    }
    @container (max-width: 699px) {
      .body {
        flex-direction: column;
        gap: 0;
      }
      un75-side-panel[open] {
        inline-size: auto;
        block-size: 50%;
        min-block-size: 14rem;
        margin-block: 0;
        margin-inline: var(--_gap);
        border-end-start-radius: 0;
        border-end-end-radius: 0;
      }
    }
    /* The agenda: a strip of its own above the call, the question in the reader's language. */
    [part='agenda'] {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0 var(--_gap);
      margin: var(--_gap) var(--_gap) 0;
      padding: 0 var(--_gap);
      border-radius: var(--_radius);
      background: var(--_surface-raised);
      color: var(--_on-surface);
    }
    [part='agenda'] [aria-live] {
      flex: 1 1 60%;
      font-size: 1.15em;
      font-weight: 600;
      margin-block: 0.4em;
    }
    [part='agenda'] .muted {
      color: var(--_muted);
      margin-block: 0.4em;
    }
    [part='agenda'] .notes {
      flex: 1 1 100%;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px var(--_gap);
      margin-block-end: 0.4em;
    }
    [part='agenda-notes'] {
      flex: 1 1 20rem;
      font: inherit;
    }
    /* The polls: under the agenda, above the call; they scroll inside past --un75-polls-max-size. */
    un75-polls,
    un75-ideas {
      flex: none;
      margin: var(--_gap) var(--_gap) 0;
    }
    un75-toasts {
      padding-inline: var(--_gap);
      padding-block-start: var(--_gap);
    }
    .shell-button {
      position: relative;
      ${controlButton}
      font: inherit;
    }
    .shell-button:hover {
      filter: brightness(1.2);
    }
    .shell-button[aria-expanded='true'] {
      ${pressedButton}
    }
    .shell-button .text {
      font-size: 0.875rem;
    }
    .shell-button .badge {
      ${countBadge}
    }
    @media (max-width: 520px) {
      .shell-button .text {
        ${visuallyHidden}
      }
    }
    .shell-button:focus-visible {
      outline: 3px solid var(--un75-focus, #ffbf47);
      outline-offset: 2px;
    }
    .screen h2 {
      margin: 0;
      font-size: 1.25rem;
    }
    .screen p {
      margin: 0;
    }
    [part='waiting'] {
      display: grid;
      place-items: center;
      gap: var(--_gap);
      padding: 3rem 1rem;
      text-align: center;
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
    /* The call rendered while joining (see render): laid out, but neither shown, nor focusable, nor read. */
    .preparing > :not([part='notices'], .joining) {
      visibility: hidden;
    }
    /* The call rendered ahead under the pre-join screen: not even laid out. */
    .ahead > :not([part='notices'], un75-lobby) {
      display: none;
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
