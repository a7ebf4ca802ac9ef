/**
 * Video that degrades instead of freezing (design §4): each receiver tells each sender the size at
 * which it shows that sender's video, and the sender encodes each link for that size: scaled down
 * for a small tile, paused for a hidden one, so the upload budget goes where it is seen.
 *
 * Receiver side: {@link ViewHints} turns the sizes a UI reports into few `view` messages. Sender
 * side: {@link planVideoSender} decides a sender's encoding from the latest hint, and
 * {@link applyVideoPlan} puts it on the RTCRtpSender.
 */
import type { ViewMessage, ViewSource } from '../protocol/view.js';
import { PEER_MESSAGE_RATES, TokenBucket, type Rate } from './budget.js';

/** A video's displayed size in device pixels (CSS pixels × devicePixelRatio). */
export interface ViewSize {
  width: number;
  height: number;
}

/** Sizes reported within this time are sent as one hint (a window being resized). */
export const VIEW_HINT_DEBOUNCE_MS = 300;
/** A shown size changes the hint only if a side grows or shrinks by more than this fraction. */
export const VIEW_HINT_CHANGE = 0.25;
/**
 * The receiver's budget for `view` hints, which the side sending them keeps within itself: a hint
 * waits for a token rather than being dropped over there and leaving the link stale.
 */
const VIEW_RATE: Rate = PEER_MESSAGE_RATES.view!;

/** Whether a new size is worth telling the sender: shown ↔ hidden, or a side changed by > 25 %. */
export function significantViewChange(before: ViewSize | null | undefined, after: ViewSize | null): boolean {
  if (before === undefined) return true;
  if (before === null || after === null) return before !== after;
  const changed = (a: number, b: number) => Math.abs(b - a) > VIEW_HINT_CHANGE * Math.max(a, 1);
  return changed(before.width, after.width) || changed(before.height, after.height);
}

const key = (peer: string, source: ViewSource) => `${source}:${peer}`;

interface Slot {
  peer: string;
  source: ViewSource;
  /** The latest size reported by the UI. */
  wanted: ViewSize | null;
  /** The size last sent to the peer (undefined: nothing sent yet). */
  sent?: ViewSize | null | undefined;
  timer?: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The receiver's side: remembers at what size each remote video is shown, and sends the sender a
 * `view` message when that changes meaningfully, debounced and within the receiver's budget for them.
 */
export class ViewHints {
  readonly #slots = new Map<string, Slot>();
  readonly #buckets = new Map<string, TokenBucket>();
  /** Sends a hint to one peer; returns false if it could not (no open link yet). */
  readonly #send: (peer: string, message: ViewMessage) => boolean;

  constructor(send: (peer: string, message: ViewMessage) => boolean) {
    this.#send = send;
  }

  /** The UI shows `peer`'s `source` at `size` (null: not shown). */
  set(peer: string, size: ViewSize | null, source: ViewSource = 'camera'): void {
    const wanted = size && size.width >= 1 && size.height >= 1 ? { width: Math.round(size.width), height: Math.round(size.height) } : null;
    const k = key(peer, source);
    let slot = this.#slots.get(k);
    if (!slot) this.#slots.set(k, (slot = { peer, source, wanted }));
    slot.wanted = wanted;
    // A video shown again after being hidden is told at once (the sender paused it for us); any
    // other change waits for the burst to end (a window being resized, a tile moved).
    this.#schedule(slot, slot.sent === null && wanted !== null ? 0 : VIEW_HINT_DEBOUNCE_MS);
  }

  /** What the UI last reported for `peer`'s `source` (undefined: nothing). */
  get(peer: string, source: ViewSource = 'camera'): ViewSize | null | undefined {
    return this.#slots.get(key(peer, source))?.wanted;
  }

  /** A link to `peer` (re)opened: its sender starts from scratch, so it hears every hint again. */
  resend(peer: string): void {
    for (const slot of this.#slots.values()) {
      if (slot.peer !== peer) continue;
      slot.sent = undefined;
      this.#schedule(slot, 0);
    }
  }

  forget(peer: string): void {
    for (const [k, slot] of this.#slots) {
      if (slot.peer !== peer) continue;
      clearTimeout(slot.timer);
      this.#slots.delete(k);
    }
    this.#buckets.delete(peer);
  }

  dispose(): void {
    for (const slot of this.#slots.values()) clearTimeout(slot.timer);
    this.#slots.clear();
    this.#buckets.clear();
  }

  #schedule(slot: Slot, delay: number) {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.#flush(slot), delay);
  }

