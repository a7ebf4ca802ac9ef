import { ContextProvider } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import type { ChatEntry, Languages, Meeting, JoinSettings, MeetingError, MeetingEvents, WaitingPerson } from '../../core/meeting.js';
import { acquireLocalMedia, stopStream, type MediaProblem } from '../../core/media.js';
import { mark } from '../../core/marks.js';
import { defaultSignalingUrl, onServerHello, preconnect, serverAsrLanguages } from '../../core/preconnect.js';
import { asrLanguageKey } from '../../protocol/asr.js';
import type { Participant } from '../../core/types.js';
import type { Role } from '../../protocol/signaling.js';
import { promptFor, type AgendaItem, type AgendaState } from '../../protocol/agenda.js';
import { LocalizeController, problemText } from '../../i18n/localize.js';
import { meetingContext } from '../context.js';
import { MEETING_READY } from '../meeting-part-controller.js';
import type { CaptionService, TranscriptFormat } from '../../core/captions.js';
import type { Interpretation } from '../../core/interpretation.js';
import type { MeetingIdea, MeetingPoll, MeetingSession, NewPoll } from '../../core/session.js';
import type { PollAnswer } from '../../protocol/polls.js';
import type { IdeaVote } from '../../protocol/ideas.js';
import type { DialogueReport, ReportFormat } from '../../protocol/report.js';
import type { ReportCsv } from '../../report/format.js';
import type { SpeechRecognizer } from '../../core/recognition.js';
import type { RecognitionMode } from '../../core/captions.types.js';
import type { Translator } from '../../core/translation.js';
import '../lobby/un75-lobby.js';
import type { LobbyJoinDetail } from '../lobby/lobby.js';
import type { Un75LanguageChangeDetail } from '../language-picker/language-picker.js';
import type { PanelTab } from '../side-panel/side-panel.types.js';
import { chatIcon, peopleIcon } from '../icons.js';
import { loadCall, preloadCall } from './call.js';
import type { Layout } from '../video-grid/video-grid.types.js';
import { styles } from './meeting.styles.js';
import type { Un75CaptionDetail, Un75ChannelChangeDetail, Un75ErrorDetail } from './meeting.types.js';

/**
 * Meeting events the element fires again as its own (`un75-<name>`), with the same detail.
 * The element re-renders on each: what they change (role, waiting list, lock, chat) is read from `core`.
 */
const REFIRED = [
  'joined',
  'left',
  'participant-joined',
  'participant-left',
  'connection-state',
  'chat',
  'chat-change',
  'waiting-change',
  'lock-change',
  'waiting-room',
  'mute-requested',
  'role-change',
  'agenda-change',
  'poll',
  'idea',
  'mode-change',
  'report-ready',
] as const satisfies readonly (keyof MeetingEvents)[];

