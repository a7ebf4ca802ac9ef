/**
 * View hints between peers: a receiver tells a sender at what size it shows that sender's video
 * (device pixels), or that it does not show it at all (0 × 0), so the sender can scale that link's
 * encoding down or pause it. They come from another participant's browser: validated before use.
 */

/** Which of the sender's videos a hint is about. */
export const VIEW_SOURCES = ['camera', 'screen'] as const;
export type ViewSource = (typeof VIEW_SOURCES)[number];

/** Larger than any screen a tile is drawn on (8K is 7680 px wide). */
export const MAX_VIEW_PIXELS = 16384;

// A type alias, not an interface, so that it is assignable to the session's PeerMessage.
export type ViewMessage = {
  type: 'view';
  /** Width and height at which the video is shown, in device pixels; both 0 while it is not shown. */
  w: number;
  h: number;
  /** Absent means the camera. */
  source?: ViewSource;
};

export class ViewMessageError extends Error {
  override name = 'ViewMessageError';
}

const dimension = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_VIEW_PIXELS;

/** Validates a view hint received from a peer; throws {@link ViewMessageError}. */
export function parseViewMessage(value: Record<string, unknown>): ViewMessage {
  const { w, h, source } = value;
  if (!dimension(w) || !dimension(h)) throw new ViewMessageError(`"w" and "h" must be whole numbers from 0 to ${MAX_VIEW_PIXELS}`);
  if ((w === 0) !== (h === 0)) throw new ViewMessageError('"w" and "h" must both be 0 (hidden) or both be positive');
  if (source !== undefined && !VIEW_SOURCES.includes(source as ViewSource)) throw new ViewMessageError('"source" must be "camera" or "screen"');
  return source === undefined || source === 'camera' ? { type: 'view', w, h } : { type: 'view', w, h, source: 'screen' };
}
