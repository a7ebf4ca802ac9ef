import Peer, { type Instance as SimplePeer, type SignalData } from '../vendor/simple-peer.js';
import { TokenBucket, type Rate } from './budget.js';
import { mark } from './marks.js';
import type { ViewSource } from '../protocol/view.js';
import { applyVideoPlan, planVideoSender, videoShare, type ViewSize } from './view-hints.js';
import { TypedEventTarget } from './typed-event-target.js';
import type { LinkState } from './types.js';

export interface MeshOptions {
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Sends one signal to a peer through the signaling server. */
  sendSignal(to: string, sid: string, data: unknown): void;
  /** The camera and microphone stream; the same object for the whole call (tracks change inside it). */
  localStream: MediaStream;
  /** Total video upload a sender aims to stay within, in bit/s (design §4). */
  uploadBudget?: number;
  /** How long a link may stay `connecting` without progress, in ms (CONNECTING_TIMEOUT_MS). */
  connectingTimeoutMs?: number;
}

/** One video sender's encoding on one link. */
export interface VideoEncoding {
  to: string;
  active: boolean;
  maxBitrate: number;
  scaleResolutionDownBy: number;
}

interface MeshEvents {
  'link-state': CustomEvent<{ id: string; state: LinkState }>;
  /** A data channel to this peer opened (first time or after a rebuild). */
  'link-open': CustomEvent<{ id: string }>;
  data: CustomEvent<{ from: string; data: string }>;
  track: CustomEvent<{ from: string; track: MediaStreamTrack; stream: MediaStream }>;
}

/** ICE `disconnected` for longer than this rebuilds the link (after ICE restarts have had their go). */
export const DISCONNECTED_GRACE_MS = 9000;
/** ICE `disconnected` this long: the initiator restarts ICE (then again after twice as long, jittered). */
export const ICE_RESTART_AFTER_MS = 2000;
const MAX_ICE_RESTARTS = 2;
/**
 * A link still `connecting` that has made no progress for this long (jittered) is given up and
 * rebuilt: no answer to its offer, no candidate, no state change of its peer connection. Doubled per
 * failed attempt with that peer. Progress re-arms it: on a busy machine one negotiation step can
 * take many seconds (a DTLS handshake of 45 s has been seen with eight pages on two loaded cores),
 * and giving up on a link that is getting there only starts it over and adds load for everyone.
 */
export const CONNECTING_TIMEOUT_MS = 20000;
const CONNECTING_TIMEOUT_MAX_MS = 80000;
/** However much progress it makes, a link not connected this long after it was made is rebuilt. */
export const CONNECTING_CEILING_MS = 120000;
/** Rebuilding a dead link: first delay, doubled per failed attempt up to the ceiling, all jittered. */
const REBUILD_BASE_MS = 400;
const REBUILD_MAX_MS = 15000;
/** A non-initiator whose link died waits this long for the initiator to rebuild it, then does it itself. */
const FALLBACK_REBUILD_MS = 8000;

/**
 * A peer that floods us (far over its budget, see PEER_FLOOD_TOLERANCE in budget.ts) loses its link
 * to us for this long, doubled for every further flood up to FLOOD_COOL_DOWN_MAX_MS.
 */
export const FLOOD_COOL_DOWN_MS = 30_000;
export const FLOOD_COOL_DOWN_MAX_MS = 300_000;
/** Signals of the remote's newest link kept during a cool-down, to answer its offer when it ends. */
const HELD_SIGNALS = 32;

/** `ms` scaled by a random factor in [0.75, 1.25): peers that fail together retry apart. */
const jitter = (ms: number): number => Math.round(ms * (0.75 + Math.random() / 2));
/** How long after a change of links or view hints the video senders are set again (see `#applyBitrateCap`). */
const BITRATE_CAP_DELAY_MS = 300;

function newSid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
}

const isOffer = (data: unknown): boolean => (data as SignalData | null)?.type === 'offer';
/** A remote's request that we (the offerer) renegotiate, or add a transceiver for its new track. */
const isRequest = (data: unknown): boolean => ['renegotiate', 'transceiver'].includes(acceptableSignal(data) ?? '');

/**
 * Renegotiations honoured from one remote per link: the other side asks when it starts a screen
 * share or adds a camera it joined without, a few times a meeting at most. Two people starting a
 * share in the same instant take up to five offers and requests in a few seconds.
 */
export const RENEGOTIATE_RATE: Rate = { burst: 8, perSecond: 1 / 5 };
/**
 * A renegotiation over that budget waits for its token instead of being dropped: a dropped offer
 * would leave an honest remote waiting for our answer forever, its share never shown. What waits
 * is bounded: the newest offer and the signals after it, a few requests.
 */