/**
 * @tag un75-meeting
 * @summary A whole multilingual video dialogue in one element: pre-join screen, video grid,
 * controls, over a peer-to-peer mesh.
 *
 * @fires un75-joined - Joined the room. Detail: `{ selfId }`.
 * @fires un75-left - Left the room. Detail: `{ reason }`: `left` (by choice), `removed` (a host removed
 * this person, or the element was taken off the page), `denied` (a host did not let them in from the
 * waiting room), or an error code such as `room-full` or `forbidden` (a removed person coming back).
 * @fires un75-participant-joined - Someone joined. Detail: `{ participant }`.
 * @fires un75-participant-left - Someone left. Detail: `{ participant, reason }`.
 * @fires un75-connection-state - The connection to the signaling server changed. Detail: `{ state }`:
 * `connecting`, `connected`, `reconnecting` or `disconnected`.
 * @fires un75-error - Something went wrong that the person should know about. Detail: `{ code, message }`.
 * @fires un75-channel-change - What this person hears changed: their listen language, or the
 * interpretation channel in it appeared, went or changed hands. Detail: `{ listenLanguage, channel }`
 * (`channel` null: the floor at full volume).
 * @fires un75-caption - A caption was shown (or updated), after translation into `listen-language`.
 * Detail: `{ caption }` (see `Caption` in src/core/captions.types.ts).
 * @fires un75-language-change - The person chose another language in the picker. Detail:
 * `{ listenLanguage, spokenLanguage, changed }`.
 * @fires un75-chat - A chat message to show, after translation into `listen-language` (one's own too).
 * Detail: `{ message }` (see `ChatEntry` in src/core/chat.ts: `from`, `name`, `t`, `lang`, `text`,
 * `original`, `translated`).
 * @fires un75-chat-change - The chat list, a translation in it or the unread count changed. No detail.
 * @fires un75-waiting-change - Hosts: who waits in the waiting room changed. Detail: `{ waiting }`
 * (`[{ id, name }]`).
 * @fires un75-lock-change - A host locked the room or opened it. Detail: `{ locked }`.
 * @fires un75-waiting-room - The room is locked: this person waits for a host (before `un75-joined`,
 * or `un75-left` `{ reason: 'denied' }`). Detail: `{ room }`.
 * @fires un75-mute-requested - A host asks this person to mute; nothing is muted by itself. Detail:
 * `{ by, name }` (the host's id and name).
 * @fires un75-role-change - This person's role was granted or taken away. Detail: `{ role }`.
 * @fires un75-mode-change - The call moved between a peer-to-peer mesh and the media server (its
 * first value comes with joining: a room configured for the SFU). Detail: `{ mode }` (`mesh` | `sfu`).
 * @fires un75-agenda-change - The room's agenda was set or moved on to another item. Detail:
 * `{ agenda }` (`{ items, current, startedAt }`, see `agenda`).
 * @fires un75-poll - A poll was prepared (hosts see those), opened or closed, its counts changed, or
 * this person's vote was recorded. Detail: `{ poll, state, result?, ballot? }` (see `polls`).
 * @fires un75-idea - An idea arrived or changed (its translations, its counts, hidden, merged), or this
 * person's vote was recorded. Detail: `{ idea, gone? }` (see `ideas`; `gone`: a host hid it).
 * @fires un75-report-ready - Hosts: the dialogue ended (a host's "End dialogue", or its room empty for
 * a while) and its final report is ready. Detail: `{ report }` (the `un75:dialogue-report/1` JSON, see `report()`).
 * @fires un75-meeting-ready - The element is on the page, or its `core` is a new `Meeting` (a join):
 * elements bound with `for` find it. No detail.
 *
 * @csspart base - The element's frame.
 * @csspart stage - The area holding the grid (and the caption overlay).
 * @csspart notices - Messages about missing devices and errors.
 * @csspart lobby - The pre-join screen (its parts are re-exported as `lobby-…`).
 * @csspart lobby-languages - The pre-join screen's "I listen in / I speak" choice (a `un75-language-picker`;
 * its selects are re-exported as `lobby-picker`).
 * @csspart grid - The video grid (its parts are re-exported: `tile`, `tile-video`, `tile-name`, `tile-pin`, and in
 * the speaker view `main-view`, `main-tile`, `filmstrip`, …).
 * @csspart controls - The control bar (its parts are re-exported: `button`, `mic`, `camera`, `screen`, `hand`, `leave`).
 * @csspart joining - The "Joining…" message.
 * @csspart left - The screen shown after leaving.
 * @csspart captions - The caption band under the videos (with `caption-line`, `speaker`,
 * `caption-text`, `caption-label`, `caption-notes`, `download-model`).
 * @csspart panel - The side panel (people, chat, transcript): beside the call, or a bottom sheet
 * when the meeting is narrower than 700 px (with `panel-tabs`, `panel-tab`, `panel-tabpanel`,
 * `person`, `message`, `chat-input`).
 * @csspart people-button - The control-bar button opening the panel on the people tab.
 * @csspart chat-button - The control-bar button opening the chat, with the unread count.
 * @csspart toasts - The row of short notices above the control bar (each with the part `toast`).
 * @csspart waiting - The screen shown while a host has not yet let this person in.
 * @csspart booth - The interpreter's console (with `on-air`, `swap`, `cough`, `take-over`, `relay`), for interpreters (`join-as="interpreter"`, a token granting it, or a host granting it during the call).
 * @csspart agenda - The agenda strip above the videos: the current question, item n of N, the
 * time left and, for hosts, the `agenda-next` button.
 * @csspart polls - The polls above the videos, a region named "Poll" (its parts re-exported as
 * `poll`, `poll-question`, `poll-answer`, `poll-button`, `poll-vote`, `poll-status`, `poll-chart`,
 * `poll-results-table`, `poll-form`); loaded when the first poll arrives or a host opens the form.
 * @csspart polls-button - Hosts: the control-bar button opening the form for a new poll.
 * @csspart ideas - The ideas under the polls, a region named "Ideas" (its parts re-exported as
 * `idea`, `idea-text`, `idea-original`, `idea-label`, `idea-button`, `idea-vote`, `idea-status`,
 * `idea-form`); loaded when the first idea arrives or the person presses "Ideas".
 * @csspart ideas-button - The control-bar button showing or hiding the ideas.
 * @csspart report - Hosts: the control bar's report menu (<un75-report>; its parts re-exported as
 * `report-button`, `report-menu`, `report-json`, `report-csv`, `report-page`, `end-dialogue`).
 * @csspart agenda-notes - Hosts: the field for their notes on the current question (in `agenda`), with `agenda-notes-save`.
 * @csspart picker - The language selects in the control bar (with `listen-picker`, `spoken-picker`).
 *
 * @cssprop [--un75-accent=#0b5cad] - Accent colour: buttons that are on, the Join button, avatars.
 * @cssprop [--un75-on-accent=#ffffff] - Text on the accent colour.
 * @cssprop [--un75-surface=#14181f] - Background.
 * @cssprop [--un75-surface-raised=#232a35] - Tiles, buttons, notices.
 * @cssprop [--un75-on-surface=#f3f5f8] - Text colour.
 * @cssprop [--un75-danger=#c62828] - Leave button, muted microphone.
 * @cssprop [--un75-speaking=#3ddc84] - Outline of the person speaking.
 * @cssprop [--un75-radius=12px] - Corner radius.
 * @cssprop [--un75-gap=8px] - Spacing.
 * @cssprop [--un75-font=system-ui] - Font family.
 * @cssprop [--un75-caption-size=clamp(1rem, 0.8rem + 1vw, 1.5rem)] - Caption font size.
 * @cssprop [--un75-warning=#ffb300] - Edge of a notice about a missing device or an error.
 * @cssprop [--un75-muted=#aab3c0] - Secondary text (hints, states).
 * @cssprop [--un75-interpreter=#5e35b1] - Background of the interpreter badge on a tile.
 * @cssprop [--un75-focus=#ffbf47] - Keyboard focus outline.
 * @cssprop [--un75-panel-size=20rem] - Width of the side panel beside the call.
 */
export class Un75Meeting extends LitElement {
  static override styles = styles;

  static override properties = {
    room: { reflect: true },
    signaling: {},
    name: {},
    token: {},
    spokenLanguage: { attribute: 'spoken-language' },
    joinAs: { attribute: 'join-as' },
    autojoin: { type: Boolean },
    micOff: { type: Boolean, attribute: 'mic-off' },
    cameraOff: { type: Boolean, attribute: 'camera-off' },
    iceTransportPolicy: { attribute: false },
    listenLanguage: { attribute: 'listen-language' },
    translationEndpoint: { attribute: 'translation-endpoint' },
    noCaptions: { type: Boolean, attribute: 'no-captions' },
    recognizer: { attribute: false },
    recognition: {},
    translator: { attribute: false },
    floorVolume: { type: Number, attribute: 'floor-volume' },
    interpreterLanguages: { attribute: 'interpreter-languages' },
    agendaSource: { attribute: 'agenda' },
    dialogueTitle: { attribute: 'dialogue-title' },
    layout: { reflect: true },
    _core: { state: true },
    phase: { state: true },
    notices: { state: true },
    panel: { state: true },
  };

