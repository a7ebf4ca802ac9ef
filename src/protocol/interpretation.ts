/**
 * Interpretation channel announcements between peers (design §5.4). An interpreter sends one to
 * every peer whenever what it publishes changes, and to each peer whose data channel opens. They
 * come from another participant's browser: validated before use, and only believed from a member
 * the server lists with the `interpreter` role.
 */
import { LANGUAGE_TAG, MAX_LANGUAGE_TAG_LENGTH, MAX_ID_LENGTH } from './signaling.js';

// A type alias, not an interface, so that it is assignable to the session's PeerMessage.
export type ChannelMessage = {
  type: 'channel';
  /** The language the interpreter speaks into now; `null` while off air (standing by). */
  lang: string | null;
  /** The interpreter's published audio track. */
  trackId: string;
  /** The "cough" key: the channel is live but silent for a moment. */
  muted: boolean;
  /** When the interpreter went on air in `lang` (ms since the epoch). */
  since: number;
  /**
   * A deliberate take-over (the "take over" or "swap" control) rather than going on air on joining:
   * between two take-overs the later wins; a take-over beats a channel held since joining; between
   * two claims made on joining the earlier stays.
   */
  takeover: boolean;
};

export class ChannelMessageError extends Error {
  override name = 'ChannelMessageError';
}

/** Validates an announcement received from a peer; throws {@link ChannelMessageError}. */
export function parseChannelMessage(value: Record<string, unknown>): ChannelMessage {
  const { lang, trackId, muted, since, takeover } = value;
  if (lang !== null && (typeof lang !== 'string' || lang.length > MAX_LANGUAGE_TAG_LENGTH || !LANGUAGE_TAG.test(lang))) {
    throw new ChannelMessageError('"lang" must be a language tag or null');
  }
  if (typeof trackId !== 'string' || trackId.length === 0 || trackId.length > MAX_ID_LENGTH * 2) {
    throw new ChannelMessageError('"trackId" must be a short string');
  }
  if (typeof muted !== 'boolean') throw new ChannelMessageError('"muted" must be true or false');
  if (typeof since !== 'number' || !Number.isFinite(since) || since < 0) throw new ChannelMessageError('"since" must be a time');
  if (typeof takeover !== 'boolean') throw new ChannelMessageError('"takeover" must be true or false');
  return { type: 'channel', lang, trackId, muted, since, takeover };
}