const DEFERRED_SIGNALS = 16;
/** Requests among them: an honest remote has one share and one interpreter channel to ask for at most. */
const DEFERRED_REQUESTS = 2;

/**
 * Transceivers a link may reach through the remote side's requests: ours (audio, video) and theirs
 * (a screen share, an interpreter's channel), with room for those of ended shares not yet gone
 * (an ended share's transceivers are stopped on both sides and its section reused by the next
 * share, see `#unshare`). Past it, requests are refused.
 */
export const MAX_TRANSCEIVERS = 8;

/**
 * Media sections a description from a remote may have: one per transceiver (MAX_TRANSCEIVERS) and
 * the data channel's, with room for sections of stopped transceivers not yet reused. Each one
 * becomes a transceiver, a track event and a section of our answer (about 4 KB each in Chromium): 400
 * of them took the page hundreds of milliseconds and made an answer over the server's frame limit.
 * An honest description stays far below however often its sender shares: ended shares' sections
 * are reused (`#unshare`); audio, camera, data and a share take 5 with the last share's section.
 */
export const MAX_M_LINES = 12;
/**
 * Longest description taken from a remote, in characters. A video section with every codec
 * Chromium 156 offers takes about 5,400, so this holds eight; an honest description with audio,
 * camera, a share and the section of the share before (mesh.test.ts) is under 15,000.
 */
export const MAX_SDP_CHARS = 48 * 1024;
/** Remote candidates kept for a link until its remote description is set. */
const PENDING_CANDIDATES = 64;

/**
 * What a remote may send us: a description (offer or answer) of at most MAX_SDP_CHARS characters
 * and MAX_M_LINES media sections, an ICE candidate, and, to an
 * initiator, a request to renegotiate or to add a transceiver for a track the remote side has
 * added (simple-peer sends one when the answerer starts a screen share: only the offerer can add
 * m-lines). Transceiver requests name only `audio` or `video`; any `init` is ignored. Any other shape
 * is refused before simple-peer sees it.
 */
export function acceptableSignal(data: unknown): 'description' | 'candidate' | 'renegotiate' | 'transceiver' | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const d = data as Record<string, unknown>;
  if ('transceiverRequest' in d) {
    const request = d.transceiverRequest as { kind?: unknown } | null;
    const only = !('sdp' in d) && !('candidate' in d) && !('renegotiate' in d);
    return only && d.type === 'transceiverRequest' && typeof request === 'object' && request !== null && (request.kind === 'audio' || request.kind === 'video')
      ? 'transceiver'
      : undefined;
  }
  if ((d.type === 'offer' || d.type === 'answer') && typeof d.sdp === 'string') {
    return d.sdp.length <= MAX_SDP_CHARS && mLines(d.sdp) <= MAX_M_LINES ? 'description' : undefined;
  }
  if (d.type === 'candidate' && typeof d.candidate === 'object' && d.candidate !== null && !('sdp' in d) && !('renegotiate' in d)) return 'candidate';
  if (d.type === 'renegotiate' && d.renegotiate === true && !('sdp' in d) && !('candidate' in d)) return 'renegotiate';
  return undefined;
}

/** The media sections (m-lines) of a session description. */
export function mLines(sdp: string): number {
  return sdp.match(/^m=/gm)?.length ?? 0;
}

/** A peer we are meant to be linked to. */
interface Member {
  /** We initiate (they were there before us). */
  initiator: boolean;
  /** The next rebuild of a dead link, or the end of a cool-down. */
  rebuildTimer?: ReturnType<typeof setTimeout>;
  failures: number;
  renegotiations: TokenBucket;
  /** Links this peer made with an offer of its own: the first is free, later ones take a renegotiation token. */
  remoteLinks: number;
  /** Times this peer's link was cut for flooding. */
  suspensions: number;
  /** In a cool-down: the signals of the remote's newest link, answered when it ends. */
  held?: { sid: string; signals: unknown[] } | null;
  /** Signals waiting for a renegotiation token, in the order they came, and when the next is due. */
  deferred?: { signals: { sid: string; data: unknown }[]; timer: ReturnType<typeof setTimeout> };
}

/** One simple-peer connection to one remote participant, identified by its session id. */
class Link {
  state: LinkState = 'connecting';
  /** The track that keys our video sender in simple-peer (it stays the key after replaceTrack(…, null)). */
  videoKey: MediaStreamTrack | undefined;
  disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  restartTimer: ReturnType<typeof setTimeout> | undefined;
  connectingTimer: ReturnType<typeof setTimeout> | undefined;
  iceRestarts = 0;
  /** Remote candidates that came before the remote description (added once it is set). */
  candidates: RTCIceCandidateInit[] = [];
  /** Transceivers we (the initiator) added at the remote's request, for tracks of its own (a share). */
  readonly requested = new WeakSet<RTCRtpTransceiver>();
  /** Transceivers of our shares that ended (see `MeshCall.#retire`). */
  readonly ended = new WeakSet<RTCRtpTransceiver>();
  /** Transceivers negotiated to send at least once: the browser never reuses them for a new track. */
  readonly sent = new WeakSet<RTCRtpTransceiver>();
  /** Re-arms the connecting timeout: the link moved forward (see CONNECTING_TIMEOUT_MS). */
  progressed: () => void = () => {};