  readonly #localize = new LocalizeController(this);

  /** Room name: letters, digits, `.`, `_`, `-`, up to 64. */
  room = '';
  /** WebSocket URL of the signaling server. Default: `/signal` on the page's own host. */
  signaling = '';
  /** Display name; asked on the pre-join screen when empty. */
  name = '';
  /** JWT for a server started with `--jwt-secret`. */
  token = '';
  /** BCP 47 tag of what this person speaks. Default: the browser's language. */
  spokenLanguage = '';
  /**
   * The role this person asks for: `participant`, `interpreter` or `host`. What the UI shows follows
   * the role the server grants (a server with `--jwt-secret` takes it from the token), so a token
   * granting `interpreter` opens the booth without this attribute.
   */
  joinAs: Role = 'participant';
  /** Skip the pre-join screen (needs `name`). */
  autojoin = false;
  /** Start with the microphone off. */
  micOff = false;
  /** Start with the camera off. */
  cameraOff = false;
  /** `relay` forces every link through TURN. */
  iceTransportPolicy: RTCIceTransportPolicy | undefined;
  /** BCP 47 tag captions are translated into. Default: `spoken-language`. */
  listenLanguage = '';
  /** URL of a LibreTranslate-compatible `/translate` API. Default: the browser's Translator API when it has one. */
  translationEndpoint = '';
  /** Hides the caption overlay (captions are still made and kept in the transcript). */
  noCaptions = false;
  /** Speech recogniser for this person's captions (design §5.1). Default: chosen by `recognition`. */
  recognizer: SpeechRecognizer | undefined;
  /**
   * Where this person's speech is recognised when no `recognizer` is set: `server` (the signaling
   * server's recognisers, `--asr`), `browser` (the browser's own), `auto` (the server when it offers
   * the spoken language, else the browser), `off`. Applies from the next join.
   */
  recognition: RecognitionMode = 'auto';
  /** Caption translator (design §5.2). Default: from `translation-endpoint`, else the browser's. */
  translator: Translator | undefined;

  /** 0–1: how loud the original (floor) stays under an interpreter; 0 mutes it. */
  floorVolume = 0.2;
  /**
   * For interpreters: the booth's two languages, e.g. `"en fr"`. They start interpreting from the
   * first into the second; one control swaps the direction.
   */
  interpreterLanguages = '';

  /**
   * The agenda a host gives the room when it has none yet (attribute `agenda`): a built-in
   * template's name, `un75` (the three UN75 questions in the six UN languages), or the URL of a
   * JSON agenda (`[{ id, prompt: { en: "…", fr: "…" }, minutes }]`), fetched by the host's page.
   */
  agendaSource = '';

  /**
   * Hosts: the dialogue's title, for its report (attribute `dialogue-title`, 1–200 characters).
   * Without it the report is titled with the first agenda question, else the room's name.
   */
  dialogueTitle = '';

  /**
   * `auto` (default): the speaker view while a screen is shared or with more than six people, the
   * grid otherwise; `grid`: everyone the same size; `speaker`: the active speaker (or a shared
   * screen) large above a filmstrip. A tile pinned by the person is large in every layout.
   */
  layout: Layout = 'auto';

  /** The headless meeting of the current (or last) call; a new one for each join. */
  private _core: Meeting | undefined;

  // Provided to the elements inside (grid, controls, captions, picker, booth).
  readonly #provider = new ContextProvider(this, { context: meetingContext });

  private phase: 'lobby' | 'joining' | 'in-call' | 'left' = 'lobby';
  private notices: { text: string; error: boolean }[] = [];
  /** The side panel's tab while it is open. */
  private panel: PanelTab | undefined;
  #panelTab: PanelTab = 'people';
  /** The control-bar button that opened the panel: focus returns to it on close. */
  #panelOpener: HTMLElement | undefined;
  /** Why the last call ended, when the person should be told (`removed`, `denied`). */
  #leftReason = '';
  /** The call engine and the in-call elements are loaded (./call.ts): the call can be rendered. */
  #callLoaded = false;

  constructor() {
    super();
    // Why the call ended decides what the screen after it says.
    this.addEventListener('un75-left', (event) => {
      this.#leftReason = (event as CustomEvent<{ reason: string }>).detail.reason;
      this.panel = undefined;
    });
  }

  /**
   * The headless `Meeting` of the current (or last) call (read-only; see src/core/meeting.ts and
   * docs/headless.md): its session, captions, interpretation, languages and events. Undefined
   * before the first join; a new one for each join.
   */
  get core(): Meeting | undefined {
    return this._core;
  }

  /** @deprecated Use `core.session`. */
  get session(): MeetingSession | undefined {
    return this._core?.session;
  }

  /** Everyone in the room, oneself first. Empty before joining. */
  get participants(): Participant[] {
    return this._core?.participants ?? [];
  }

  /** The caption service of the current (or last) call (read-only): `core.captions`. */
  get captions(): CaptionService | undefined {
    return this._core?.captions;
  }

  /** The interpretation of the current call (read-only): `core.interpretation`. */
  get interpretation(): Interpretation | undefined {
    return this._core?.interpretation;
  }

  /**
   * Everything said so far, as WebVTT, JSON or text, in its original languages or translated into
   * `language`. Still available after leaving, until the next join.
   */
  async transcript(format: TranscriptFormat = 'vtt', language?: string): Promise<string> {
    return this._core?.transcript(format, language) ?? (await import('../../core/transcript.js')).formatTranscript(format, [], { startedAt: Date.now(), language });
  }

  /** Hosts: who waits in the waiting room to be let in (`[{ id, name }]`). Read-only. */
  get waiting(): WaitingPerson[] {
    return this._core?.waiting ?? [];
  }

  /** This person's camera and microphone stream once joined. */
  get localStream(): MediaStream | undefined {
    return this._core?.localStream;
  }

