import { parseCandidate, parseSfuServerMessage, type SfuCandidate, type SfuClientMessage, type SfuServerMessage, type SfuStream } from '../protocol/sfu.js';
import type { CallTransport, CallTransportEvents } from './call-transport.js';
import { TypedEventTarget } from './typed-event-target.js';
import type { LinkState } from './types.js';

export interface SfuCallOptions {
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Camera and microphone, published as they are (tracks come and go with setVideoTrack). */
  localStream: MediaStream;
  /** Sends an SFU frame over the signaling socket. */
  send(message: SfuClientMessage): void;
}

export interface SfuCallEvents extends CallTransportEvents {
  /** A member's stream lost a track (its feed left the subscription). */
  'track-removed': CustomEvent<{ from: string }>;
}

/** Remote candidates kept while a description is not set yet: bounded, like every queue fed from outside. */
const MAX_QUEUED_CANDIDATES = 64;

/**
 * A call through the media server (design §4.1), loaded only in a room whose welcome says `sfu`:
 * camera and microphone go up on one PeerConnection, everyone else's feeds come down on one
 * subscriber PeerConnection that the server re-offers as feeds come and go. Each remote member's
 * tracks are gathered in a MediaStream of their own, handed to the session like the mesh's.
 */
export class SfuCall extends TypedEventTarget<SfuCallEvents> implements CallTransport {
  readonly #options: SfuCallOptions;
  readonly #pub: RTCPeerConnection;
  #sub: RTCPeerConnection | undefined;
  readonly #pending = { pub: [] as SfuCandidate[], sub: [] as SfuCandidate[] };
  /** What the server said each subscriber m-line carries, and where each track was placed. */
  #mids = new Map<string, SfuStream>();
  readonly #placed = new Map<string, { id: string; track: MediaStreamTrack }>();
  readonly #streams = new Map<string, MediaStream>();
  /** Subscriber offers are answered one after the other. */
  #chain: Promise<void> = Promise.resolve();
  #state: LinkState = 'new';
  #closed = false;

  constructor(options: SfuCallOptions) {
    super();
    this.#options = options;
    const config: RTCConfiguration = { iceServers: options.iceServers, bundlePolicy: 'max-bundle' };
    if (options.iceTransportPolicy) config.iceTransportPolicy = options.iceTransportPolicy;
    this.#pub = new RTCPeerConnection(config);
    this.#pub.onicecandidate = (e) => this.#sendCandidate('pub', e.candidate);
  }