  constructor(
    readonly remoteId: string,
    readonly sid: string,
    readonly initiator: boolean,
    readonly peer: SimplePeer,
  ) {}

  get pc(): RTCPeerConnection {
    return (this.peer as unknown as { _pc: RTCPeerConnection })._pc;
  }

  destroy() {
    clearTimeout(this.disconnectedTimer);
    clearTimeout(this.restartTimer);
    clearTimeout(this.connectingTimer);
    this.peer.removeAllListeners();
    this.peer.on('error', () => {}); // late errors from a link we no longer care about
    this.peer.destroy();
  }
}

/**
 * A full mesh of peer-to-peer links (design §4). The newcomer initiates to everyone already in the
 * room so two peers never both offer; every signal carries its link's session id (sid), and a
 * signal for a sid we do not know is dropped unless it is a fresh offer that replaces the link.
 * A link whose ICE stays disconnected or fails is rebuilt with a new sid, while signaling may be
 * down: the media between peers does not depend on the server once connected.
 */
export class MeshCall extends TypedEventTarget<MeshEvents> {
  readonly #links = new Map<string, Link>();
  /** Peers we are meant to be linked to, with whether we initiate (we joined after them). */
  readonly #members = new Map<string, Member>();
  #screen: MediaStream | undefined;
  #destroyed = false;
  #capTimer: ReturnType<typeof setTimeout> | undefined;
  #refusedSignals = 0;
  /** Steps of the first link already marked (see marks.ts). */
  readonly #marked = new Set<string>();
  /**
   * Links we initiated whose ICE checks have not started yet (answer in, candidates exchanged,
   * ICE checking pairs), which the newcomer's `joined` waits for, and who waits (see checksStarted).
   */
  readonly #pending = new Set<Link>();
  #waiting: (() => void)[] = [];
  /** What each remote last told us about how it shows our videos (view-hints.ts). */
  readonly #viewHints = new Map<string, Partial<Record<ViewSource, ViewSize | null>>>();

  readonly #options: MeshOptions;

  constructor(
    readonly selfId: string,
    options: MeshOptions,
  ) {
    super();
    this.#options = options;
  }