  /** How the call's media travels (read-only): `mesh` (peer to peer) or `sfu` (through the media server, docs/large-rooms.md). */
  get mode(): 'mesh' | 'sfu' {
    return this._core?.mode ?? 'mesh';
  }

  /** The room's agenda (read-only): its items, the index of the current one, and when it started (server clock, ms). */
  get agenda(): AgendaState | undefined {
    return this._core?.agenda;
  }

  /**
   * The room's polls (read-only), oldest first: `{ poll, state, result?, ballot? }` — the poll
   * (`question` and option labels per language), `prepared` (hosts only), `open` or `closed`, its
   * latest counts where they may be seen, and this person's own vote.
   */
  get polls(): MeetingPoll[] {
    return this._core?.polls ?? [];
  }

  /**
   * The room's ideas (read-only), in the order they arrived: `{ id, text, lang, machine, agree,
   * pass, disagree, consensus, hidden?, mergedInto?, source, pollId?, created, vote? }` — `text` by
   * language (the original under `lang`, machine translations listed in `machine`), this person's
   * own `vote`. Hosts see hidden ones too. `rankIdeas` (`un75-meeting/core`) orders them.
   */
  get ideas(): MeetingIdea[] {
    return this._core?.ideas ?? [];
  }

  /** The ideas' code (../ideas/un75-ideas.ts, a chunk of its own) has loaded. */
  #ideasLoaded = false;
  #ideasLoading: Promise<void> | undefined;
  /** The ideas are shown (the control-bar button). */
  #ideasOpen = false;