  #flush(slot: Slot) {
    slot.timer = undefined;
    if (this.#slots.get(key(slot.peer, slot.source)) !== slot) return;
    if (!significantViewChange(slot.sent, slot.wanted)) return;
    let bucket = this.#buckets.get(slot.peer);
    const now = performance.now();
    if (!bucket) this.#buckets.set(slot.peer, (bucket = new TokenBucket(VIEW_RATE, now)));
    const wait = bucket.wait(now);
    if (wait > 0) {
      this.#schedule(slot, wait);
      return;
    }
    const { wanted } = slot;
    const message: ViewMessage = { type: 'view', w: wanted?.width ?? 0, h: wanted?.height ?? 0, ...(slot.source === 'screen' ? { source: 'screen' as const } : {}) };
    // Not sent (the link is not open yet): `resend` sends it when it opens.
    if (this.#send(slot.peer, message)) {
      bucket.take(now);
      slot.sent = wanted;
    }
  }
}

/** Video senders share the upload budget within these bounds (design §4). */
export const MIN_VIDEO_BITRATE = 150_000;
export const MAX_VIDEO_BITRATE = 1_500_000;
/** The least a shown (however small) video gets: below it a tile is a smear. */
export const MIN_HINTED_BITRATE = 60_000;
/** Bits per encoded pixel per frame that keep a tile sharp at this size (VP8/H.264 at 30 fps). */
const BITS_PER_PIXEL = 0.1;
const FRAME_RATE = 30;
const MAX_SCALE = 16;

export interface VideoSenderPlan {
  active: boolean;
  maxBitrate: number;
  scaleResolutionDownBy: number;
  degradationPreference: RTCDegradationPreference;
}

export interface VideoSenderInput {
  /** The sender's track size (its settings), if known. */
  track: ViewSize | undefined;
  /** The receiver's latest hint: undefined none yet, null hidden. */
  hint: ViewSize | null | undefined;
  /** This sender's share of the upload budget, bit/s. */
  share: number;
  screen: boolean;
}

/**
 * The encoding of one video sender on one link. No hint yet: the budget share at full size, as
 * before hints existed. A hidden video: paused. A shown one: scaled down (in half steps, never
 * below the shown size) to the tile, with a bitrate that fits its pixels, within the share.
 */
export function planVideoSender({ track, hint, share, screen }: VideoSenderInput): VideoSenderPlan {
  const degradationPreference: RTCDegradationPreference = screen ? 'maintain-resolution' : 'balanced';
  const plan = { active: true, maxBitrate: Math.round(share), scaleResolutionDownBy: 1, degradationPreference };
  if (hint === undefined) return plan;
  if (hint === null) return { ...plan, active: false };
  if (!track || track.width <= 0 || track.height <= 0) return plan;
  // A camera tile crops to fill (object-fit: cover): the side that needs more pixels decides.
  const ratio = Math.min(track.width / hint.width, track.height / hint.height);
  const scale = Math.min(MAX_SCALE, Math.max(1, Math.floor(ratio * 2) / 2));
  const pixels = (track.width / scale) * (track.height / scale);
  const fits = Math.max(MIN_HINTED_BITRATE, pixels * FRAME_RATE * BITS_PER_PIXEL);
  return { ...plan, scaleResolutionDownBy: scale, maxBitrate: Math.round(Math.min(share, fits)) };
}

/** Each sender's share: the budget over the senders that send, within the bounds above. */
export function videoShare(budget: number, activeSenders: number): number {
  return Math.min(MAX_VIDEO_BITRATE, Math.max(MIN_VIDEO_BITRATE, budget / Math.max(1, activeSenders)));
}

/** setParameters calls in flight per sender; a plan made meanwhile is applied after it. */
const pending = new WeakMap<RTCRtpSender, { next: VideoSenderPlan | undefined }>();

/** Puts a plan on a sender (all its encodings), unless it is already there. */
export function applyVideoPlan(sender: RTCRtpSender, plan: VideoSenderPlan): void {
  const busy = pending.get(sender);
  if (busy) {
    busy.next = plan;
    return;
  }
  const parameters = sender.getParameters();
  if (!parameters.encodings?.length) return; // not negotiated yet: applied again once it is
  const same =
    // Not every browser reports the preference back: then the encodings alone tell.
    (parameters.degradationPreference ?? plan.degradationPreference) === plan.degradationPreference &&
    parameters.encodings.every(
      (e) => e.active === plan.active && e.maxBitrate === plan.maxBitrate && (e.scaleResolutionDownBy ?? 1) === plan.scaleResolutionDownBy,
    );
  if (same) return;
  parameters.degradationPreference = plan.degradationPreference;
  for (const e of parameters.encodings) {
    e.active = plan.active;
    e.maxBitrate = plan.maxBitrate;
    e.scaleResolutionDownBy = plan.scaleResolutionDownBy;
  }
  const state = { next: undefined as VideoSenderPlan | undefined };
  pending.set(sender, state);
  sender
    .setParameters(parameters)
    .catch(() => {}) // a closed link; a rebuilt one gets its own plan
    .finally(() => {
      pending.delete(sender);
      if (state.next) applyVideoPlan(sender, state.next);
    });
}
