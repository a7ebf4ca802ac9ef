/**
 * How the call is laid out: `grid` — everyone the same size; `speaker` — one large tile (a pinned
 * tile, else a shared screen, else the active speaker) above a filmstrip of the others; `auto` —
 * the speaker view while a screen is shared or when there are more than `AUTO_SPEAKER_VIEW_ABOVE`
 * people, the grid otherwise.
 */
export const LAYOUTS = ['auto', 'grid', 'speaker'] as const;
export type Layout = (typeof LAYOUTS)[number];

/** Above this many people (interpreters apart) `auto` shows the speaker view: grid tiles get too small. */
export const AUTO_SPEAKER_VIEW_ABOVE = 6;

export const isLayout = (value: unknown): value is Layout => LAYOUTS.includes(value as Layout);