  #loadIdeas(): Promise<void> {
    this.#ideasLoading ??= import('../ideas/un75-ideas.js').then(
      () => {
        this.#ideasLoaded = true;
        this.requestUpdate();
      },
      (err: unknown) => {
        this.#ideasLoading = undefined;
        throw err;
      },
    );
    return this.#ideasLoading;
  }

  async #toggleIdeas() {
    this.#ideasOpen = !this.#ideasOpen;
    this.requestUpdate();
    if (!this.#ideasOpen) return;
    await this.#loadIdeas();
    await this.updateComplete;
    await this.renderRoot.querySelector('un75-ideas')?.compose();
  }

  /** The polls' code (../polls/un75-polls.ts, a chunk of its own) has loaded. */
  #pollsLoaded = false;
  #pollsLoading: Promise<void> | undefined;

  #loadPolls(): Promise<void> {
    this.#pollsLoading ??= import('../polls/un75-polls.js').then(
      () => {
        this.#pollsLoaded = true;
        this.requestUpdate();
      },
      (err: unknown) => {
        this.#pollsLoading = undefined;
        throw err;
      },
    );
    return this.#pollsLoading;
  }

  async #composePoll() {
    await this.#loadPolls();
    await this.updateComplete;
    await this.renderRoot.querySelector('un75-polls')?.compose();
  }

  /** Redraws the agenda's time left. */
  #clock: ReturnType<typeof setInterval> | undefined;
  #unhello: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#clock = setInterval(() => this.agenda && this.requestUpdate(), 20_000);
    this.#unhello = onServerHello(() => this.phase === 'lobby' && this.requestUpdate());
    preloadCall((engine) => {
      this.#callLoaded = true;
      if (this.phase !== 'lobby' || !this.isConnected) return;
      this.requestUpdate();
      // The WebRTC engine only: the socket waits for a clear intent to join (#preconnect).
      engine.warmUp(undefined, { socket: false });
    });
    this.#announce();
    if (this.autojoin && this.phase === 'lobby') void this.join().catch(() => {});
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#clock);
    this.#unhello?.();
    // A move within the page reconnects in the same task: only a real removal leaves the room.
    queueMicrotask(() => {
      if (!this.isConnected) this.leave('removed');
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#provider.setValue(this._core);
    const core = this._core;
    if (core) {
      // Attributes and properties map onto the meeting, which owns language state.
      if (changed.has('listenLanguage') || changed.has('spokenLanguage') || changed.has('floorVolume')) {
        // Without listen-language one listens in the language one speaks.
        core.setLanguages({ spoken: this.spokenLanguage || undefined, listen: this.listenLanguage || this.spokenLanguage || undefined, floorVolume: this.floorVolume });
      }
      if (changed.has('recognizer') && this.recognizer) core.setRecognizer(this.recognizer);
      if (changed.has('translator') || changed.has('translationEndpoint')) core.setTranslator(this.translator, this.translationEndpoint);
    }
    if ((changed as Map<PropertyKey, unknown>).has('phase') && this.phase === 'joining') this.#leftReason = '';
    if (changed.has('autojoin') && this.autojoin && this.isConnected && this.phase === 'lobby' && changed.get('autojoin') === false) {
      void this.join().catch(() => {});
    }
  }

  /**
   * While the pre-join screen shows, the signaling socket is opened ahead (src/core/preconnect.ts)
   * once the visitor shows a clear intent to join (`un75-lobby-intent`: the name field focused, the
   * pointer or focus on Join), so that the click on Join does not wait for the connection; again at
   * a later intent once the last one was closed unused, a few times a page at most.
   */
  #preconnect = () => {
    if (this.phase === 'lobby' && this.room && this.isConnected) preconnect(this.signaling || defaultSignalingUrl());
  };

  /**
   * Whether the visitor's speech would go to the server for captions: `recognition="server"`, or
   * `auto` with a server that recognises the spoken language (its `hello` on the socket opened
   * ahead). The pre-join screen says so (design §5.1); what the welcome offers decides in the end.
   */
  get #speechToServer(): boolean {
    if (this.recognizer) return false;
    if (this.recognition === 'server') return true;
    if (this.recognition !== 'auto') return false;
    const offered = serverAsrLanguages(this.signaling || defaultSignalingUrl());
    return offered !== undefined && asrLanguageKey(offered, this.spokenLanguage || navigator.language || 'en') !== undefined;
  }

  /** Tells elements bound with `for` that this meeting (or its core) is there. */
  #announce() {
    this.dispatchEvent(new Event(MEETING_READY, { bubbles: true, composed: true }));
  }

  /**
   * Joins the room: with the pre-join screen's choices when it was used, else with the element's
   * attributes. Resolves once in the room; rejects (and fires `un75-error`) if the server refuses.
   */
  async join(settings?: JoinSettings): Promise<void> {
    if (this.phase === 'joining' || this.phase === 'in-call') return;
    const name = (settings?.name ?? this.name).trim();
    this.notices = [];
    this.phase = 'joining';
    // The camera and microphone start now, while the call engine and the in-call elements load
    // (./call.ts): neither waits for the other. The pre-join screen hands over what it already has.
    // Without a name the pre-join screen asks for one, and opens its own preview.
    const cameraEnabled = settings?.cameraEnabled ?? !this.cameraOff;
    const media =
      settings?.media ??
      (name
        ? acquireLocalMedia({ audio: true, video: cameraEnabled, audioDeviceId: settings?.audioDeviceId, videoDeviceId: settings?.videoDeviceId })
        : undefined);
    const attached = this.isConnected;
    /** Releases the camera when nothing took it over. */
    const release = () => void Promise.resolve(media).then((m) => stopStream(m?.stream));
    let Meeting: typeof import('../../core/meeting.js').Meeting;
    try {
      Meeting = await loadCall();
    } catch (err) {
      release();
      this.phase = 'lobby';
      throw err;
    }
    mark('engine');
    // Taken off the page while loading: nothing to join for.
    if (attached && !this.isConnected) {
      release();
      this.phase = 'lobby';
      return;
    }
    const core = new Meeting({
      room: this.room,
      signalingUrl: this.signaling || undefined,
      name,
      token: this.token || undefined,
      joinAs: this.joinAs,
      spokenLanguage: this.spokenLanguage || undefined,
      listenLanguage: this.listenLanguage || undefined,
      floorVolume: this.floorVolume,
      interpreterLanguages: this.interpreterLanguages,
      agenda: this.agendaSource || undefined,
      dialogueTitle: this.dialogueTitle || undefined,
      translationEndpoint: this.translationEndpoint || undefined,
      translator: this.translator,
      recognizer: this.recognizer,
      recognition: this.recognition,
      micOff: this.micOff,
      cameraOff: this.cameraOff,
      iceTransportPolicy: this.iceTransportPolicy,
    });
    this._core = core;
    this.#forwardEvents(core);
    const joined = core.join({ ...settings, name, cameraEnabled, media });
    this.#announce();
    try {
      await joined;
    } catch (err) {
      // Refused before a session took the media over (a missing room name or name).
      if (!core.session) release();
      const code = (err as Partial<MeetingError>).code;
      // Nothing to call this person by: the pre-join screen asks.
      if (code === 'no-name') {
        this.phase = 'lobby';
        return;
      }
      // A missing room name is the page's mistake: nothing was joined, the pre-join screen stays.
      if (this._core === core) this.phase = code === 'bad-room' ? 'lobby' : 'left';
      throw new Error(this.notices.at(-1)?.text ?? (err as Error).message);
    }
  }

  /** Fires one of the element's public events: bubbling, and crossing shadow roots. */
  #emit<T>(type: string, detail: T) {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  #forwardEvents(core: Meeting) {
    const mine = () => this._core === core;
    // Meeting events the element fires again as its own, with the same detail.
    for (const type of REFIRED) {
      core.addEventListener(type, (event) => {
        if (!mine()) return;
        if (type === 'joined') this.phase = 'in-call';
        if (type === 'left') this.phase = 'left';
        this.requestUpdate();
        this.#emit(`un75-${type}`, (event as CustomEvent).detail);
      });
    }
    // The polls' code comes with the first poll this person may see.
    core.on('poll', () => mine() && void this.#loadPolls().catch(() => {}));
    // The ideas' code comes with the first idea (its live region says new ones, even closed).
    core.on('idea', () => mine() && void this.#loadIdeas().catch(() => {}));
    core.on('caption', (e) => mine() && this.#emit<Un75CaptionDetail>('un75-caption', e.detail));
    core.on('channel-change', (e) => mine() && this.#emit<Un75ChannelChangeDetail>('un75-channel-change', e.detail));
    core.on('languages-change', (e) => mine() && this.#followLanguages(e.detail));
    core.on('local-media', (e) => mine() && this.#showMediaProblem(e.detail.problem));
    core.on('error', (e) => mine() && e.detail.code !== 'no-name' && this.#fail(e.detail));
  }

  /** The element's properties follow the meeting's languages, whoever changed them. */
  #followLanguages(languages: Languages) {
    if (this.listenLanguage || languages.listen !== languages.spoken) this.listenLanguage = languages.listen;
    if (this.spokenLanguage || languages.spoken !== (navigator.language || 'en')) this.spokenLanguage = languages.spoken;
    this.floorVolume = languages.floorVolume;
  }

  /** True when the meeting's booth is open: this person interprets. */
  get #inBooth(): boolean {
    return Boolean(this._core?.boothLanguages);
  }

  #showMediaProblem(problem: MediaProblem | undefined) {
    const text = problem && problemText(this.#localize.t, problem);
    if (text) this.notices = [...this.notices, { text, error: false }];
  }

  #fail(error: MeetingError) {
    const { t } = this.#localize;
    // Refused at the door: a host removed this person earlier (the screen after the call says so).
    const refused = error.code === 'forbidden' && this.phase !== 'in-call';
    if (refused) this.#leftReason = 'removed';
    const text = refused ? t.removedMessage : (problemText(t, error.code) ?? error.message);
    // In a call, <un75-toasts> shows it, above the control bar.
    if (this.phase !== 'in-call' && !refused) this.notices = [...this.notices.filter((n) => n.text !== text), { text, error: true }];
    this.#emit<Un75ErrorDetail>('un75-error', { code: error.code, message: text });
  }

  /** Leaves the room and releases camera and microphone. */
  async leave(reason = 'left'): Promise<void> {
    return this._core?.leave(reason);
  }

  /** Turns the microphone on or off; flips it without an argument. Resolves with the new state. */
  async toggleMicrophone(on?: boolean): Promise<boolean> {
    return this._core?.toggleMicrophone(on) ?? false;
  }

  /** Turns the camera on or off; flips it without an argument. */
  async toggleCamera(on?: boolean): Promise<boolean> {
    return this._core?.toggleCamera(on) ?? false;
  }

  /** Starts or stops sharing the screen; flips it without an argument. */
  async toggleScreenShare(on?: boolean): Promise<boolean> {
    return this._core?.toggleScreenShare(on) ?? false;
  }

  /** Raises or lowers the hand; flips it without an argument. */
  async toggleHand(on?: boolean): Promise<boolean> {
    return this._core?.toggleHand(on) ?? false;
  }

  /** True while this person waits in a waiting room for a host to let them in. */
  get #isWaiting(): boolean {
    return this._core?.isWaiting ?? false;
  }

  async #togglePanel(tab: PanelTab, event: Event) {
    if (this.panel === tab) {
      this.#closePanel();
      return;
    }
    this.#panelOpener = event.currentTarget as HTMLElement;
    this.panel = this.#panelTab = tab;
    await this.updateComplete;
    const panel = this.renderRoot.querySelector('un75-side-panel');
    await panel?.updateComplete;
    panel?.focus();
  }

  #closePanel() {
    this.panel = undefined;
    this.#panelOpener?.focus();
  }

  #onPanelTab(event: CustomEvent<{ tab: PanelTab }>) {
    this.panel = this.#panelTab = event.detail.tab;
  }

  #renderWaiting() {
    const { t } = this.#localize;
    return html`<div part="waiting" class="screen" role="status">
      <h2>${t.waitingTitle}</h2>
      <p>${t.waitingBody}</p>
    </div>`;
  }

  #renderLeft() {
    const { t } = this.#localize;
    // `forbidden`: refused at the door, having been removed before.
    const removed = this.#leftReason === 'removed' || this.#leftReason === 'forbidden';
    const denied = this.#leftReason === 'denied';
    return html`<div part="left" class="screen" role=${removed || denied ? 'alert' : nothing}>
      <p>${removed ? t.removedMessage : denied ? t.deniedMessage : t.left}</p>
      ${removed ? nothing : html`<button @click=${() => (this.phase = 'lobby')}>${t.rejoin}</button>`}
    </div>`;
  }

  #renderCall(preparing: boolean) {
    const { t } = this.#localize;
    const unread = this._core?.unreadChat ?? 0;
    const host = this._core?.role === 'host';
    return html`
      ${this.#renderAgenda()}
      ${this.#pollsLoaded
        ? html`<un75-polls
            part="polls"
            exportparts="poll, question: poll-question, answer: poll-answer, button: poll-button, vote: poll-vote, status: poll-status, chart: poll-chart, results-table: poll-results-table, form: poll-form"
          ></un75-polls>`
        : nothing}
      ${this.#ideasLoaded
        ? html`<un75-ideas
            id="ideas"
            part="ideas"
            ?open=${this.#ideasOpen}
            exportparts="idea, text: idea-text, original: idea-original, label: idea-label, button: idea-button, vote: idea-vote, status: idea-status, form: idea-form"
          ></un75-ideas>`
        : nothing}
      <div class="body">
        <div part="stage">
          <un75-video-grid
            part="grid"
            .layout=${this.layout}
            exportparts="main-view, filmstrip, main-tile, speaker-view, tile-pin, tile, tile-base, tile-video, tile-name, tile-mic-off, tile-state, tile-hand, tile-badge, interpreters, interpreter-tile"
          ></un75-video-grid>
          ${this.noCaptions
            ? nothing
            : html`<un75-captions
                no-download
                exportparts="captions, caption-line, speaker, text: caption-text, label: caption-label, notes: caption-notes, download-model"
              ></un75-captions>`}
        </div>
        <un75-side-panel
          id="panel"
          part="panel"
          exportparts="tabs: panel-tabs, tab: panel-tab, tabpanel: panel-tabpanel, person, message, chat-input"
          .tab=${this.#panelTab}
          ?open=${this.panel !== undefined}
          @un75-panel-close=${this.#closePanel}
          @un75-panel-tab=${this.#onPanelTab}
        ></un75-side-panel>
      </div>
      ${this.#inBooth ? html`<un75-booth part="booth" exportparts="on-air, swap, cough, take-over, relay"></un75-booth>` : nothing}
      ${preparing
        ? nothing // the people already in the room when we arrive are not news
        : html`<un75-toasts part="toasts" exportparts="toast"></un75-toasts>`}
      <un75-controls part="controls" exportparts="button, mic, camera, screen, hand, leave">
        <un75-language-picker exportparts="picker, listen-picker, spoken-picker"></un75-language-picker>
        <button
          part="people-button"
          class="shell-button"
          aria-controls="panel"
          aria-expanded=${this.panel === 'people' ? 'true' : 'false'}
          @click=${(e: Event) => void this.#togglePanel('people', e)}
        >
          ${peopleIcon}<span class="text">${t.people}</span>
        </button>
        ${host
          ? html`<button part="polls-button" class="shell-button" @click=${() => void this.#composePoll().catch(() => {})}>
                <span class="text">${t.newPoll}</span>
              </button>
              <un75-report part="report" exportparts="report-button, menu: report-menu, report-json, report-csv, report-page, end-dialogue"></un75-report>`
          : nothing}
        <button
          part="ideas-button"
          class="shell-button"
          aria-controls=${this.#ideasLoaded ? 'ideas' : nothing}
          aria-expanded=${this.#ideasOpen ? 'true' : 'false'}
          @click=${() => void this.#toggleIdeas().catch(() => {})}
        >
          <span class="text">${t.ideas}</span>
        </button>
        <button
          part="chat-button"
          class="shell-button"
          aria-controls="panel"
          aria-expanded=${this.panel === 'chat' ? 'true' : 'false'}
          aria-label=${t.chatUnread(unread)}
          @click=${(e: Event) => void this.#togglePanel('chat', e)}
        >
          ${chatIcon}<span class="text" aria-hidden="true">${t.chat}</span>${unread > 0
            ? html`<span class="badge" aria-hidden="true">${new Intl.NumberFormat(t.$code).format(unread)}</span>`
            : nothing}
        </button>
      </un75-controls>
    `;
  }

  /**
   * Sends a chat message to everyone. Resolves with it as shown here; rejects (and fires
   * `un75-error` `{ code: 'chat-invalid' }`) when it is blank, longer than 1,000 characters, or
   * there is no call.
   */
  async sendChat(text: string): Promise<ChatEntry> {
    const core = this._core;
    if (!core) throw new Error('Chat needs a call to send to.');
    return core.sendChat(text);
  }

  // Host tools: anyone else gets `un75-error` `{ code: 'forbidden' }` and nothing changes.

  /** Removes a participant from the meeting; they get `un75-left` `{ reason: 'removed' }` and cannot come back. */
  async removeParticipant(id: string): Promise<void> {
    return this._core?.removeParticipant(id);
  }

  /** Asks a participant to mute; they get `un75-mute-requested` and decide. */
  async requestMute(id: string): Promise<void> {
    return this._core?.requestMute(id);
  }

  /** Locks the room (newcomers wait to be admitted) or opens it; flips it without an argument. */
  async toggleLock(on?: boolean): Promise<boolean> {
    return this._core?.toggleLock(on) ?? false;
  }

  /** Lets someone in from the waiting room. */
  async admit(id: string): Promise<void> {
    return this._core?.admit(id);
  }

  /** Turns someone in the waiting room away; they get `un75-left` `{ reason: 'denied' }`. */
  async deny(id: string): Promise<void> {
    return this._core?.deny(id);
  }

  /** Lowers a participant's raised hand. */
  async lowerHand(id: string): Promise<void> {
    return this._core?.lowerHand(id);
  }

  /** Makes a participant `host`, `interpreter` or `participant`. */
  async setRole(id: string, role: Role): Promise<void> {
    return this._core?.setRole(id, role);
  }

  /**
   * Gives the room an agenda: items, a template's name (`un75`) or a JSON agenda's URL. The first
   * item starts now; `un75-agenda-change` follows.
   */
  async setAgenda(agenda: readonly AgendaItem[] | string): Promise<void> {
    return this._core?.setAgenda(agenda);
  }

  /** Moves the room on to the next agenda item. */
  async nextItem(): Promise<void> {
    return this._core?.nextItem();
  }

  /**
   * Hosts: prepares a poll without opening it; resolves with its id. Rejects with the server's
   * `{ code, message }` (`forbidden`, `rate-limited`, `bad-message`) when refused.
   */
  async preparePoll(poll: NewPoll): Promise<string> {
    if (!this._core) throw new Error('Polls need a call.');
    return this._core.preparePoll(poll);
  }

  /**
   * Hosts: opens a poll — a new one, a prepared one by id, or a template by name (`un75-survey`:
   * the UN75 one-minute survey in the six UN languages). Resolves with the ids opened.
   */
  async openPoll(poll: NewPoll | string): Promise<string[]> {
    if (!this._core) throw new Error('Polls need a call.');
    return this._core.openPoll(poll);
  }

  /** Hosts: closes an open poll; everyone sees its final counts. */
  async closePoll(id: string): Promise<void> {
    if (!this._core) throw new Error('Polls need a call.');
    return this._core.closePoll(id);
  }

  /**
   * Votes in an open poll (a second vote replaces the first): `{ optionIds }`, `{ value }`,
   * `{ ranking }` or `{ text }` as its type takes. Resolves once the server stored it.
   */
  async vote(pollId: string, answer: PollAnswer): Promise<void> {
    if (!this._core) throw new Error('Polls need a call.');
    return this._core.vote(pollId, answer);
  }

  /**
   * Submits an idea (at most 280 characters, in this person's spoken language); resolves with its
   * id. Rejects with the server's `{ code, message }` (`bad-message`, `rate-limited`, `unavailable`).
   */
  async submitIdea(text: string): Promise<string> {
    if (!this._core) throw new Error('Ideas need a call.');
    return this._core.submitIdea(text);
  }

  /** Agrees (1), passes (0) or disagrees (-1) with an idea; a second vote replaces the first. */
  async voteIdea(id: string, vote: IdeaVote): Promise<void> {
    if (!this._core) throw new Error('Ideas need a call.');
    return this._core.voteIdea(id, vote);
  }

  /** Hosts: hides an idea from everyone but hosts (`hidden` false: shows it again). */
  async hideIdea(id: string, hidden = true): Promise<void> {
    if (!this._core) throw new Error('Ideas need a call.');
    return this._core.hideIdea(id, hidden);
  }

  /** Hosts: merges an idea into another (shown under it, out of the ranking), or separates it again with `null`. */
  async mergeIdea(id: string, into: string | null): Promise<void> {
    if (!this._core) throw new Error('Ideas need a call.');
    return this._core.mergeIdea(id, into);
  }

  /**
   * Hosts: the dialogue's report (design §8; its JSON Schema ships in the package:
   * `un75-meeting/schema/dialogue-report-1.schema.json`). `json`: the report (an interim one while
   * the dialogue goes on, the final one once it has ended); `csv`: `{ 'comments.csv', 'votes.csv',
   * 'summary.csv' }`, Pol.is's export files; `html`: a printable page in this element's UI language.
   * Rejects with the server's `{ code, message }` (`forbidden` for anyone but a host).
   */
  async report(format: ReportFormat = 'json'): Promise<DialogueReport | ReportCsv | string> {
    if (!this._core) throw new Error('The report needs a call.');
    return this._core.report(format, this.#localize.t.$code);
  }

  /** Hosts: ends the dialogue now; resolves with its final report (`un75-report-ready` for every host). */
  async endDialogue(): Promise<DialogueReport> {
    if (!this._core) throw new Error('The report needs a call.');
    return this._core.endDialogue();
  }

  /** Hosts: notes on an agenda question, for the report (≤ 4,000 characters). Resolves with them as kept. */
  async setNotes(itemId: string, text: string): Promise<string> {
    if (!this._core) throw new Error('Notes need a call.');
    return this._core.setNotes(itemId, text);
  }

  /** Hosts: what they are writing on each question, not saved yet. */
  #drafts = new Map<string, string>();
  #notesSaid = '';

  async #saveNotes(itemId: string) {
    const { t } = this.#localize;
    this.#notesSaid = '';
    try {
      await this.setNotes(itemId, this.#drafts.get(itemId) ?? this._core?.notes[itemId] ?? '');
      this.#drafts.delete(itemId);
      this.#notesSaid = t.notesSaved;
    } catch (err) {
      this.#notesSaid = err instanceof Error ? err.message : String(err);
    }
    this.requestUpdate();
  }

  #renderNotes(itemId: string) {
    const { t } = this.#localize;
    const value = this.#drafts.get(itemId) ?? this._core?.notes[itemId] ?? '';
    return html`<div class="notes">
      <label for="notes">${t.notesLabel}</label>
      <textarea
        id="notes"
        part="agenda-notes"
        dir="auto"
        rows="2"
        maxlength="4000"
        .value=${value}
        @input=${(e: Event) => this.#drafts.set(itemId, (e.target as HTMLTextAreaElement).value)}
      ></textarea>
      <button part="button agenda-notes-save" class="shell-button" @click=${() => void this.#saveNotes(itemId)}>${t.notesSave}</button>
      <span role="status">${this.#notesSaid}</span>
    </div>`;
  }

  /** The current question in the reader's language, item n of N, the minutes left; a host moves on. */
  #renderAgenda() {
    const agenda = this.agenda;
    const item = agenda?.items[agenda.current];
    if (!item) return nothing;
    const { t } = this.#localize;
    const prompt = promptFor(item.prompt, this._core!.languages.listen);
    const left = Math.max(0, Math.ceil(item.minutes - (Date.now() - agenda!.startedAt) / 60_000));
    const count = agenda!.items.length;
    return html`<section part="agenda" aria-label=${t.agendaItem(agenda!.current + 1, count)}>
      <p class="muted">${t.agendaItem(agenda!.current + 1, count)} · ${t.minutesLeft(left)}</p>
      <p aria-live="polite" lang=${prompt.lang} dir="auto">${prompt.text}</p>
      ${prompt.missing ? html`<p class="muted">${t.notTranslated}</p>` : nothing}
      ${this._core!.role === 'host' && agenda!.current + 1 < count
        ? html`<button part="button agenda-next" class="shell-button" @click=${() => this.nextItem()}>${t.nextQuestion}</button>`
        : nothing}
      ${this._core!.role === 'host' ? this.#renderNotes(item.id) : nothing}
    </section>`;
  }

  /** A language chosen on the pre-join screen: the call starts with it. */
  #onLobbyLanguage(event: CustomEvent<Un75LanguageChangeDetail>) {
    if (this._core) return; // the core has it already (the picker set it)
    if (event.detail.changed === 'spoken') this.spokenLanguage = event.detail.spokenLanguage;
    else this.listenLanguage = event.detail.listenLanguage;
  }

  #onLobbyJoin(event: CustomEvent<LobbyJoinDetail>) {
    event.stopPropagation();
    this.join(event.detail).catch(() => {});
  }

  override render() {
    const { t } = this.#localize;
    // The call is rendered ahead under the pre-join screen (not displayed), once its code is loaded:
    // the elements' first render (50-90 ms of the main thread) is then done before Join. While
    // joining it is laid out but hidden, and only shown at `joined`. Rendered at `joined` (tiles,
    // controls, picker, captions), it held up the handling of ICE and the first frame by as long.
    const ahead = this.phase === 'lobby' && this.#callLoaded;
    const preparing = this.phase === 'joining' && (this._core !== undefined || this.#callLoaded) && !this.#isWaiting;
    return html`
      <div part="base" class=${ahead ? 'ahead' : preparing ? 'preparing' : ''} dir=${this.#localize.dir} lang=${this.#localize.t.$code}>
        <div part="notices" role="status" aria-live="polite">
          ${this.notices.map((n) => html`<p class="notice ${n.error ? 'error' : ''}">${n.text}</p>`)}
        </div>
        ${this.phase === 'joining' && !this.#isWaiting ? html`<p part="joining" class="joining" role="status">${t.joining}</p>` : nothing}
        ${this.phase === 'lobby'
          ? html`<un75-lobby
              part="lobby"
              exportparts="base: lobby-base, preview: lobby-preview, join: lobby-join, notice: lobby-notice"
              .name=${this.name}
              .room=${this.room}
              ?mic-off=${this.micOff}
              ?camera-off=${this.cameraOff}
              ?server-recognition=${this.#speechToServer}
              @un75-lobby-join=${this.#onLobbyJoin}
              @un75-lobby-intent=${this.#preconnect}
            >
              <un75-language-picker
                slot="languages"
                part="lobby-languages"
                exportparts="picker: lobby-picker"
                .spokenLanguage=${this.spokenLanguage}
                .listenLanguage=${this.listenLanguage}
                @un75-language-change=${this.#onLobbyLanguage}
              ></un75-language-picker>
            </un75-lobby>`
          : nothing}
        ${this.phase === 'joining' && this.#isWaiting ? this.#renderWaiting() : nothing}
        ${this.phase === 'in-call' || preparing || ahead ? this.#renderCall(preparing || ahead) : nothing}
        ${this.phase === 'left' ? this.#renderLeft() : nothing}
      </div>
    `;
  }
}
