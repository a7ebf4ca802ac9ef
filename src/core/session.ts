import type { AsrOffer } from '../protocol/asr.js';
import type { AgendaItem, AgendaState } from '../protocol/agenda.js';
import type { Idea, IdeaVote } from '../protocol/ideas.js';
import { POLL_TEMPLATE_IDS, type Poll, type PollAnswer, type PollView } from '../protocol/polls.js';
import type { DialogueReport } from '../protocol/report.js';
import { cleanName, MAX_PEER_MESSAGE_BYTES, type CallMode, type ClientMessage, type PeerInfo, type Role, type ServerMessage, type StateUpdate, type WaitingPerson } from '../protocol/signaling.js';
import type { SfuServerMessage } from '../protocol/sfu.js';
import { AudioRouter } from './audio-router.js';
import { PeerBudget, type PeerStats } from './budget.js';
import { acquireCamera, acquireLocalMedia, SpeakingDetector, stopStream, type LocalMedia, type MediaProblem } from './media.js';
import { mark } from './marks.js';
import { MeshCall, warmUpWebRtc, type VideoEncoding } from './mesh.js';
import type { SfuCall } from './sfu.js';
import { SignalingClient, SignalingError, type SignalingState, type Welcome } from './signaling-client.js';
import { TypedEventTarget } from './typed-event-target.js';
import { parseViewMessage, type ViewSource } from '../protocol/view.js';
import { ViewHints, type ViewSize } from './view-hints.js';
import type { LinkState, Participant, PeerMessage, PeerMessageDetail, PeerMessaging } from './types.js';

export interface SessionOptions {
  signalingUrl: string;
  room: string;
  name: string;
  token?: string | undefined;
  role?: Role;
  spokenLanguage: string;
  micEnabled: boolean;
  cameraEnabled: boolean;
  audioDeviceId?: string | undefined;
  videoDeviceId?: string | undefined;
  /**
   * Media already acquired (the pre-join preview), or being acquired (the element starts the camera
   * while the call engine loads); the session takes ownership of it, and of what the promise brings.
   */
  localMedia?: LocalMedia | Promise<LocalMedia> | undefined;
  /** `relay` forces TURN, for networks that need it and for tests. */
  iceTransportPolicy?: RTCIceTransportPolicy | undefined;
  uploadBudget?: number | undefined;
}

export interface SessionStats extends PeerStats {
  refusedSignals: number;
  /** Times a peer's link was cut for a cool-down because it flooded us. */
  cutOff: number;
  /** Peer messages the server refused to relay (rooms on the media server: over budget, a member gone). */
  relayRefused: number;
}

export type SessionState = 'idle' | 'joining' | 'joined' | 'reconnecting' | 'left';
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface RemoteStreams {
  camera?: MediaStream;
  screen?: MediaStream;
}

export interface SessionErrorDetail {
  code: string;
  message: string;
}

/** A poll as this member knows it (design §8): as the server describes it, and this member's own ballot. */
export interface MeetingPoll extends PollView {
  /** What this member voted, as the server took it (this page's ballots only). */
  ballot?: PollAnswer;
}

/** An idea as this member knows it (design §8): as the server describes it, and this member's own vote. */
export interface MeetingIdea extends Idea {
  /** What this member voted, as the server took it (this page's votes only): 1 agree, 0 pass, -1 disagree. */
  vote?: IdeaVote;
}

/** A poll as a host writes it: the server names it when it has no id; `results` defaults to `live`. */
export type NewPoll = Omit<Poll, 'id' | 'results'> & { id?: string; results?: Poll['results'] };

/**
 * A poll request the server refused (`code`: its error code, e.g. `forbidden`, `rate-limited`,
 * `bad-message`), or that got no answer (`unreachable`).
 */
export class PollRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PollRequestError';
  }
}

/** How long a poll request waits for the server's answer before it is taken as lost. */
const POLL_ANSWER_MS = 20_000;