  /** Links to a peer. `initiate`: we offer (they were there before us). */
  add(remoteId: string, initiate: boolean): void {
    if (this.#destroyed || remoteId === this.selfId) return;
    const known = this.#members.get(remoteId);
    if (known) {
      // Told again (a resumed welcome): keep the link, its retry count and its renegotiation budget.
      known.initiator = initiate;
    } else {
      this.#members.set(remoteId, { initiator: initiate, failures: 0, suspensions: 0, remoteLinks: 0, renegotiations: new TokenBucket(RENEGOTIATE_RATE, performance.now()) });
    }
    const suspended = known?.held !== undefined;
    if (initiate && !suspended && !this.#links.has(remoteId)) this.#createLink(remoteId, newSid(), true);
  }

  /** The peer left the room: close its link for good. */
  remove(remoteId: string): void {
    const member = this.#members.get(remoteId);
    clearTimeout(member?.rebuildTimer);
    this.#dropDeferred(member);
    this.#members.delete(remoteId);
    this.#viewHints.delete(remoteId);
    const link = this.#links.get(remoteId);
    if (link) {
      this.#links.delete(remoteId);
      this.#reached(link);
      link.destroy();
      this.#setState(remoteId, 'closed');
    }
    this.#applyBitrateCap();
  }

  /** A signal relayed by the server from `from` for link `sid`. */
  handleSignal(from: string, sid: string, data: unknown): void {
    const member = this.#members.get(from);
    if (this.#destroyed || !member) return;
    const kind = acceptableSignal(data);
    if (member.held !== undefined) {
      this.#hold(member, sid, data, kind);
      return;
    }
    const link = this.#links.get(from);
    // Renegotiation in any form (a request, a new offer on a live link, a fresh offer replacing the
    // link or making a new one) is budgeted per remote; only the first link the remote offers is not.
    // Without that, a remote whose every link dies (a bad candidate or description) would get a new
    // peer connection for each offer.
    const request = isRequest(data);
    const renegotiation =
      request || (isOffer(data) && (link !== undefined ? link.sid !== sid || link.pc?.remoteDescription != null : member.remoteLinks > 0));
    const full = kind === 'transceiver' && (link?.pc?.getTransceivers().length ?? 0) >= MAX_TRANSCEIVERS;
    if (!kind || (request && !link?.initiator) || full) {
      this.#refusedSignals++;
      return;
    }
    if (member.deferred || (renegotiation && !member.renegotiations.take(performance.now()))) {
      this.#defer(from, member, sid, data);
      return;
    }
    if (kind === 'transceiver') data = { type: 'transceiverRequest', transceiverRequest: { kind: (data as { transceiverRequest: { kind: string } }).transceiverRequest.kind } };
    if (link?.sid === sid) {
      link.progressed();
      this.#feed(link, data);
      return;
    }
    if (!isOffer(data)) return; // a stale signal from a link that has been replaced
    // A fresh offer: the remote side (re)built the link. If we are also offering (both sides rebuilt
    // at once), the lower id keeps its offer.
    if (link?.initiator && this.selfId < from) return;
    if (link) {
      this.#links.delete(from);
      this.#reached(link);
      link.destroy();
    }
    member.remoteLinks++;
    this.#feed(this.#createLink(from, sid, false), data);
  }

  /**
   * Cuts the link to a peer that floods us and keeps it down for a cool-down (`coolDown`, doubled
   * for every further flood of the same peer, at most FLOOD_COOL_DOWN_MAX_MS): its data channel closes, so the
   * messages still on their way are dropped by the browser unread and the sender's own channel
   * stops taking more, and with it go the peer's audio and video to us. Everyone else's links are
   * left alone. During the cool-down the peer's signals are refused, except those of its newest
   * link (an offer and its candidates, a few), which are answered when the cool-down ends; without
   * one, we offer. Returns the cool-down in ms, or 0 if the peer is unknown or already cut off.
   */
  suspend(remoteId: string, coolDown = FLOOD_COOL_DOWN_MS): number {
    const member = this.#members.get(remoteId);
    if (this.#destroyed || !member || member.held !== undefined) return 0;
    const ms = Math.min(FLOOD_COOL_DOWN_MAX_MS, coolDown * 2 ** member.suspensions);
    member.suspensions++;
    member.held = null;
    clearTimeout(member.rebuildTimer);
    this.#dropDeferred(member);
    const link = this.#links.get(remoteId);
    if (link) {
      this.#links.delete(remoteId);
      this.#reached(link);
      link.destroy();
    }
    this.#setState(remoteId, 'reconnecting');
    this.#applyBitrateCap();
    member.rebuildTimer = setTimeout(() => this.#endCoolDown(remoteId), ms);
    return ms;
  }

  /**
   * Queues a signal behind a renegotiation waiting for its token (bounded; a newer offer replaces
   * what waits, as an honest remote never has two offers out), and handles the queue, in order,
   * when the token is there.
   */
  #defer(remoteId: string, member: Member, sid: string, data: unknown) {
    const deferred = (member.deferred ??= {
      signals: [],
      timer: setTimeout(() => {
        const { signals } = member.deferred!;
        delete member.deferred;
        // The first takes the token it waited for; the rest pass or queue again behind a later one.
        for (const { sid, data } of signals) this.handleSignal(remoteId, sid, data);
      }, member.renegotiations.wait(performance.now())),
    });
    const requests = deferred.signals.filter((s) => isRequest(s.data)).length;
    if (isOffer(data)) deferred.signals = [];
    else if (deferred.signals.length >= DEFERRED_SIGNALS || (isRequest(data) && requests >= DEFERRED_REQUESTS)) {
      this.#refusedSignals++;
      return;
    }
    deferred.signals.push({ sid, data });
  }

  #dropDeferred(member: Member | undefined) {
    clearTimeout(member?.deferred?.timer);
    if (member) delete member.deferred;
  }

  /** Keeps the signals of a suspended peer's newest link (bounded); refuses the rest. */
  #hold(member: Member, sid: string, data: unknown, kind: ReturnType<typeof acceptableSignal>) {
    if (kind === 'description' && isOffer(data)) member.held = { sid, signals: [data] };
    else if (kind === 'candidate' && member.held?.sid === sid && member.held.signals.length < HELD_SIGNALS) member.held.signals.push(data);
    else this.#refusedSignals++;
  }

  #endCoolDown(remoteId: string) {
    const member = this.#members.get(remoteId);
    if (this.#destroyed || !member || member.held === undefined) return;
    const held = member.held;
    delete member.held;
    if (this.#links.has(remoteId)) return;
    if (held) for (const data of held.signals) this.handleSignal(remoteId, held.sid, data);
    else this.#createLink(remoteId, newSid(), true);
  }

  /** True while a peer's link is cut for flooding. */
  isSuspended(remoteId: string): boolean {
    return this.#members.get(remoteId)?.held !== undefined;
  }

  #feed(link: Link, data: unknown) {
    if (acceptableSignal(data) === 'candidate') {
      this.#addCandidate(link, (data as { candidate: RTCIceCandidateInit }).candidate);
      return;
    }
    const before = acceptableSignal(data) === 'transceiver' && link.initiator ? new Set(link.pc.getTransceivers()) : undefined;
    try {
      link.peer.signal(data as SignalData);
    } catch (err) {
      console.warn(`un75: dropped a signal from ${link.remoteId}:`, (err as Error).message);
    }
    if (before) for (const transceiver of link.pc.getTransceivers()) if (!before.has(transceiver)) link.requested.add(transceiver);
  }

  /**
   * Adds a remote candidate here rather than through simple-peer, which destroys the whole link when
   * the browser refuses one: a remote could end our link, and have a new one made, with
   * one bad candidate. One the browser refuses is ignored; the others still connect the link. Before
   * the remote description is set, candidates wait (a few) and are added once it is.
   */
  #addCandidate(link: Link, candidate: RTCIceCandidateInit) {
    const pc = link.pc as RTCPeerConnection | null;
    if (!pc || pc.signalingState === 'closed') return;
    // Before the description it belongs to (none yet, or an ICE restart's still waiting for its
    // renegotiation token), a candidate waits: added now it would be refused and lost, and the link
    // would never connect again.
    const ufrag = candidate.usernameFragment;
    if (!pc.remoteDescription || (ufrag && !pc.remoteDescription.sdp.includes(`a=ice-ufrag:${ufrag}\r\n`))) {
      if (link.candidates.length < PENDING_CANDIDATES) link.candidates.push(candidate);
      return;
    }
    try {
      void pc.addIceCandidate(candidate).catch(() => {});
    } catch {
      // a candidate the browser cannot even read: ignored like one it refuses
    }
  }

  #createLink(remoteId: string, sid: string, initiator: boolean): Link {
    const { iceServers, iceTransportPolicy, localStream } = this.#options;
    const streams = [localStream, ...(this.#screen ? [this.#screen] : [])].filter((s) => s.getTracks().length > 0);
    const peer = new Peer({
      initiator,
      trickle: true,
      streams,
      config: { iceServers, ...(iceTransportPolicy ? { iceTransportPolicy } : {}) },
    });
    const link = new Link(remoteId, sid, initiator, peer);
    link.videoKey = localStream.getVideoTracks()[0];
    this.#links.set(remoteId, link);
    if (initiator) this.#pending.add(link);
    this.#setState(remoteId, 'connecting');
    const current = () => this.#links.get(remoteId) === link;
    // Stuck in `connecting` (an offer or answer lost, a dead candidate path): start over. Any
    // signal from the peer for this link or any state change of the connection is progress.
    const failures = this.#members.get(remoteId)?.failures ?? 0;
    const base = this.#options.connectingTimeoutMs ?? CONNECTING_TIMEOUT_MS;
    const stall = jitter(Math.min(Math.max(base, CONNECTING_TIMEOUT_MAX_MS), base * 2 ** failures));
    const giveUpAt = performance.now() + CONNECTING_CEILING_MS;
    link.progressed = () => {
      clearTimeout(link.connectingTimer);
      if (!current() || link.state !== 'connecting') return;
      link.connectingTimer = setTimeout(
        () => {
          if (current() && link.state === 'connecting') {
            console.warn(`un75: link to ${remoteId} still connecting, rebuilding it`);
            this.#linkDied(link);
          }
        },
        Math.max(0, Math.min(stall, giveUpAt - performance.now())),
      );
    };
    link.progressed();
    const pc = link.pc;
    for (const type of ['signalingstatechange', 'iceconnectionstatechange', 'connectionstatechange']) {
      pc.addEventListener(type, () => link.progressed());
    }
    // The answer is in and ICE is checking pairs (checks from the remote side alone can start it
    // before the answer is handled here).
    const checking = () => pc.remoteDescription && pc.iceConnectionState !== 'new' && this.#reached(link);
    pc.addEventListener('iceconnectionstatechange', checking);
    pc.addEventListener('signalingstatechange', checking);
    pc.addEventListener('signalingstatechange', () => pc.signalingState === 'stable' && this.#retire(link));
    pc.addEventListener('signalingstatechange', () => {
      if (!pc.remoteDescription || link.candidates.length === 0) return;
      const waiting = link.candidates;
      link.candidates = [];
      for (const candidate of waiting) this.#addCandidate(link, candidate);
    });

    peer.on('signal', (data: SignalData) => {
      if (!current()) return;
      this.#options.sendSignal(remoteId, sid, data);
      if (data.type === 'offer') this.#markOnce('offer');
    });
    peer.on('connect', () => {
      if (!current()) return;
      this.#markOnce('connected');
      clearTimeout(link.connectingTimer);
      const member = this.#members.get(remoteId);
      if (member) member.failures = 0;
      this.#setState(remoteId, 'connected');
      this.dispatch('link-open', { id: remoteId });
      this.#applyBitrateCap();
    });
    peer.on('negotiated', () => {
      if (!current()) return;
      this.#applyBitrateCap(); // new senders (a screen share)
      // An ICE restart's answer is in and the path holds (the browser need not report a change).
      if (link.state === 'reconnecting' && ['connected', 'completed'].includes(link.pc.iceConnectionState)) this.#pathBack(link);
    });
    peer.on('data', (data: string | Uint8Array) => {
      if (current()) this.dispatch('data', { from: remoteId, data: typeof data === 'string' ? data : new TextDecoder().decode(data) });
    });
    peer.on('track', (track: MediaStreamTrack, stream: MediaStream) => {
      if (!current()) return;
      this.#markOnce('track');
      this.dispatch('track', { from: remoteId, track, stream });
    });
    peer.on('iceStateChange', (iceState: RTCIceConnectionState) => {
      if (!current()) return;
      if (iceState === 'disconnected') {
        if (link.state === 'reconnecting') return; // already counting
        if (link.state !== 'connected') return; // never up: the connecting timeout covers it
        this.#setState(remoteId, 'reconnecting');
        link.iceRestarts = 0;
        link.disconnectedTimer = setTimeout(() => current() && this.#linkDied(link), DISCONNECTED_GRACE_MS);
        this.#scheduleIceRestart(link, ICE_RESTART_AFTER_MS);
      } else if (iceState === 'connected' || iceState === 'completed') {
        this.#pathBack(link);
      }
    });
    peer.on('error', (err: Error & { code?: string }) => {
      if (current()) console.warn(`un75: link to ${remoteId} failed (${err.code ?? err.message})`);
    });
    peer.on('close', () => {
      if (current()) this.#linkDied(link);
    });
    return link;
  }

  /** The link's network path is back: it is connected again, with no restart or rebuild pending. */
  #pathBack(link: Link) {
    clearTimeout(link.disconnectedTimer);
    clearTimeout(link.restartTimer);
    if (link.state === 'reconnecting') this.#setState(link.remoteId, 'connected');
  }

  /**
   * The link's network path went quiet: the initiator asks for fresh ICE candidates over the live
   * connection (the media and data channel stay as they are), up to MAX_ICE_RESTARTS times before
   * the disconnected grace runs out and the link is rebuilt.
   */
  #scheduleIceRestart(link: Link, after: number) {
    clearTimeout(link.restartTimer);
    if (!link.initiator || link.iceRestarts >= MAX_ICE_RESTARTS) return;
    link.restartTimer = setTimeout(() => {
      if (this.#links.get(link.remoteId) !== link || link.state !== 'reconnecting') return;
      link.iceRestarts++;
      try {
        // New ICE credentials on the next offer; simple-peer does not listen for the
        // `negotiationneeded` this raises, so the offer is asked for here.
        link.pc.restartIce();
        (link.peer as SimplePeer & { negotiate(): void }).negotiate(); // public in simple-peer, untyped
      } catch (err) {
        console.warn(`un75: ICE restart to ${link.remoteId} failed:`, (err as Error).message);
      }
      this.#scheduleIceRestart(link, after * 2);
    }, jitter(after));
  }

  /**
   * Resolves once every link we have initiated so far is checking ICE candidate pairs — its offer
   * out, the answer in, candidates exchanged both ways — (or is gone), or after `ceiling` ms. Work
   * that can wait (rendering the call, starting captions) waits for this: it would hold up the
   * page's handling of the answer and the candidates, while the checks and the DTLS handshake
   * that follow run off the page's main thread, beside it.
   */
  checksStarted(ceiling: number): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      timer = setTimeout(done, ceiling);
      this.#waiting.push(done);
    });
  }