  /** Publishes camera and microphone: one audio and one video sender, tracks or not yet. */
  async publish(): Promise<void> {
    const stream = this.#options.localStream;
    for (const kind of ['audio', 'video'] as const) {
      const track = stream.getTracks().find((t) => t.kind === kind);
      this.#pub.addTransceiver(track ?? kind, { direction: 'sendonly', streams: [stream] });
    }
    const offer = await this.#pub.createOffer();
    if (this.#closed) return;
    await this.#pub.setLocalDescription(offer);
    this.#options.send({ type: 'sfu-publish', jsep: { type: 'offer', sdp: this.#pub.localDescription!.sdp } });
  }

  /** An SFU frame from the server: validated here (the signaling client leaves these to this chunk). */
  handle(frame: SfuServerMessage): void {
    if (this.#closed) return;
    let message: SfuServerMessage;
    try {
      message = parseSfuServerMessage(frame as unknown as Record<string, unknown>);
    } catch (err) {
      console.warn('un75: a malformed media server frame was dropped', err);
      return;
    }
    switch (message.type) {
      case 'sfu-answer':
        void this.#pub
          .setRemoteDescription(message.jsep)
          .then(() => this.#flush('pub'))
          .catch((err: unknown) => console.warn('un75: the media server answer was refused', err));
        return;
      case 'sfu-offer':
        this.#chain = this.#chain.then(() => this.#answer(message.jsep.sdp, message.streams)).catch((err: unknown) => console.warn('un75: a media server offer failed', err));
        return;
      case 'sfu-candidate': {
        const pc = message.pc === 'pub' ? this.#pub : this.#sub;
        if (message.candidate === null) return;
        if (!pc?.remoteDescription) {
          const queue = this.#pending[message.pc];
          if (queue.length < MAX_QUEUED_CANDIDATES) queue.push(message.candidate);
          return;
        }
        void pc.addIceCandidate(message.candidate).catch(() => {});
        return;
      }
    }
  }

  setVideoTrack(track: MediaStreamTrack | null): void {
    const sender = this.#pub.getTransceivers().find((t) => t.receiver.track.kind === 'video')?.sender;
    void sender?.replaceTrack(track).catch(() => {});
  }

  /** A member left: its stream is forgotten (the server re-offers without its m-lines). */
  forget(id: string): void {
    this.#streams.delete(id);
    for (const [mid, placed] of this.#placed) if (placed.id === id) this.#placed.delete(mid);
  }

  linkStats(memberId: string): Promise<RTCStatsReport | undefined> {
    if (!this.#streams.has(memberId) || !this.#sub) return Promise.resolve(undefined);
    return this.#sub.getStats();
  }

  /** Both PeerConnections, for diagnostics and tests. */
  get connections(): RTCPeerConnection[] {
    return this.#sub ? [this.#pub, this.#sub] : [this.#pub];
  }

  destroy(): void {
    this.#closed = true;
    this.#pub.close();
    this.#sub?.close();
    this.#streams.clear();
    this.#placed.clear();
  }

  async #answer(sdp: string, streams: SfuStream[]): Promise<void> {
    if (this.#closed) return;
    const sub = (this.#sub ??= this.#subscriber());
    this.#mids = new Map(streams.map((s) => [s.mid, s]));
    await sub.setRemoteDescription({ type: 'offer', sdp });
    const answer = await sub.createAnswer();
    if (this.#closed) return;
    await sub.setLocalDescription(answer);
    this.#options.send({ type: 'sfu-answer', jsep: { type: 'answer', sdp: sub.localDescription!.sdp } });
    this.#flush('sub');
    this.#place();
  }

  #subscriber(): RTCPeerConnection {
    const config: RTCConfiguration = { iceServers: this.#options.iceServers, bundlePolicy: 'max-bundle' };
    if (this.#options.iceTransportPolicy) config.iceTransportPolicy = this.#options.iceTransportPolicy;
    const pc = new RTCPeerConnection(config);
    pc.onicecandidate = (e) => this.#sendCandidate('sub', e.candidate);
    pc.onconnectionstatechange = () => {
      const state = linkState(pc.connectionState);
      if (state === this.#state) return;
      this.#state = state;
      for (const id of this.#streams.keys()) this.#tell(id);
    };
    return pc;
  }

  /**
   * Puts each receiving m-line's track into its member's stream, and takes out the tracks of m-lines
   * that went inactive or now carry someone else (Janus reuses a freed m-line for the next feed).
   */
  #place(): void {
    const sub = this.#sub;
    if (!sub) return;
    const changed = new Set<string>();
    for (const transceiver of sub.getTransceivers()) {
      const mid = transceiver.mid;
      if (mid === null) continue;
      const want = this.#mids.get(mid);
      const placed = this.#placed.get(mid);
      const track = transceiver.receiver.track;
      if (placed && (!want || placed.id !== want.id || placed.track !== track)) {
        this.#streams.get(placed.id)?.removeTrack(placed.track);
        this.#placed.delete(mid);
        changed.add(placed.id);
      }
      if (want && !this.#placed.has(mid)) {
        let stream = this.#streams.get(want.id);
        const fresh = !stream;
        if (!stream) this.#streams.set(want.id, (stream = new MediaStream()));
        stream.addTrack(track);
        this.#placed.set(mid, { id: want.id, track });
        if (fresh) this.#tell(want.id);
        this.dispatch('track', { from: want.id, track, stream });
      }
    }
    for (const id of changed) if (this.#streams.has(id)) this.dispatch('track-removed', { from: id });
  }

  #tell(id: string): void {
    this.dispatch('link-state', { id, state: this.#state });
    if (this.#state === 'connected') this.dispatch('link-open', { id });
  }

  #flush(pc: 'pub' | 'sub'): void {
    const connection = pc === 'pub' ? this.#pub : this.#sub;
    for (const candidate of this.#pending[pc].splice(0)) void connection?.addIceCandidate(candidate).catch(() => {});
  }

  #sendCandidate(pc: 'pub' | 'sub', candidate: RTCIceCandidate | null): void {
    if (this.#closed) return;
    if (!candidate || !candidate.candidate) {
      this.#options.send({ type: 'sfu-candidate', pc, candidate: null });
      return;
    }
    // The same validator as the server's: a candidate it would refuse is not sent.
    let parsed: SfuCandidate | null;
    try {
      parsed = parseCandidate({ candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex });
    } catch {
      return;
    }
    this.#options.send({ type: 'sfu-candidate', pc, candidate: parsed });
  }
}

function linkState(state: RTCPeerConnectionState): LinkState {
  switch (state) {
    case 'connected':
      return 'connected';
    case 'disconnected':
      return 'reconnecting';
    case 'failed':
      return 'failed';
    case 'closed':
      return 'closed';
    default:
      return 'connecting';
  }
}