/** A poll request waiting for its answer: the `poll` frame it causes, or `poll-voted`. */
interface PollRequest {
  /**
   * What settles it: the poll `id` reaching `state`, or (`voted`) the server's acknowledgement; for
   * ideas (`idea-ok`) the server's acknowledgement of idea `id` (`*`: a new idea, whose id it names);
   * a `report` frame; notes on item `id` kept.
   */
  id: string;
  until: 'prepared' | 'open' | 'closed' | 'voted' | 'idea-ok' | 'report' | 'note';
  resolve: (value?: unknown) => void;
  reject: (err: PollRequestError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface SessionEvents {
  joined: CustomEvent<{ selfId: string }>;
  left: CustomEvent<{ reason: string }>;
  'participant-joined': CustomEvent<{ participant: Participant }>;
  'participant-left': CustomEvent<{ participant: Participant; reason: string }>;
  'participant-updated': CustomEvent<{ participant: Participant }>;
  /** A participant's streams changed (a track arrived, a screen share started or ended). */
  streams: CustomEvent<{ id: string }>;
  speaking: CustomEvent<{ id: string; speaking: boolean }>;
  'connection-state': CustomEvent<{ state: ConnectionState }>;
  'local-media': CustomEvent<{ problem: MediaProblem | undefined }>;
  error: CustomEvent<SessionErrorDetail>;
  'peer-message': CustomEvent<PeerMessageDetail>;
  'peer-connected': CustomEvent<{ id: string }>;
  /** The room is locked: we wait for a host to admit us (`joined`) or deny us (`left` `{ reason: 'denied' }`). */
  'waiting-room': CustomEvent<{ room: string }>;
  /** Hosts: who waits to be let in changed. */
  'waiting-change': CustomEvent<{ waiting: WaitingPerson[] }>;
  /** A host locked the room or opened it again. */
  'lock-change': CustomEvent<{ locked: boolean }>;
  /** A host asks us to mute the microphone; nothing is muted by itself. */
  'mute-requested': CustomEvent<{ by: string; name: string }>;
  /** Our own role changed (a host granted or took it away, or we became host when the last one left). */
  'role-change': CustomEvent<{ role: Role }>;
  /** The room's agenda was set or moved on (design §8). */
  'agenda-change': CustomEvent<{ agenda: AgendaState | undefined }>;
  /** A poll was prepared (hosts), opened or closed, its counts changed, or this member's ballot was taken. */
  poll: CustomEvent<MeetingPoll>;
  /** An idea arrived or changed (translations, counts, hidden, merged), or this member's vote was taken. `gone`: a host hid it. */
  idea: CustomEvent<{ idea: MeetingIdea; gone?: true }>;
  /** The call's media changed transport: `sfu` when the welcome puts us on the room's media server (design §4.1). */
  'mode-change': CustomEvent<{ mode: CallMode }>;
  /** Hosts: the dialogue ended and this is its final report (once per report). */
  'report-ready': CustomEvent<{ report: DialogueReport }>;
  /** Hosts: notes on an agenda question were kept by the server (as it cleaned them). */
  'agenda-note': CustomEvent<{ item: string; text: string }>;
}

/** Data-channel messages the session handles itself; other types go to feature modules. */
interface ScreenMessage extends PeerMessage {
  type: 'screen';
  streamId: string | null;
}

/** Server frames kept while joining (the room cap is small: this is many times what a join brings). */
const MAX_HELD_FRAMES = 256;
/**
 * Peer messages kept while the signaling socket reconnects in a room on the media server (they go
 * through it), sent when it is back: a chat message typed during a network change is not lost.
 * Bounded: at most this many, and MAX_PEER_MESSAGE_BYTES × 4 characters.
 */
const MAX_RELAY_OUTBOX = 64;
const SELF_SPEAKING_FALLBACK_MS = 1500;
/** How long after a link opens its level meters are built (see `#meterSoon`). */
const METER_DELAY_MS = 400;
/**
 * How long `joined` waits at most for the first links to be checking ICE pairs (offer out, answer in,
 * candidates exchanged): a peer slow to answer delays the call's display by this much at most.
 */
const FIRST_EXCHANGE_CEILING_MS = 1500;

/**
 * One person's part in one meeting: local media, the signaling connection and the mesh of links
 * to everyone else, and the participant list that the elements render. Plain TypeScript, no DOM
 * element: it can be driven and tested on its own.
 */
export class MeetingSession extends TypedEventTarget<SessionEvents> implements PeerMessaging {
  #signaling: SignalingClient;
  #mesh: MeshCall | undefined;
  /** In a room on the media server (welcome `mode: 'sfu'`, design §4.1): its transport, loaded on demand. */
  #sfu: SfuCall | undefined;
  /** SFU frames that came while sfu.js was loading. */
  #sfuInbox: SfuServerMessage[] | undefined;
  #sfuGeneration = 0;
  #mode: CallMode = 'mesh';
  readonly #people = new Map<string, Participant>();
  readonly #remoteStreams = new Map<string, RemoteStreams>();
  readonly #screenIds = new Map<string, string>();
  readonly #detectors = new Map<string, SpeakingDetector>();
  readonly #speakingIds = new Set<string>();
  /** Every data-channel message passes this budget before any feature module sees it. */
  readonly #budget = new PeerBudget();
  #cutOff = 0;
  #relayRefused = 0;
  readonly #relayOutbox: { to?: string; data: string }[] = [];
  #relayOutboxChars = 0;
  /** How this page shows each remote video, told to its sender (view-hints.ts). */
  // Only a mesh scales its video per receiver: through the media server everyone gets the same video.
  readonly #viewHints = new ViewHints((peer, message) => this.#mode === 'mesh' && this.sendToPeers(message, peer) > 0);
  /** Signals refused by meshes replaced since (a resume as a newcomer starts a new mesh). */
  #refusedSignals = 0;
  #screen: MediaStream | undefined;
  #state: SessionState = 'idle';
  #selfSpeakingTimer: ReturnType<typeof setTimeout> | undefined;
  /** Links opened whose level meters wait for `#meterTimer` (see `#meterSoon`). */
  readonly #pendingMeters = new Set<string>();
  #meterTimer: ReturnType<typeof setTimeout> | undefined;
  /** Server frames that came while joining, before we could act on them. */
  #held: ServerMessage[] | undefined;
  #problem: MediaProblem | undefined;
  /** Who waits to be let in (hosts only), as the server last said. */
  #waiting: WaitingPerson[] = [];
  #locked = false;
  #isWaiting = false;
  /** Server speech recognition as the welcome offered it, and whether its token was taken. */
  #asr: { offer: AsrOffer; language: string; used: boolean } | undefined;
  readonly #asrWaiters: ((token: string | undefined) => void)[] = [];
  #agenda: AgendaState | undefined;
  /** The room's polls as the server last said, in the order it listed or opened them. */
  readonly #polls = new Map<string, MeetingPoll>();
  /** The room's ideas as the server last said (hosts: hidden ones too). */
  readonly #ideas = new Map<string, MeetingIdea>();
  /** Hosts: the notes this page wrote per agenda question, as the server kept them. */
  readonly #notes = new Map<string, string>();
  /** The reportId of the last final report told (`report-ready` once per report). */
  #finalReport: string | undefined;
  /**
   * Poll requests in the order they were sent. The server handles one connection's frames in order
   * and answers a refused one with an `error` frame (which names no request): an error that comes
   * while requests wait belongs to the oldest of them.
   */
  readonly #pollRequests: PollRequest[] = [];
  readonly localStream: MediaStream;
  /** Plays the others' voices; feature modules (interpretation) set how loud each one is. */
  readonly audio: AudioRouter;

  readonly #options: SessionOptions;

  constructor(options: SessionOptions) {
    super();
    this.#options = options;
    this.audio = new AudioRouter(this);
    this.#signaling = new SignalingClient(options.signalingUrl);
    const ready = options.localMedia instanceof Promise ? undefined : options.localMedia;
    this.localStream = ready?.stream ?? new MediaStream();
    this.#problem = ready?.problem;
    this.#signaling.on('message', (e) => this.#onServerMessage(e.detail));
    this.#signaling.on('state', (e) => this.#onSignalingState(e.detail.state));
    this.#signaling.on('resumed-as-new', (e) => this.#restartAsNewcomer(e.detail));
    this.#signaling.on('waiting', (e) => {
      if (this.#state !== 'joining') return;
      this.#isWaiting = true;
      this.dispatch('waiting-room', { room: e.detail.room });
    });
  }

  /** How this call's media travels: peer to peer, or through the room's media server (design §4.1). */
  get mode(): CallMode {
    return this.#mode;
  }

  /** The PeerConnections of a call through the media server (diagnostics and tests); empty in a mesh. */
  get mediaServerConnections(): RTCPeerConnection[] {
    return this.#sfu?.connections ?? [];
  }

  /** Hosts: who waits in the waiting room to be let in (a copy). Empty for anyone else. */
  get waiting(): WaitingPerson[] {
    return this.#waiting.map((w) => ({ ...w }));
  }

  /** Whether a host locked the room (newcomers wait to be admitted). */
  get locked(): boolean {
    return this.#locked;
  }

  /** The room's agenda as the server last said (design §8). */
  get agenda(): AgendaState | undefined {
    return this.#agenda;
  }

  /** The room's polls (hosts: prepared ones too), each with its latest counts where they may be seen. */
  get polls(): MeetingPoll[] {
    return [...this.#polls.values()].map((p) => ({ ...p }));
  }

  /** The room's ideas (hosts: hidden ones too), in the order they arrived; `rankIdeas` orders them. */
  get ideas(): MeetingIdea[] {
    return [...this.#ideas.values()].map((i) => ({ ...i }));
  }

  /** Whether we are in the room's waiting room, until a host admits or denies us. */
  get isWaiting(): boolean {
    return this.#isWaiting;
  }

  /** Languages the server recognises speech in (`*`: any); undefined when it offers none. */
  get asrLanguages(): readonly string[] | undefined {
    return this.#asr?.offer.languages;
  }

  /** The server's `/asr` WebSocket URL, beside its `/signal`. */
  get asrUrl(): string {
    return new URL('asr', this.#options.signalingUrl).href;
  }

  /** A single-use token for one `/asr` stream in `language`: the welcome's first, then new ones from the server. */
  asrToken(language: string): Promise<string> {
    const asr = this.#asr;
    if (asr && !asr.used && asr.language === language) {
      asr.used = true;
      return Promise.resolve(asr.offer.token);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(undefined), 10_000);
      const settle = (token: string | undefined) => {
        clearTimeout(timer);
        const i = this.#asrWaiters.indexOf(settle);
        if (i >= 0) this.#asrWaiters.splice(i, 1);
        if (token) resolve(token);
        else reject(new Error('no asr-token'));
      };
      this.#asrWaiters.push(settle);
      this.#signaling.send({ type: 'asr-token' });
    });
  }

  /** The role the server granted us: `welcome.self.role`, then any change a host made. */
  get role(): Role | undefined {
    return this.self?.role;
  }

  get state(): SessionState {
    return this.#state;
  }

  get selfId(): string | undefined {
    return this.#signaling.id;
  }

  get self(): Participant | undefined {
    return this.selfId ? this.#people.get(this.selfId) : undefined;
  }

  participant(id: string): Participant | undefined {
    return this.#people.get(id);
  }

  /** Everyone in the room, oneself first, then in order of arrival. */
  get participants(): Participant[] {
    return [...this.#people.values()];
  }

  streamsOf(id: string): RemoteStreams {
    return this.#remoteStreams.get(id) ?? {};
  }

  get screenStream(): MediaStream | undefined {
    return this.#screen;
  }

  /**
   * What this page refused from other people's browsers: `dropped` counts data-channel messages
   * per kind that were over their sender's budget, `flood` ones over the sender's total budget
   * (refused before parsing, so without a kind), and `oversized` / `malformed` ones;
   * `refusedSignals` the relayed signals the mesh refused (shapes we never send, renegotiation
   * over budget); `cutOff` the times a peer flooding us had its link cut for a cool-down.
   */
  get stats(): SessionStats {
    return { ...this.#budget.stats, refusedSignals: this.#refusedSignals + (this.#mesh?.refusedSignals ?? 0), cutOff: this.#cutOff, relayRefused: this.#relayRefused };
  }

  isSpeaking(id: string): boolean {
    return this.#speakingIds.has(id);
  }

  /**
   * Joins the room. The camera and microphone start while the socket opens and the server
   * welcomes us (it needs only what we asked for; what we got is published once known), and the
   * links are offered the moment both are there: nothing else sits between the welcome and the
   * offers.
   */
  async join(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`cannot join: the session is ${this.#state}`);
    this.#state = 'joining';
    mark('join');
    const options = this.#options;
    const given = options.localMedia;
    const pending =
      given instanceof Promise
        ? given.catch((): LocalMedia => ({ stream: new MediaStream(), problem: 'no-media' }))
        : given
          ? undefined
          : acquireLocalMedia({
              audio: true,
              video: options.cameraEnabled,
              audioDeviceId: options.audioDeviceId,
              videoDeviceId: options.videoDeviceId,
            });
    const media = pending
      ? pending.then((got) => {
          if (this.#state === 'left') {
            stopStream(got.stream); // left (or refused) while the camera was starting
            return;
          }
          got.stream.getTracks().forEach((t) => this.localStream.addTrack(t));
          // Asked only for audio because the camera starts off: a missing microphone is the only news.
          this.#problem = got.problem;
        })
      : Promise.resolve();
    // Frames that arrive after the welcome but before the media are handled once we are in.
    this.#held = [];
    // Without media yet, what was asked for; corrected below if a device is missing.
    const hoped = !pending
      ? this.#publishedState(options.micEnabled && this.localStream.getAudioTracks().length > 0)
      : this.#publishedState(options.micEnabled, options.cameraEnabled);
    const welcomed = this.#signaling.join({ room: options.room, name: options.name, token: options.token, role: options.role, state: hoped });
    let welcome: Welcome;
    try {
      [welcome] = await Promise.all([welcomed, media.then(() => this.#mediaReady())]);
    } catch (err) {
      this.#held = undefined;
      const { code, message } = err as SignalingError;
      this.#teardown();
      if ((this.#state as SessionState) === 'left') return;
      this.#state = 'left';
      this.#isWaiting = false;
      // A host's "no" is told by `left` itself; other refusals are errors.
      if (code !== 'denied') this.dispatch('error', { code, message });
      this.dispatch('left', { reason: code });
      throw err;
    }
    if (this.#state !== 'joining') {
      stopStream(this.localStream); // left while the camera was starting
      return;
    }
    this.#state = 'joined';
    this.#isWaiting = false;
    this.#enter(welcome);
    // The first exchange with each peer (offer, answer, candidates) is done before anything reacts
    // to `joined` (the element renders the whole call and starts captions then): that work would
    // hold up the page's handling of the answer and candidates, while the ICE checks and the DTLS
    // handshake that follow run beside it, off the main thread.
    await this.#mesh?.checksStarted(FIRST_EXCHANGE_CEILING_MS);
    if ((this.#state as SessionState) === 'left') {
      this.#held = undefined;
      return;
    }
    this.dispatch('joined', { selfId: welcome.id });
    const held = this.#held ?? [];
    this.#held = undefined;
    // Through the media server, peer messages go through the server: everyone already in the room
    // can be reached now (in a mesh, each link says so when its data channel opens).
    if (this.#mode === 'sfu') for (const p of this.participants) if (!p.isSelf) this.dispatch('peer-connected', { id: p.id });
    for (const message of held) this.#onServerMessage(message);
    // What the server was told before the devices answered may have been too hopeful.
    const published = this.#publishedState();
    if (published.micEnabled !== hoped.micEnabled || published.cameraEnabled !== hoped.cameraEnabled) {
      this.#signaling.update({ micEnabled: published.micEnabled, cameraEnabled: published.cameraEnabled });
    }
  }

  #mediaReady() {
    mark('media');
    if (this.#state !== 'joining') return;
    const audio = this.localStream.getAudioTracks()[0];
    if (audio) audio.enabled = this.#options.micEnabled;
    this.dispatch('local-media', { problem: this.#problem });
  }

  #publishedState(micEnabled = this.micEnabled, cameraEnabled = this.cameraEnabled): StateUpdate {
    return {
      name: this.#options.name,
      spokenLanguage: this.#options.spokenLanguage,
      micEnabled,
      cameraEnabled,
      handRaised: this.self?.handRaised ?? false,
    };
  }

  get micEnabled(): boolean {
    return this.localStream.getAudioTracks().some((t) => t.enabled && t.readyState === 'live');
  }

  get cameraEnabled(): boolean {
    return this.localStream.getVideoTracks().some((t) => t.readyState === 'live');
  }

  #startMesh(selfId: string, iceServers: RTCIceServer[]) {
    this.#refusedSignals += this.#mesh?.refusedSignals ?? 0;
    this.#mesh?.destroy();
    const mesh = new MeshCall(selfId, {
      iceServers,
      iceTransportPolicy: this.#options.iceTransportPolicy,
      uploadBudget: this.#options.uploadBudget,
      localStream: this.localStream,
      sendSignal: (to, sid, data) => this.#signaling.send({ type: 'signal', to, sid, data }),
    });
    this.#mesh = mesh;
    mesh.on('link-state', (e) => this.#onLinkState(e.detail.id, e.detail.state));
    mesh.on('link-open', (e) => {
      this.#meterSoon(e.detail.id);
      if (this.#screen) this.sendToPeers({ type: 'screen', streamId: this.#screen.id }, e.detail.id);
      this.#viewHints.resend(e.detail.id);
      this.dispatch('peer-connected', { id: e.detail.id });
    });
    mesh.on('data', (e) => this.#onPeerData(e.detail.from, e.detail.data));
    mesh.on('track', (e) => this.#onTrack(e.detail.from, e.detail.track, e.detail.stream));
  }

  /**
   * A room on the media server: its transport is a chunk of its own (a mesh-only page never loads
   * it). Frames for it that come while it loads wait in `#sfuInbox`.
   */
  #startSfu(iceServers: RTCIceServer[]) {
    this.#refusedSignals += this.#mesh?.refusedSignals ?? 0;
    this.#mesh?.destroy();
    this.#mesh = undefined;
    this.#sfu?.destroy();
    this.#sfu = undefined;
    this.#sfuInbox = [];
    const generation = ++this.#sfuGeneration;
    import('./sfu.js')
      .then(({ SfuCall }) => {
        if (this.#state === 'left' || generation !== this.#sfuGeneration) return;
        const call = new SfuCall({
          iceServers,
          iceTransportPolicy: this.#options.iceTransportPolicy,
          localStream: this.localStream,
          send: (message) => this.#signaling.send(message),
        });
        this.#sfu = call;
        call.on('link-state', (e) => this.#onLinkState(e.detail.id, e.detail.state));
        // Its media up: meters. Peer messages do not wait for media (`peer-connected` comes with presence, #addPeer).
        call.on('link-open', (e) => this.#meterSoon(e.detail.id));
        call.on('track', (e) => this.#onTrack(e.detail.from, e.detail.track, e.detail.stream));
        call.on('track-removed', (e) => this.dispatch('streams', { id: e.detail.from }));
        for (const message of this.#sfuInbox?.splice(0) ?? []) call.handle(message);
        this.#sfuInbox = undefined;
        return call.publish();
      })
      .catch((err: unknown) => {
        if (generation !== this.#sfuGeneration || this.#state === 'left') return;
        this.dispatch('error', { code: 'media-server', message: `Cannot use the media server: ${(err as Error).message}` });
      });
  }

  #toSfu(message: SfuServerMessage) {
    if (this.#sfu) this.#sfu.handle(message);
    else if (this.#sfuInbox && this.#sfuInbox.length < MAX_HELD_FRAMES) this.#sfuInbox.push(message);
  }

  /** Our resume window passed while we were away: we are a newcomer with a new id. */
  #restartAsNewcomer(welcome: Welcome) {
    for (const id of [...this.#people.keys()]) if (!this.#people.get(id)!.isSelf) this.#removePeer(id, 'reconnected');
    const self = this.self;
    this.#people.clear();
    this.#enter(welcome, self);
  }

  /** Into the room as a newcomer: links to everyone already there, which we initiate. */
  #enter(welcome: Welcome, previousSelf?: Participant) {
    this.#locked = welcome.locked === true;
    this.#offerAsr(welcome);
    this.#setAgenda(welcome.agenda);
    this.#setPolls(welcome.polls);
    this.#sendIdeaLanguage();
    const mode = welcome.mode ?? 'mesh';
    const changed = mode !== this.#mode;
    this.#mode = mode;
    if (this.#mode === 'sfu') this.#startSfu(welcome.iceServers);
    else this.#startMesh(welcome.id, welcome.iceServers);
    if (changed) this.dispatch('mode-change', { mode });
    this.#addSelf(welcome, previousSelf);
    for (const peer of welcome.peers) this.#addPeer(peer, true);
    // Our own speaking indicator waits until the first link is up (the audio graph it builds is
    // not needed for the first frame), or a moment if nobody connects.
    clearTimeout(this.#selfSpeakingTimer);
    if (welcome.peers.length === 0) {
      this.#watchSelfSpeaking();
      warmUpWebRtc();
    } else this.#selfSpeakingTimer = setTimeout(() => this.#watchSelfSpeaking(), SELF_SPEAKING_FALLBACK_MS);
  }

  /**
   * Level meters (ours and the peer's voice) are built a moment after a link opens: the audio graph
   * costs the page tens of milliseconds (the first one opens the audio device), which would
   * otherwise sit between the link opening and its first video frame. A speaking ring that starts
   * half a second late is not missed.
   */
  #meterSoon(id: string) {
    this.#pendingMeters.add(id);
    this.#meterTimer ??= setTimeout(() => {
      this.#meterTimer = undefined;
      if (this.#state === 'left') return;
      this.#watchSelfSpeaking();
      for (const peer of this.#pendingMeters) {
        const voice = this.#remoteStreams.get(peer)?.camera?.getAudioTracks()[0];
        if (voice && this.#people.get(peer)?.connectionState === 'connected') this.#watchSpeaking(peer, voice);
      }
      this.#pendingMeters.clear();
    }, METER_DELAY_MS);
  }

  #watchSelfSpeaking() {
    clearTimeout(this.#selfSpeakingTimer);
    const id = this.selfId;
    if (!id || this.#detectors.has(id) || this.#state === 'left') return;
    this.#watchSpeaking(id, this.localStream.getAudioTracks()[0]);
  }

  /** Oneself as the room sees one: the role and name the server granted (`welcome.self`). */
  #addSelf({ id, self: granted }: Welcome, previous?: Participant) {
    const self: Participant = {
      id,
      name: granted.name,
      role: granted.role,
      spokenLanguage: this.#options.spokenLanguage,
      micEnabled: this.micEnabled,
      cameraEnabled: this.cameraEnabled,
      handRaised: previous?.handRaised ?? false,
      connectionState: 'connected',
      isSelf: true,
    };
    this.#people.set(id, self);
    this.#detectors.get(id)?.stop();
    this.#detectors.delete(id);
  }

  #addPeer(peer: PeerInfo, initiate: boolean) {
    if (this.#people.has(peer.id)) {
      this.#updatePeer(peer);
      return;
    }
    const participant: Participant = { ...peer, name: cleanName(peer.name) || peer.id, connectionState: 'connecting', isSelf: false };
    this.#people.set(peer.id, participant);
    this.#mesh?.add(peer.id, initiate);
    this.dispatch('participant-joined', { participant });
    // In a room on the media server a member can be sent peer messages as soon as it is in the room
    // (through the server); while joining, `join` says so for everyone at once after `joined`.
    if (this.#mode === 'sfu' && !this.#held) this.dispatch('peer-connected', { id: peer.id });
  }

  #updatePeer(peer: PeerInfo) {
    const current = this.#people.get(peer.id);
    if (!current) return;
    const participant: Participant = { ...current, ...peer };
    if (peer.name !== undefined) participant.name = cleanName(peer.name) || current.name;
    // The server's clock says when a hand went up; a hand that is down has no such time.
    if (!participant.handRaised) delete participant.handRaisedAt;
    this.#people.set(peer.id, participant);
    this.dispatch('participant-updated', { participant });
    if (current.isSelf && participant.role !== current.role) this.#roleChanged(participant.role);
  }

  #roleChanged(role: Role) {
    // Only hosts are told who waits: a former host forgets the list (a new one gets it from the server).
    if (role !== 'host' && this.#waiting.length) {
      this.#waiting = [];
      this.dispatch('waiting-change', { waiting: [] });
    }
    this.dispatch('role-change', { role });
  }

  #removePeer(id: string, reason: string) {
    const participant = this.#people.get(id);
    if (!participant || participant.isSelf) return;
    this.#people.delete(id);
    this.#mesh?.remove(id);
    this.#sfu?.forget(id);
    this.#remoteStreams.delete(id);
    this.#screenIds.delete(id);
    this.#detectors.get(id)?.stop();
    this.#detectors.delete(id);
    this.#speakingIds.delete(id);
    this.#budget.forget(id);
    this.#viewHints.forget(id);
    this.dispatch('participant-left', { participant: { ...participant, connectionState: 'closed' }, reason });
  }

  #offerAsr(welcome: Welcome) {
    this.#asr = welcome.asr && { offer: welcome.asr, language: welcome.self.spokenLanguage, used: false };
  }

  #onServerMessage(message: ServerMessage) {
    if (message.type === 'asr-token') {
      this.#asrWaiters[0]?.(message.token);
      return;
    }
    // The media server's descriptions and candidates are not held while joining: the call waits for them.
    if (message.type === 'sfu-offer' || message.type === 'sfu-answer' || message.type === 'sfu-candidate') {
      this.#toSfu(message);
      return;
    }
    if (this.#held) {
      // Signals from the peers we are linking to go to the mesh at once: `joined` waits for that
      // exchange. Anyone else's wait with the rest (their link starts with their `peer-joined`).
      if (message.type === 'signal' && this.#mesh && this.#people.has(message.from)) {
        this.#mesh.handleSignal(message.from, message.sid, message.data);
        return;
      }
      // Bounded: a flood while the camera starts costs at most this many frames (lost signals are
      // recovered by the mesh rebuilding the link).
      if (this.#held.length < MAX_HELD_FRAMES) this.#held.push(message);
      return;
    }
    switch (message.type) {
      case 'peer-joined':
        // The newcomer initiates: we wait for its offer.
        this.#addPeer(message.peer, false);
        break;
      case 'peer-left':
        this.#removePeer(message.id, 'left');
        break;
      case 'peer-updated':
        this.#updatePeer(message.peer);
        break;
      case 'signal':
        this.#mesh?.handleSignal(message.from, message.sid, message.data);
        break;
      case 'relay':
        // A peer message through the server (rooms on the media server): the same checks and
        // budgets as one from a data channel. The server stamped `from`; a mesh page expects none.
        if (this.#mode === 'sfu' && message.from !== this.selfId && this.#people.has(message.from)) this.#onPeerData(message.from, message.data);
        break;
      case 'welcome':
        // A resumed session: anyone who left while we were away is gone; anyone new initiates to us.
        for (const id of [...this.#people.keys()]) {
          if (!this.#people.get(id)!.isSelf && !message.peers.some((p) => p.id === id)) this.#removePeer(id, 'left');
        }
        for (const peer of message.peers) this.#addPeer(peer, false);
        // Our role may have changed while we were away (a host took it, or we became host).
        if (this.self && message.self.role !== this.self.role) this.#updatePeer({ ...this.self, role: message.self.role });
        this.#setLocked(message.locked === true);
        this.#offerAsr(message);
        this.#setAgenda(message.agenda);
        this.#setPolls(message.polls);
        this.#sendIdeaLanguage();
        break;
      case 'agenda': {
        const { type: _type, ...agenda } = message;
        this.#setAgenda(agenda);
        break;
      }
      case 'poll': {
        const known = this.#polls.get(message.poll.id);
        // Counts stay while the state does not change (a prepared poll replaced has none).
        const result = known && known.state === message.state ? known.result : undefined;
        this.#putPoll({ poll: message.poll, state: message.state, ...(result ? { result } : {}), ...(known?.ballot ? { ballot: known.ballot } : {}) });
        this.#settlePoll(message.poll.id, message.state);
        break;
      }
      case 'poll-result': {
        const known = this.#polls.get(message.result.pollId);
        if (known) this.#putPoll({ ...known, result: message.result });
        break;
      }
      case 'poll-voted':
        this.#settlePoll(message.id, 'voted');
        break;
      case 'idea': {
        const known = this.#ideas.get(message.idea.id);
        this.#putIdea({ ...message.idea, ...(known?.vote !== undefined ? { vote: known.vote } : {}) });
        break;
      }
      case 'idea-gone': {
        const known = this.#ideas.get(message.id);
        if (!known) break;
        this.#ideas.delete(message.id);
        this.dispatch('idea', { idea: { ...known }, gone: true });
        break;
      }
      case 'idea-ok':
        this.#settlePoll(message.id, 'idea-ok');
        break;
      case 'report':
        this.#settlePoll('', 'report', message.report);
        if (message.report.final && message.report.reportId !== this.#finalReport) {
          this.#finalReport = message.report.reportId;
          this.dispatch('report-ready', { report: message.report });
        }
        break;
      case 'agenda-note':
        this.#notes.set(message.item, message.text);
        this.#settlePoll(message.item, 'note');
        this.dispatch('agenda-note', { item: message.item, text: message.text });
        break;
      case 'waiting-list':
        this.#waiting = message.waiting.map(({ id, name }) => ({ id, name: cleanName(name) || id }));
        this.dispatch('waiting-change', { waiting: this.waiting });
        break;
      case 'room':
        this.#setLocked(message.locked);
        break;
      case 'mute-requested': {
        // Asked, never forced: the page shows the request and the person decides.
        const name = this.#people.get(message.by)?.name ?? message.by;
        this.dispatch('mute-requested', { by: message.by, name });
        break;
      }
      case 'removed':
        // The server closes the socket after this and refuses us if we come back.
        this.leave('removed');
        break;
      case 'error': {
        // A peer message the server did not relay (over budget, told once; a member who just left):
        // nothing a person can act on, and no answer to a poll request.
        if (message.message.startsWith('"relay"')) {
          this.#relayRefused++;
          break;
        }
        // The answer to the oldest poll request waiting (see #pollRequests): its promise says it.
        const request = message.code !== 'shutting-down' ? this.#pollRequests.shift() : undefined;
        if (request) {
          clearTimeout(request.timer);
          request.reject(new PollRequestError(message.code, message.message));
          break;
        }
        this.dispatch('error', { code: message.code, message: message.message });
        if (message.code === 'shutting-down') this.#onSignalingState('reconnecting');
        break;
      }
    }
  }

  #setAgenda(agenda: AgendaState | undefined) {
    if (JSON.stringify(agenda) === JSON.stringify(this.#agenda)) return;
    this.#agenda = agenda;
    this.dispatch('agenda-change', { agenda });
  }

  /** The polls a welcome lists (all of them: a resumed member may have missed changes). */
  #setPolls(views: readonly PollView[] | undefined) {
    const listed = new Set((views ?? []).map((v) => v.poll.id));
    for (const id of [...this.#polls.keys()]) if (!listed.has(id)) this.#polls.delete(id);
    for (const view of views ?? []) {
      const known = this.#polls.get(view.poll.id);
      const next: MeetingPoll = { ...view, ...(known?.ballot ? { ballot: known.ballot } : {}) };
      if (JSON.stringify(next) !== JSON.stringify(known)) this.#putPoll(next);
    }
  }

  #putIdea(idea: MeetingIdea) {
    if (JSON.stringify(idea) === JSON.stringify(this.#ideas.get(idea.id))) return;
    this.#ideas.set(idea.id, idea);
    this.dispatch('idea', { idea: { ...idea } });
  }

  #putPoll(poll: MeetingPoll) {
    this.#polls.set(poll.poll.id, poll);
    this.dispatch('poll', { ...poll });
  }

  /** Settles the oldest request waiting for poll `id` to reach `until`. */
  #settlePoll(id: string, until: PollRequest['until'], value?: unknown) {
    const i = this.#pollRequests.findIndex((r) => (r.id === id || (r.id === '*' && until === 'idea-ok')) && r.until === until);
    if (i < 0) return;
    const [request] = this.#pollRequests.splice(i, 1);
    clearTimeout(request!.timer);
    request!.resolve(value ?? id);
  }

  /**
   * Hosts: the dialogue's report (design §8): an interim one while it goes on, the final one once
   * it has ended; `last`: the room's most recent final report. Rejects with the server's code.
   */
  async requestReport(last = false): Promise<DialogueReport> {
    return (await this.#pollRequest(last ? { type: 'report-request', last: true } : { type: 'report-request' }, '', 'report')) as DialogueReport;
  }

  /** Hosts: ends the dialogue; resolves with its final report (every host gets `report-ready`). */
  async endDialogue(): Promise<DialogueReport> {
    return (await this.#pollRequest({ type: 'dialogue-end' }, '', 'report')) as DialogueReport;
  }

  /** Hosts: notes on an agenda question (empty: none); resolves with them as the server kept them. */
  async setNotes(item: string, text: string): Promise<string> {
    await this.#pollRequest({ type: 'agenda-note', item, text }, item, 'note');
    return this.#notes.get(item) ?? '';
  }

  /** Hosts: the notes on each agenda question this page wrote (as the server kept them). */
  get notes(): Record<string, string> {
    return Object.fromEntries(this.#notes);
  }

  /** Sends a poll request; resolves when the server did it, rejects with its error (PollRequestError). */
  #pollRequest(message: ClientMessage, id: string, until: PollRequest['until']): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#state !== 'joined' || this.#signaling.state !== 'open') {
        reject(new PollRequestError('unreachable', 'not connected to the room: try again when the call is back'));
        return;
      }
      const request: PollRequest = {
        id,
        until,
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.#pollRequests.indexOf(request);
          if (i >= 0) this.#pollRequests.splice(i, 1);
          reject(new PollRequestError('unreachable', 'the server did not answer: try again'));
        }, POLL_ANSWER_MS),
      };
      this.#pollRequests.push(request);
      this.#signaling.send(message);
    });
  }

  /** Hosts: prepares a poll (not open yet); resolves with its id once the server has it. */
  async preparePoll(poll: NewPoll): Promise<string> {
    const id = poll.id ?? `p${[...crypto.getRandomValues(new Uint8Array(6))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    await this.#pollRequest({ type: 'poll-create', poll: { ...poll, id, results: poll.results ?? 'live' } }, id, 'prepared');
    return id;
  }

  /** Hosts: prepares every poll of a built-in template (`un75-survey`); resolves with their ids. */
  async prepareTemplate(name: string): Promise<string[]> {
    const ids = Object.hasOwn(POLL_TEMPLATE_IDS, name) ? POLL_TEMPLATE_IDS[name]! : undefined;
    if (!ids) throw new PollRequestError('bad-message', `no poll template "${name}"`);
    // The server prepares them in order and tells each: the last one ends the request.
    await this.#pollRequest({ type: 'poll-create', template: name }, ids.at(-1)!, 'prepared');
    return [...ids];
  }

  /** Hosts: opens a prepared poll. */
  async openPoll(id: string): Promise<void> {
    await this.#pollRequest({ type: 'poll-open', id }, id, 'open');
  }

  /** Hosts: closes an open poll; its counts follow. */
  async closePoll(id: string): Promise<void> {
    await this.#pollRequest({ type: 'poll-close', id }, id, 'closed');
  }

  /** Casts (or replaces) this member's ballot; resolves once the server stored it. */
  async vote(id: string, answer: PollAnswer): Promise<void> {
    await this.#pollRequest({ type: 'poll-vote', id, answer }, id, 'voted');
    const known = this.#polls.get(id);
    if (known) this.#putPoll({ ...known, ballot: answer });
  }

  #ideaLanguage: string | undefined;

  /**
   * The language this member reads ideas in, when it is not the one it speaks (the server knows
   * that one): told to the server now and after every welcome, so that it translates ideas into it.
   */
  setIdeaLanguage(lang: string | undefined): void {
    if (lang === this.#ideaLanguage) return;
    this.#ideaLanguage = lang;
    this.#sendIdeaLanguage();
  }

  #sendIdeaLanguage() {
    if (this.#ideaLanguage && this.#state === 'joined' && this.#signaling.state === 'open') this.#signaling.send({ type: 'idea-language', lang: this.#ideaLanguage });
  }

  /** Submits an idea (≤ 280 characters, in this member's spoken language); resolves with its id once the server stored it. */
  submitIdea(text: string): Promise<string> {
    return this.#pollRequest({ type: 'idea-submit', text }, '*', 'idea-ok') as Promise<string>;
  }

  /** Agrees (1), passes (0) or disagrees (-1) with an idea; a second vote replaces the first. */
  async voteIdea(id: string, vote: IdeaVote): Promise<void> {
    await this.#pollRequest({ type: 'idea-vote', id, vote }, id, 'idea-ok');
    const known = this.#ideas.get(id);
    if (known) this.#putIdea({ ...known, vote });
  }

  /** Hosts: hides an idea from everyone but hosts, or shows it again. */
  async hideIdea(id: string, hidden = true): Promise<void> {
    await this.#pollRequest({ type: 'idea-hide', id, hidden }, id, 'idea-ok');
  }

  /** Hosts: merges an idea into another (shown under it), or takes it out again with `null`. */
  async mergeIdea(id: string, into: string | null): Promise<void> {
    await this.#pollRequest({ type: 'idea-merge', id, into }, id, 'idea-ok');
  }

  #setLocked(locked: boolean) {
    if (locked === this.#locked) return;
    this.#locked = locked;
    this.dispatch('lock-change', { locked });
  }

  #onSignalingState(state: SignalingState) {
    if (this.#state !== 'joined' && this.#state !== 'reconnecting') return;
    const mapped: ConnectionState =
      state === 'open' ? 'connected' : state === 'reconnecting' ? 'reconnecting' : state === 'closed' ? 'disconnected' : 'connecting';
    this.#state = mapped === 'reconnecting' ? 'reconnecting' : 'joined';
    if (state === 'open') this.#flushRelays();
    this.dispatch('connection-state', { state: mapped });
  }

  #onLinkState(id: string, state: LinkState) {
    const participant = this.#people.get(id);
    if (!participant || participant.isSelf || participant.connectionState === state || state === 'closed') return;
    const updated: Participant = { ...participant, connectionState: state };
    this.#people.set(id, updated);
    this.dispatch('participant-updated', { participant: updated });
  }

  #onTrack(from: string, track: MediaStreamTrack, stream: MediaStream) {
    const streams = { ...this.#remoteStreams.get(from) };
    if (this.#screenIds.get(from) === stream.id) streams.screen = stream;
    else streams.camera = stream;
    this.#remoteStreams.set(from, streams);
    if (track.kind === 'audio' && stream === streams.camera && this.#people.get(from)?.connectionState === 'connected') {
      this.#watchSpeaking(from, track); // a new track on a live link; otherwise on link-open
    }
    stream.addEventListener('removetrack', () => this.dispatch('streams', { id: from }));
    this.dispatch('streams', { id: from });
  }

  #watchSpeaking(id: string, track: MediaStreamTrack | undefined) {
    this.#detectors.get(id)?.stop();
    this.#detectors.delete(id);
    if (!track) return;
    this.#detectors.set(
      id,
      new SpeakingDetector(track, (speaking) => {
        if (speaking) this.#speakingIds.add(id);
        else this.#speakingIds.delete(id);
        this.dispatch('speaking', { id, speaking });
      }),
    );
  }

  /**
   * The one entry point of everything peers send over the data channels: the sender's total
   * budget, size, shape and the sender's budget for the kind are checked here, so every feature module gets budgeted messages.
   * Refused messages are counted in `stats` (not logged one by one: a flood would flood the console).
   */
  #onPeerData(from: string, data: string) {
    // First the sender's total budget, before any parsing: a flood's excess costs one comparison.
    // A sender far over it is flooding: its link is cut for a cool-down, which also stops the
    // browser from delivering the rest of the flood, one task a message.
    if (!this.#budget.admit(from)) {
      if (this.#budget.flooding(from) && this.#mesh?.suspend(from)) this.#cutOff++;
      return;
    }
    if (data.length > MAX_PEER_MESSAGE_BYTES) {
      this.#budget.count('oversized');
      return;
    }
    let message: PeerMessage;
    try {
      message = JSON.parse(data) as PeerMessage;
    } catch {
      this.#budget.count('malformed');
      return;
    }
    if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
      this.#budget.count('malformed');
      return;
    }
    if (!this.#budget.allow(from, message.type)) return;
    if (message.type === 'screen') {
      this.#onScreenMessage(from, message as ScreenMessage);
      return;
    }
    if (message.type === 'view') {
      this.#onViewMessage(from, message);
      return;
    }
    this.dispatch('peer-message', { from, message });
  }

  #onScreenMessage(from: string, message: ScreenMessage) {
    const streams = { ...this.#remoteStreams.get(from) };
    if (typeof message.streamId === 'string') {
      this.#screenIds.set(from, message.streamId);
      // The track may have arrived before the announcement and been taken for the camera.
      if (streams.camera?.id === message.streamId) {
        streams.screen = streams.camera;
        delete streams.camera;
      }
    } else {
      this.#screenIds.delete(from);
      delete streams.screen;
    }
    this.#remoteStreams.set(from, streams);
    this.dispatch('streams', { id: from });
  }

  #onViewMessage(from: string, message: PeerMessage) {
    try {
      const { w, h, source = 'camera' } = parseViewMessage(message);
      this.#mesh?.setViewHint(from, source, w > 0 ? { width: w, height: h } : null);
    } catch {
      this.#budget.count('malformed');
    }
  }

  /**
   * Tells the core at what size this page shows `peerId`'s camera (or screen share): device pixels
   * (CSS pixels × devicePixelRatio), or null while it is not shown (hidden, scrolled away, the page
   * in the background). The sender then scales its video to that link down, or pauses it. Sent
   * only on a meaningful change (shown ↔ hidden, a side changing by more than a quarter), debounced.
   * One view per video: the last report wins. The elements call this from their tiles; a UI of
   * one's own calls it for each video it shows. Never called: the sender sends at full size.
   */
  setViewSize(peerId: string, size: ViewSize | null, source: ViewSource = 'camera'): void {
    if (peerId === this.selfId || this.#state === 'left') return;
    this.#viewHints.set(peerId, size, source);
  }

  sendToPeers(message: PeerMessage, to?: string): number {
    if (this.#mode === 'sfu') return this.#relay(JSON.stringify(message), to);
    return this.#mesh?.send(JSON.stringify(message), to) ?? 0;
  }

  /** A room on the media server has no data channels: peer messages go through the server (`relay`). */
  #relay(data: string, to: string | undefined): number {
    if ((this.#state !== 'joined' && this.#state !== 'reconnecting') || data.length > MAX_PEER_MESSAGE_BYTES) return 0;
    if (to !== undefined && (to === this.selfId || !this.#people.has(to))) return 0;
    const reached = to !== undefined ? 1 : Math.max(0, this.#people.size - 1);
    if (reached === 0) return 0;
    const frame = to !== undefined ? { to, data } : { data };
    if (this.#signaling.state === 'open') {
      this.#signaling.send({ type: 'relay', ...frame });
      return reached;
    }
    // The socket is reconnecting: kept for when it is back (see MAX_RELAY_OUTBOX), or dropped.
    if (this.#relayOutbox.length >= MAX_RELAY_OUTBOX || this.#relayOutboxChars + data.length > MAX_PEER_MESSAGE_BYTES * 4) return 0;
    this.#relayOutbox.push(frame);
    this.#relayOutboxChars += data.length;
    return reached;
  }

  #flushRelays() {
    const kept = this.#relayOutbox.splice(0);
    this.#relayOutboxChars = 0;
    if (this.#mode !== 'sfu') return;
    // A member who left meanwhile is refused by the server (counted in relayRefused).
    for (const frame of kept) this.#signaling.send({ type: 'relay', ...frame });
  }

  #publish(update: StateUpdate) {
    const self = this.self;
    if (self) {
      const participant = { ...self, ...update };
      this.#people.set(self.id, participant);
      this.dispatch('participant-updated', { participant });
    }
    this.#signaling.update(update);
  }

  /** Turns the microphone on or off (flips without an argument). Returns the new state. */
  setMicrophone(on = !this.micEnabled): boolean {
    const track = this.localStream.getAudioTracks()[0];
    if (!track) {
      if (on) this.dispatch('error', { code: 'no-microphone', message: 'No microphone is available.' });
      return false;
    }
    track.enabled = on;
    this.#publish({ micEnabled: on });
    return on;
  }

  /**
   * Turns the camera on or off. Off stops the track so the camera light goes out; on starts a new
   * one and puts it on every link without renegotiating.
   */
  async setCamera(on = !this.cameraEnabled): Promise<boolean> {
    const current = this.localStream.getVideoTracks()[0];
    if (!on) {
      if (current) {
        current.stop();
        this.localStream.removeTrack(current);
        this.#mesh?.setVideoTrack(null);
        this.#sfu?.setVideoTrack(null);
      }
      this.#publish({ cameraEnabled: false });
      return false;
    }
    if (current?.readyState === 'live') return true;
    const track = await acquireCamera(this.#options.videoDeviceId);
    if (!track) {
      this.dispatch('error', { code: 'no-camera', message: 'No camera is available.' });
      return false;
    }
    if (current) this.localStream.removeTrack(current);
    if (this.#state === 'left') {
      track.stop();
      return false;
    }
    this.localStream.addTrack(track);
    this.#mesh?.setVideoTrack(track);
    this.#sfu?.setVideoTrack(track);
    this.#publish({ cameraEnabled: true });
    return true;
  }

  async setScreenShare(on = !this.#screen): Promise<boolean> {
    if (!on) {
      if (this.#screen) {
        stopStream(this.#screen);
        this.#screen = undefined;
        this.#mesh?.setScreenStream(null);
        this.sendToPeers({ type: 'screen', streamId: null });
        this.dispatch('streams', { id: this.selfId ?? '' });
      }
      return false;
    }
    if (this.#screen) return true;
    if (this.#mode === 'sfu') {
      // A second video publication through the media server is not built yet (docs/large-rooms.md).
      this.dispatch('error', { code: 'screen-share-failed', message: 'Screen sharing is not available yet in rooms on the media server.' });
      return false;
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (err) {
      this.dispatch('error', { code: 'screen-share-failed', message: (err as Error).message });
      return false;
    }
    this.#screen = stream;
    // The browser's own "Stop sharing" button ends the track.
    stream.getVideoTracks()[0]?.addEventListener('ended', () => void this.setScreenShare(false));
    this.sendToPeers({ type: 'screen', streamId: stream.id });
    this.#mesh?.setScreenStream(stream);
    this.dispatch('streams', { id: this.selfId ?? '' });
    return true;
  }

  /** Tells everyone what this person now speaks (the language of their captions). */
  setSpokenLanguage(lang: string): void {
    if (lang === this.#options.spokenLanguage) return;
    this.#options.spokenLanguage = lang;
    this.#publish({ spokenLanguage: lang });
  }

  setHand(on = !this.self?.handRaised): boolean {
    this.#publish({ handRaised: on });
    return on;
  }

  // ---- what a host may do (design §5.5): the server answers anyone else with `forbidden` ----

  /** Removes a member from the room; the server refuses them if they come back. */
  remove(id: string): void {
    this.#signaling.remove(id);
  }

  /** Asks a member to mute; their page decides. */
  requestMute(id: string): void {
    this.#signaling.requestMute(id);
  }

  /** Locks the room or opens it again; `locked` follows when the server says so. */
  lock(on: boolean): void {
    this.#signaling.lock(on);
  }

  admit(id: string): void {
    this.#signaling.admit(id);
  }

  deny(id: string): void {
    this.#signaling.deny(id);
  }

  lowerHand(id: string): void {
    this.#signaling.lowerHand(id);
  }

  setRole(id: string, role: Role): void {
    this.#signaling.setRole(id, role);
  }

  /** Replaces the room's agenda with `items` or a built-in template's name; `agenda-change` follows. */
  setAgenda(agenda: AgendaItem[] | string): void {
    this.#signaling.send(typeof agenda === 'string' ? { type: 'agenda-set', template: agenda } : { type: 'agenda-set', items: agenda });
  }

  nextItem(): void {
    this.#signaling.send({ type: 'agenda-next' });
  }

  /** Hosts: the dialogue's title, for its report (nothing is answered). */
  setDialogueTitle(title: string): void {
    this.#signaling.send({ type: 'dialogue-title', title });
  }

  /** Interpreters: the language their channel went on air in, for the report (nothing is answered). */
  sendOnAir(lang: string): void {
    this.#signaling.send({ type: 'on-air', lang });
  }

  /** Leaves the room and releases camera, microphone and screen. */
  leave(reason = 'left'): void {
    if (this.#state === 'left') return;
    const wasIn = this.#state !== 'idle';
    this.#state = 'left';
    this.#teardown();
    if (wasIn) this.dispatch('left', { reason });
  }

  #teardown() {
    clearTimeout(this.#selfSpeakingTimer);
    for (const request of this.#pollRequests.splice(0)) {
      clearTimeout(request.timer);
      request.reject(new PollRequestError('closed', 'left the room before the server answered'));
    }
    clearTimeout(this.#meterTimer);
    this.#relayOutbox.length = 0;
    this.#relayOutboxChars = 0;
    this.#viewHints.dispose();
    this.audio.dispose();
    this.#signaling.close();
    this.#mesh?.destroy();
    this.#mesh = undefined;
    this.#sfuGeneration++;
    this.#sfu?.destroy();
    this.#sfu = undefined;
    this.#sfuInbox = undefined;
    for (const detector of this.#detectors.values()) detector.stop();
    this.#detectors.clear();
    stopStream(this.localStream);
    stopStream(this.#screen);
    this.#screen = undefined;
    this.#people.clear();
    this.#remoteStreams.clear();
    this.#waiting = [];
    this.#isWaiting = false;
  }

  /** Per-link video bitrate caps now in force (diagnostics). */
  videoBitrateCaps(): number[] {
    return this.#mesh?.videoBitrateCaps() ?? [];
  }

  /** Each video sender's encoding per link: scaled, capped, paused by the receivers' view hints (diagnostics). */
  videoEncodings(): VideoEncoding[] {
    return this.#mesh?.videoEncodings() ?? [];
  }

  /** The link to `peerId`'s statistics (RTCPeerConnection.getStats), if it exists (diagnostics). */
  linkStats(peerId: string): Promise<RTCStatsReport | undefined> {
    return (this.#sfu ?? this.#mesh)?.linkStats(peerId) ?? Promise.resolve(undefined);
  }
}