  /** The link's ICE checks started, or it is gone. */
  #reached(link: Link) {
    if (!this.#pending.delete(link) || this.#pending.size > 0) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    waiting.forEach((done) => done());
  }

  #markOnce(step: string) {
    if (this.#marked.has(step)) return;
    this.#marked.add(step);
    mark(step);
  }

  /** Rebuilds a dead link if the peer is still in the room. */
  #linkDied(link: Link) {
    const { remoteId } = link;
    this.#links.delete(remoteId);
    this.#reached(link);
    link.destroy();
    const member = this.#members.get(remoteId);
    if (this.#destroyed || !member) return;
    this.#setState(remoteId, 'reconnecting');
    clearTimeout(member.rebuildTimer);
    // Bounded, jittered backoff: each failed attempt doubles the wait (to REBUILD_MAX_MS).
    const backoff = Math.min(REBUILD_MAX_MS, REBUILD_BASE_MS * 2 ** member.failures);
    member.failures = Math.min(member.failures + 1, 10);
    const delay = jitter(member.initiator ? backoff : Math.max(FALLBACK_REBUILD_MS, backoff));
    member.rebuildTimer = setTimeout(() => {
      if (!this.#destroyed && this.#members.has(remoteId) && !this.#links.has(remoteId)) {
        this.#createLink(remoteId, newSid(), true);
      }
    }, delay);
  }

