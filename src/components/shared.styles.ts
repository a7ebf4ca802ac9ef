import { css } from 'lit';

/*
 * Declaration blocks shared by several elements. These are not stylesheets: each is interpolated
 * inside a rule of an element's own stylesheet (`[part~='button'] { ${pillButton} }`), so every
 * element keeps its own selectors, parts and class names while the declarations live here once.
 */

/** Read by screen readers, not painted. */
export const visuallyHidden = css`
  position: absolute;
  inline-size: 1px;
  block-size: 1px;
  overflow: hidden;
  clip-path: inset(50%);
  white-space: nowrap;
`;

/** A round-ended button. Put colours and sizes after it in the rule. */
export const pillButton = css`
  border: 0;
  border-radius: 999px;
  cursor: pointer;
`;

/** The one main action of a panel: a pill in the accent colour. */
export const accentPillButton = css`
  ${pillButton}
  background: var(--_accent);
  color: var(--_on-accent);
`;

/** A button of the call's control bar: a pill at least 44 px square, on the raised surface. */
export const controlButton = css`
  display: inline-flex;
  align-items: center;
  gap: 6px;
  min-block-size: 44px;
  min-inline-size: 44px;
  padding-block: 8px;
  padding-inline: 14px;
  ${pillButton}
  background: var(--_surface-raised);
  color: var(--_on-surface);
`;

/** A small count on a button or a tab (unread messages, people waiting). */
export const countBadge = css`
  min-inline-size: 1.4em;
  padding-inline: 4px;
  border-radius: 999px;
  background: var(--_danger);
  color: #fff;
  font-size: 0.75rem;
`;

/** A toggle button that is on (aria-pressed='true'). */
export const pressedButton = css`
  background: var(--_accent);
  color: var(--_on-accent);
  border-color: transparent;
`;

/** A centred, wrapping row of buttons. */
export const toolbar = css`
  display: flex;
  flex-wrap: wrap;
  justify-content: center;
  gap: var(--_gap);
  padding: var(--_gap);
`;

/**
 * Design tokens every element reads. Each has a default here and can be set by the host page on
 * any ancestor (`un75-meeting { --un75-accent: #c00 }`), since custom properties inherit into
 * shadow roots.
 */
export const tokens = css`
  :host {
    --_accent: var(--un75-accent, #0b5cad);
    --_on-accent: var(--un75-on-accent, #ffffff);
    --_surface: var(--un75-surface, #14181f);
    --_surface-raised: var(--un75-surface-raised, #232a35);
    --_on-surface: var(--un75-on-surface, #f3f5f8);
    --_muted: var(--un75-muted, #aab3c0);
    --_danger: var(--un75-danger, #c62828);
    --_speaking: var(--un75-speaking, #3ddc84);
    --_radius: var(--un75-radius, 12px);
    --_gap: var(--un75-gap, 8px);
    --_font: var(--un75-font, system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans Arabic', 'Noto Sans SC', sans-serif);
    font-family: var(--_font);
    color: var(--_on-surface);
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  [hidden] {
    display: none !important;
  }
  .visually-hidden {
    ${visuallyHidden}
  }
  button {
    font: inherit;
  }
  :focus-visible {
    outline: 3px solid var(--un75-focus, #ffbf47);
    outline-offset: 2px;
  }
`;
