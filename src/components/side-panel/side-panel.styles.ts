import { css } from 'lit';
import { accentPillButton, countBadge, pillButton, pressedButton, tokens, visuallyHidden } from '../shared.styles.js';

export const styles = [
  tokens,
  css`
    :host {
      display: flex;
      flex-direction: column;
      min-block-size: 0;
      background: var(--_surface-raised);
      border-radius: var(--_radius);
    }
    /* Closed, it keeps only its screen-reader announcements. */
    :host(:not([open])) {
      ${visuallyHidden}
    }
    [part='base'] {
      display: flex;
      flex-direction: column;
      flex: 1;
      min-block-size: 0;
    }
    .head {
      display: flex;
      align-items: center;
      gap: var(--_gap);
      padding-inline: var(--_gap);
      border-block-end: 1px solid color-mix(in srgb, var(--_on-surface) 20%, transparent);
    }
    [part='tabs'] {
      display: flex;
      flex: 1;
      min-inline-size: 0;
    }
    [part='tab'] {
      flex: 1;
      min-block-size: 44px;
      padding-inline: 6px;
      border: 0;
      border-block-end: 3px solid transparent;
      background: none;
      color: var(--_muted);
      font: inherit;
      cursor: pointer;
    }
    [part='tab'][aria-selected='true'] {
      color: var(--_on-surface);
      border-block-end-color: var(--_accent);
    }
    .badge {
      display: inline-block;
      ${countBadge}
    }
    [part='tabpanel'] {
      flex: 1;
      min-block-size: 0;
      overflow: auto;
      padding: var(--_gap);
      display: flex;
      flex-direction: column;
      gap: var(--_gap);
    }
    h3 {
      margin: 0;
      font-size: 0.875rem;
      color: var(--_muted);
      font-weight: 600;
    }
    ul,
    ol {
      margin: 0;
      padding: 0;
      list-style: none;
      display: grid;
      gap: 4px;
    }
    .person {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px;
      padding-block: 4px;
    }
    .name {
      flex: 1;
      min-inline-size: 6rem;
      overflow-wrap: anywhere;
    }
    .role {
      font-size: 0.75rem;
      color: var(--_muted);
    }
    .icon {
      display: inline-flex;
      inline-size: 20px;
      block-size: 20px;
    }
    .icon svg {
      inline-size: 100%;
      block-size: 100%;
    }
    .more {
      flex-basis: 100%;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
      padding-block-start: 6px;
    }
    [part~='button'] {
      min-block-size: 36px;
      padding-block: 4px;
      padding-inline: 12px;
      ${pillButton}
      background: var(--_surface);
      color: var(--_on-surface);
      font: inherit;
      font-size: 0.875rem;
    }
    summary[part~='button'] {
      display: inline-flex;
      align-items: center;
      list-style: none;
    }
    [part~='close'] {
      min-inline-size: 44px;
      min-block-size: 44px;
      background: none;
    }
    [part~='button'][aria-pressed='true'] {
      ${pressedButton}
    }
    [part~='button'].accent {
      ${accentPillButton}
    }
    [part~='button'].danger {
      background: var(--_danger);
      color: #fff;
    }
    [part~='button'].link {
      min-block-size: 24px;
      padding: 0;
      background: none;
      color: var(--_on-surface);
      text-decoration: underline;
    }
    [part~='button'].link[aria-pressed='true'] {
      background: none;
      color: var(--_on-surface);
    }
    [part~='button']:disabled {
      opacity: 0.5;
      cursor: not-allowed;
    }
    :focus-visible {
      outline: 3px solid var(--un75-focus, #ffbf47);
      outline-offset: 2px;
    }
    .messages {
      flex: 1;
      overflow: auto;
      gap: var(--_gap);
    }
    .message {
      padding: 6px 10px;
      border-radius: calc(var(--_radius) / 2);
      background: var(--_surface);
    }
    .meta {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
      font-size: 0.75rem;
      color: var(--_muted);
    }
    .meta .name {
      font-weight: 600;
      color: var(--_on-surface);
      flex: 0 1 auto;
      min-inline-size: 0;
    }
    .text {
      margin: 2px 0;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .label {
      font-style: italic;
    }
    /* A relayed history entry: set apart from what its writer sent, since the relayer could have written it. */
    .message.relayed {
      border-inline-start: 3px solid var(--_muted);
    }
    .label.relayed {
      margin: 0;
      font-size: 0.75rem;
      color: var(--_muted);
    }
    .empty {
      color: var(--_muted);
    }
    .compose {
      display: grid;
      grid-template-columns: 1fr auto;
      gap: 6px;
      align-items: end;
    }
    textarea {
      resize: none;
      min-inline-size: 0;
      padding: 6px 8px;
      border-radius: calc(var(--_radius) / 2);
      border: 1px solid var(--_muted);
      background: var(--_surface);
      color: var(--_on-surface);
      font: inherit;
    }
    .counter {
      grid-column: 1 / -1;
      margin: 0;
      font-size: 0.75rem;
      color: var(--_muted);
    }
    .transcript {
      display: grid;
      gap: var(--_gap);
      justify-items: start;
    }
    select {
      min-block-size: 36px;
      background: var(--_surface);
      color: var(--_on-surface);
      border: 1px solid var(--_muted);
      border-radius: calc(var(--_radius) / 2);
      font: inherit;
    }
  `,
];