  #setState(id: string, state: LinkState) {
    const link = this.#links.get(id);
    if (link) link.state = state;
    this.dispatch('link-state', { id, state });
  }

  /** Sends text to one connected peer, or to all. Returns the number of peers it went to. */
  send(data: string, to?: string): number {
    let sent = 0;
    for (const link of this.#links.values()) {
      if ((to && link.remoteId !== to) || link.state === 'connecting') continue;
      try {
        link.peer.send(data);
        sent++;
      } catch {
        // the channel closed under us; the link is being rebuilt
      }
    }
    return sent;
  }

  /** Puts a new camera track on every link, or none (camera off) without renegotiation. */
  setVideoTrack(track: MediaStreamTrack | null): void {
    for (const link of this.#links.values()) {
      try {
        if (link.videoKey) {
          link.peer.replaceTrack(link.videoKey, track as MediaStreamTrack, this.#options.localStream);
          if (track) link.videoKey = track;
        } else if (track) {
          // No video sender yet (joined without a camera): add one, which renegotiates.
          link.peer.addTrack(track, this.#options.localStream);
          link.videoKey = track;
        }
      } catch (err) {
        console.warn(`un75: could not change the video track for ${link.remoteId}:`, (err as Error).message);
      }
    }
    this.#applyBitrateCap();
  }

  /** Starts or stops sending a screen share as a second stream (renegotiates through simple-peer). */
  setScreenStream(stream: MediaStream | null): void {
    const previous = this.#screen;
    this.#screen = stream ?? undefined;
    for (const link of this.#links.values()) {
      try {
        if (previous) this.#unshare(link, previous);
        if (stream) link.peer.addStream(stream);
      } catch (err) {
        console.warn(`un75: could not change the screen share for ${link.remoteId}:`, (err as Error).message);
      }
    }
    this.#applyBitrateCap();
  }

  /**
   * Takes a share off a link for good: its senders are removed (simple-peer renegotiates) and their
   * transceivers stopped (`#retire`), so an offer rejects their media sections and the browser
   * reuses them for a later share. A sender that is only removed cannot carry a new track; its section
   * would stay in every later description, about 5 KB each in Chromium, and a few shares later the
   * descriptions would be past what the other side takes from a remote (MAX_M_LINES,
   * MAX_SDP_CHARS), or the transceivers past MAX_TRANSCEIVERS, and the next share never shown.
   */
  #unshare(link: Link, stream: MediaStream) {
    const tracks: MediaStreamTrack[] = stream.getTracks();
    for (const t of link.pc.getTransceivers()) if (t.sender.track !== null && tracks.includes(t.sender.track)) link.ended.add(t);
    link.peer.removeStream(stream);
    this.#retire(link);
  }

  /**
   * Stops the transceivers of ended shares (`#unshare`) once the browser can no longer reuse them,
   * and at every end of a negotiation. Ours: once negotiated to send, the browser never reuses them
   * for a new track; before that, the next share's `addTrack` reuses one, and must: Chromium 156
   * picks a stopping transceiver that never sent for a new track and throws ("The existing
   * transceiver is stopping"), losing that share. The remote's, which we added at its request: the
   * remote stopped its own and its answer says inactive, but only an offer can reject a media
   * section, and only we make offers on this link, so we stop ours.
   */
  #retire(link: Link) {
    for (const t of link.pc.getTransceivers()) {
      if (t.currentDirection === 'sendrecv' || t.currentDirection === 'sendonly') link.sent.add(t);
      const ours = link.ended.has(t);
      const theirs = link.requested.has(t) && t.currentDirection === 'inactive';
      if ((ours || theirs) && link.sent.has(t) && t.sender.track === null && t.direction !== 'stopped') t.stop();
    }
  }

  /**
   * How `remoteId` shows our `source` video: at `size` device pixels, or not at all (null). Its
   * link's sender is scaled, capped or paused to match (validated by the caller).
   */
  setViewHint(remoteId: string, source: ViewSource, size: ViewSize | null): void {
    if (!this.#members.has(remoteId)) return;
    const before = this.#viewHints.get(remoteId)?.[source];
    this.#viewHints.set(remoteId, { ...this.#viewHints.get(remoteId), [source]: size });
    if (before === null && size !== null) {
      // A paused video shown again resumes now, not with the next burst of changes.
      clearTimeout(this.#capTimer);
      this.#capTimer = undefined;
      this.#capBitrates();
    } else this.#applyBitrateCap();
  }

  /**
   * The one place that sets every video sender's encoding (view-hints.ts): the upload budget is
   * shared by the senders that send (with seven others at 2.5 Mbit/s about 360 kbit/s a link, fine
   * for a 360p tile); each link is scaled and capped to the size its receiver shows it at, and
   * paused while the receiver does not show it. No hint from a receiver: its share at full size.
   */
  #applyBitrateCap() {
    // A moment later and once for a burst of changes: reading and setting every sender's parameters
    // costs the page tens of milliseconds, which would sit between a new link and its first frame.
    this.#capTimer ??= setTimeout(() => {
      this.#capTimer = undefined;
      if (!this.#destroyed) this.#capBitrates();
    }, BITRATE_CAP_DELAY_MS);
  }

  #capBitrates() {
    const senders = [...this.#links.values()].flatMap((link) =>
      link.state === 'connected' || link.state === 'reconnecting'
        ? link.pc
            .getSenders()
            .filter((s) => s.track?.kind === 'video')
            .map((sender) => {
              const screen = this.#screen?.getVideoTracks().includes(sender.track!) ?? false;
              return { sender, screen, hint: this.#viewHints.get(link.remoteId)?.[screen ? 'screen' : 'camera'] };
            })
        : [],
    );
    if (senders.length === 0) return;
    const share = videoShare(this.#options.uploadBudget ?? 2_500_000, senders.filter((s) => s.hint !== null).length);
    for (const { sender, screen, hint } of senders) {
      const { width, height } = sender.track!.getSettings();
      const track = width && height ? { width, height } : undefined;
      applyVideoPlan(sender, planVideoSender({ track, hint, share, screen }));
    }
  }

  /** Signals refused from remotes (shapes we never send, renegotiation over budget). */
  get refusedSignals(): number {
    return this.#refusedSignals;
  }

  /** The current per-sender video cap, for tests and diagnostics (see videoEncodings). */
  videoBitrateCaps(): number[] {
    return this.videoEncodings().map((e) => e.maxBitrate);
  }

  /** Each video sender's encoding now in force, per link (tests and diagnostics). */
  videoEncodings(): VideoEncoding[] {
    return [...this.#links.values()].flatMap((link) =>
      link.pc
        ? link.pc
            .getSenders()
            .filter((s) => s.track?.kind === 'video')
            .map((s) => {
              const e = s.getParameters().encodings?.[0];
              return { to: link.remoteId, active: e?.active ?? true, maxBitrate: e?.maxBitrate ?? 0, scaleResolutionDownBy: e?.scaleResolutionDownBy ?? 1 };
            })
        : [],
    );
  }

  /** The statistics of the link to `remoteId` (getStats), if there is one (diagnostics, benchmarks). */
  async linkStats(remoteId: string): Promise<RTCStatsReport | undefined> {
    return this.#links.get(remoteId)?.pc?.getStats();
  }

  destroy(): void {
    this.#destroyed = true;
    clearTimeout(this.#capTimer);
    for (const member of this.#members.values()) {
      clearTimeout(member.rebuildTimer);
      this.#dropDeferred(member);
    }
    for (const link of this.#links.values()) link.destroy();
    this.#links.clear();
    this.#members.clear();
    for (const link of [...this.#pending]) this.#reached(link);
  }
}

let warmedUp = false;

/**
 * Sets up the browser's WebRTC engine before it is needed, when the page is idle: a page's first
 * `RTCPeerConnection` and offer cost 7-25 ms and 5-15 ms in Chromium 156, the next ones 2-3 and
 * 3-6. A peer connection is made, asked for an offer and closed; no description is set, so no
 * candidate is gathered and nothing is sent. Once per page; for a pre-join screen, and for someone
 * alone in a room, whose first peer connection is the answer to the next newcomer.
 */
export function warmUpWebRtc(): void {
  if (warmedUp || typeof RTCPeerConnection === 'undefined') return;
  warmedUp = true;
  const run = async () => {
    let pc: RTCPeerConnection | undefined;
    try {
      pc = new RTCPeerConnection();
      pc.addTransceiver('audio');
      pc.addTransceiver('video');
      await pc.createOffer();
    } catch {
      // a browser that refuses here will say so when it matters, at the real link
    } finally {
      pc?.close();
    }
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => void run(), { timeout: 2000 });
  else setTimeout(() => void run(), 0);
}
