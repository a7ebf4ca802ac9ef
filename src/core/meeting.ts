import { parseAgendaItems, type AgendaItem, type AgendaState } from '../protocol/agenda.js';
import { ROLES, ROOM_PATTERN, type ErrorCode, type Role, type WaitingPerson } from '../protocol/signaling.js';
import { ActiveSpeaker } from './active-speaker.js';
import { CaptionService, type Caption, type TranscriptFormat } from './captions.js';
import { RECOGNITION_MODES, type RecognitionMode } from './captions.types.js';
import { ChatService, type ChatEntry } from './chat.js';
import { HandRaiseClock, handQueue } from './hands.js';
import { Interpretation, type Channel } from './interpretation.js';
import type { LocalMedia, MediaProblem } from './media.js';
import type { SpeechRecognizer } from './recognition.js';
import { ChosenRecognizer } from './recognition-choice.js';
import { defaultSignalingUrl, preconnect } from './preconnect.js';
import { warmUpWebRtc } from './mesh.js';
import { MeetingSession, PollRequestError, type MeetingIdea, type MeetingPoll, type NewPoll, type RemoteStreams, type SessionEvents } from './session.js';
import { POLL_TEMPLATE_IDS, type PollAnswer } from '../protocol/polls.js';
import { languageGroup, type IdeaVote } from '../protocol/ideas.js';
import { parseTitle, type DialogueReport, type ReportFormat } from '../protocol/report.js';
import type { ReportCsv } from '../report/format.js';
import type { ViewSource } from '../protocol/view.js';
import type { ViewSize } from './view-hints.js';
import { formatTranscript } from './transcript.js';
import { defaultTranslator, type Translator } from './translation.js';
import { TypedEventTarget } from './typed-event-target.js';
import type { Participant } from './types.js';

/**
 * Every `code` an `error` event (and `un75-error`) carries: the signaling server's codes
 * (docs/protocol.md), and what the client finds itself.
 */
export type MeetingErrorCode =
  | ErrorCode
  /** The signaling server cannot be reached (or the connection was lost for good). */
  | 'unreachable'
  | 'closed'
  /** `room` is missing or not a valid room name. */
  | 'bad-room'
  /** Nothing to call this person by: `name` is empty. */
  | 'no-name'
  | MediaProblem
  | 'screen-share-failed'
  /** `sendChat`: the text is blank or longer than MAX_CHAT_TEXT, or there is no call to send it to. */
  | 'chat-invalid'
  /** The page's `agenda` could not be fetched or is not a valid agenda. */
  | 'bad-agenda'
  /** `join()` rejects with it when a host turned this person away from the waiting room. */
  | 'denied';

export interface MeetingError {
  code: MeetingErrorCode;
  message: string;
}

/** What a `Meeting` is made with: the element's attributes and properties, camelCase. */
export interface MeetingOptions {
  /** Room name: letters, digits, `.`, `_`, `-`, up to 64. */
  room: string;
  /** WebSocket URL of the signaling server. Default: `/signal` on the page's own host. */
  signalingUrl?: string | undefined;
  /** Display name (can also be given to `join`). */
  name?: string | undefined;
  /** JWT for a server started with `--jwt-secret`. */
  token?: string | undefined;
  /** The role asked for; the server grants the one the UI should show (`self.role`). */
  joinAs?: Role | undefined;
  /** BCP 47 tag of what this person speaks. Default: the browser's language. */
  spokenLanguage?: string | undefined;
  /** BCP 47 tag captions are translated into and whose channel is played. Default: `spokenLanguage`. */
  listenLanguage?: string | undefined;
  /** 0–1: how loud the floor stays under an interpreter. Default 0.2. */
  floorVolume?: number | undefined;
  /** For interpreters: the booth's two languages, `"en fr"` or `['en', 'fr']`. */
  interpreterLanguages?: string | readonly string[] | undefined;
  /** URL of a LibreTranslate-compatible `/translate` API. */
  translationEndpoint?: string | undefined;
  /** Caption translator; default from `translationEndpoint`, else the browser's. */
  translator?: Translator | undefined;
  /** Speech recogniser for this person's captions; default: chosen by `recognition`. */
  recognizer?: SpeechRecognizer | undefined;
  /** Where speech is recognised when no `recognizer` is given (design §5.1). Default `auto`. */
  recognition?: RecognitionMode | undefined;
  /** Start with the microphone / camera off. */
  micOff?: boolean | undefined;
  cameraOff?: boolean | undefined;
  /** `relay` forces every link through TURN. */
  iceTransportPolicy?: RTCIceTransportPolicy | undefined;
  /**
   * The agenda a host gives a room that has none yet (design §8): a built-in template's name
   * (`un75`) or the URL of a JSON agenda (an array of items, or `{ items }`).
   */
  agenda?: string | undefined;
  /** Hosts: the dialogue's title, for its report (1–200 characters); without it, the first agenda question. */
  dialogueTitle?: string | undefined;
}

/** Choices made just before joining (the pre-join screen's). */
export interface JoinSettings {
  name?: string | undefined;
  micEnabled?: boolean | undefined;
  cameraEnabled?: boolean | undefined;
  audioDeviceId?: string | undefined;
  videoDeviceId?: string | undefined;
  /**
   * Media already acquired (e.g. a preview), or still being acquired (a promise, so that the camera
   * starts while other things load); the meeting takes ownership of it. When `join` rejects before
   * anything was joined (`bad-room`, `no-name`), it is still the caller's.
   */
  media?: LocalMedia | Promise<LocalMedia> | undefined;
}

export interface Languages {
  /** What this person speaks (their captions are recognised in it; others see it). */
  spoken: string;
  /** What they want to understand (captions are translated into it; its channel is played). */
  listen: string;
  /** 0–1: the floor's volume under an interpreter. */
  floorVolume: number;
}

/** The session's events a Meeting passes on as they are (see MeetingSession). */
type PassedOn =
  | 'joined'
  | 'left'
  | 'participant-joined'
  | 'participant-left'
  | 'participant-updated'
  | 'streams'
  | 'connection-state'
  | 'local-media'
  | 'waiting-room'
  | 'waiting-change'
  | 'lock-change'
  | 'mute-requested'
  | 'role-change'
  | 'agenda-change'
  | 'poll'
  | 'idea'
  | 'mode-change'
  | 'report-ready'
  | 'agenda-note';

const PASSED_ON: readonly PassedOn[] = [
  'joined',
  'left',
  'participant-joined',
  'participant-left',
  'participant-updated',
  'streams',
  'connection-state',
  'local-media',
  'waiting-room',
  'waiting-change',
  'lock-change',
  'mute-requested',
  'role-change',
  'agenda-change',
  'poll',
  'idea',
  'mode-change',
  'report-ready',
  'agenda-note',
];

/** The language ideas are read in, when the server would not translate into it for the spoken one. */
const ideaLanguage = ({ spoken, listen }: Languages): string | undefined => (languageGroup(listen) === languageGroup(spoken) ? undefined : listen);

export interface MeetingEvents extends Pick<SessionEvents, PassedOn> {
  /** A caption shown or updated, after translation into the listen language. */
  caption: CustomEvent<{ caption: Caption }>;
  /** What this person hears changed (`channel` null: the floor at full volume). */
  'channel-change': CustomEvent<{ listenLanguage: string; channel: Channel | null }>;
  /** `setLanguages` (or the interpretation's slider) changed the languages or the floor volume. */
  'languages-change': CustomEvent<Languages>;
  /** A chat message to show (after translation into the listen language), one's own too. */
  chat: CustomEvent<{ message: ChatEntry }>;
  /** The chat list, a translation in it or the unread count changed. */
  'chat-change': CustomEvent<undefined>;
  error: CustomEvent<MeetingError>;
  /** This person's speech goes to the server's recogniser for captions (once a meeting: the UI says so). */
  'speech-to-server': CustomEvent<undefined>;
  /**
   * The floor changed hands (audio levels with hysteresis: src/core/active-speaker.ts); `id` is
   * undefined when the speaker left and nobody else qualifies, or the call ended.
   */
  'active-speaker': CustomEvent<{ id: string | undefined }>;
}

export type { ChatEntry, WaitingPerson };

/** The booth's two languages from `"en fr"` / `['en', 'fr']`, or undefined. */
function pair(value: string | readonly string[] | undefined): [string, string] | undefined {
  const [from, to] = typeof value === 'string' ? value.trim().split(/[\s,]+/) : (value ?? []);
  return from && to ? [from, to] : undefined;
}

/**
 * A meeting without any UI: the session (signaling, mesh, media), captions and interpretation, and
 * the rules that tie them together — interpreters are not captioned, recognition follows the
 * microphone, audio is routed by the interpretation channel, the spoken language is published to
 * the others, the transcript stays readable after leaving. `<un75-meeting>` is a view over one;
 * a custom UI can be built on it alone (docs/headless.md).
 *
 * Events: see {@link MeetingEvents}.
 */
export class Meeting extends TypedEventTarget<MeetingEvents> {
  readonly #options: MeetingOptions;
  #languages: Languages;
  /** The person was told that their speech goes to the server (see 'speech-to-server'). */
  #toldSpeechToServer = false;
  #session: MeetingSession | undefined;
  #captions: CaptionService | undefined;
  #interpretation: Interpretation | undefined;
  #translator: Translator | undefined;
  #chat: ChatService | undefined;
  /** When this page saw each hand go up, for hands the server's clock does not date (one's own). */
  readonly #handClock = new HandRaiseClock();
  /** The role the server granted in the current (or last) call. */
  #granted: Role | undefined;
  #activeSpeaker: ActiveSpeaker | undefined;

  /**
   * Gets a join ready while a pre-join screen shows: opens the signaling socket to `signalingUrl`
   * (default: `/signal` on the page's host), which the next `join()` to it takes over (closed
   * unused after 5 s: call again at the visitor's next clear intent to join; three sockets a page
   * at most), and sets up the browser's WebRTC engine when the page is idle (a page's first peer
   * connection pays 7-25 ms for it in Chromium). No room is joined and nothing is sent to anyone.
   * Call it when the visitor shows they mean to join (focus in the name field, the pointer on
   * Join), not when the screen appears: each socket counts against the visitor's address at the
   * server. `{ socket: false }` sets up the WebRTC engine only.
   */
  static warmUp(signalingUrl?: string, { socket = true }: { socket?: boolean } = {}): void {
    if (socket) preconnect(signalingUrl || defaultSignalingUrl());
    warmUpWebRtc();
  }

  constructor(options: MeetingOptions) {
    super();
    this.#options = { ...options };
    const spoken = options.spokenLanguage || globalThis.navigator?.language || 'en';
    this.#languages = { spoken, listen: options.listenLanguage || spoken, floorVolume: options.floorVolume ?? 0.2 };
    this.#translator = options.translator ?? defaultTranslator(options.translationEndpoint ?? '');
  }

  /** The session of the current (or last) call: signaling, mesh, media. */
  get session(): MeetingSession | undefined {
    return this.#session;
  }

  /** Captions of the current (or last) call. */
  get captions(): CaptionService | undefined {
    return this.#captions;
  }

  /** Interpretation channels and booth of the current call. */
  get interpretation(): Interpretation | undefined {
    return this.#interpretation;
  }

  /** Everyone in the room, oneself first (`isSelf`). Empty before joining. */
  get participants(): Participant[] {
    return this.#session?.participants ?? [];
  }

  /** This person's camera and microphone once joining. */
  get localStream(): MediaStream | undefined {
    return this.#session?.localStream;
  }

  /** A participant's camera and screen streams. */
  streamsOf(id: string): RemoteStreams {
    return this.#session?.streamsOf(id) ?? {};
  }

  /**
   * Who has the floor: the participant (oneself included) who spoke last, kept through pauses
   * until someone else speaks for 1 s (3 s while they still talk). Undefined before anyone spoke
   * and after leaving. Changes fire `active-speaker`.
   */
  get activeSpeaker(): string | undefined {
    return this.#activeSpeaker?.current;
  }

  /** The current languages and floor volume (a copy). */
  get languages(): Languages {
    return { ...this.#languages };
  }

  /** Chat of the current (or last) call. */
  get chat(): ChatService | undefined {
    return this.#chat;
  }

  /** The chat messages kept, oldest first (a history received on arrival before what came live). */
  get chatMessages(): readonly ChatEntry[] {
    return this.#chat?.messages ?? [];
  }

  /** Messages from others since the last {@link markChatRead}. */
  get unreadChat(): number {
    return this.#chat?.unread ?? 0;
  }

  markChatRead(): void {
    this.#chat?.markRead();
  }

  /** Hosts: who waits in the waiting room to be let in. Empty for anyone else. */
  get waiting(): WaitingPerson[] {
    return this.#session?.waiting ?? [];
  }

  /** The room's agenda: its items, the current one and when it started (server clock, ms). */
  /** How the call's media travels: `mesh` (peer to peer) or `sfu` (the room's media server, design §4.1). */
  get mode(): 'mesh' | 'sfu' {
    return this.#session?.mode ?? 'mesh';
  }

  get agenda(): AgendaState | undefined {
    return this.#session?.agenda;
  }

  /**
   * Hosts: gives the room an agenda: items, a built-in template's name (`un75`) or the URL of a
   * JSON agenda, fetched by this page. The item in progress starts again from the first.
   * Rejects when a fetched agenda is not valid; `agenda-change` follows when the server took it.
   */
  async setAgenda(agenda: readonly AgendaItem[] | string): Promise<void> {
    let items: AgendaItem[] | string = typeof agenda === 'string' ? agenda : [...agenda];
    if (typeof agenda === 'string' && !/^[a-z0-9-]+$/.test(agenda)) {
      const response = await fetch(agenda);
      if (!response.ok) throw new Error(`agenda ${agenda}: HTTP ${response.status}`);
      const json = (await response.json()) as unknown;
      items = parseAgendaItems(Array.isArray(json) ? json : (json as { items?: unknown })?.items);
    }
    this.#session?.setAgenda(items);
  }

  /** Hosts: moves the room on to its next agenda item. */
  async nextItem(): Promise<void> {
    this.#session?.nextItem();
  }

  /**
   * The room's polls (design §8), oldest first: each `{ poll, state, result?, ballot? }` — its
   * definition, `prepared` (hosts only) / `open` / `closed`, its latest counts where they may be
   * seen (live polls while open, every poll once closed), and this member's own ballot.
   */
  get polls(): MeetingPoll[] {
    return this.#session?.polls ?? [];
  }

  #polling(): MeetingSession {
    if (!this.#session) throw new PollRequestError('closed', 'polls need a call: join first');
    return this.#session;
  }

  /**
   * Hosts: prepares a poll without opening it (for later: `openPoll(id)`). Resolves with its id
   * once the server has it; rejects with the server's `{ code, message }` (`forbidden`,
   * `rate-limited`, `bad-message`, …) when it refuses.
   */
  async preparePoll(poll: NewPoll): Promise<string> {
    return this.#polling().preparePoll(poll);
  }

  /**
   * Hosts: opens a poll — a new one (prepared, then opened), a prepared one by its id, or every poll
   * of a built-in template by its name (`un75-survey`: the UN75 one-minute survey, five polls in the
   * six UN languages). Resolves with the ids opened; `poll` events follow for everyone.
   */
  async openPoll(poll: NewPoll | string): Promise<string[]> {
    const session = this.#polling();
    let ids: string[];
    if (typeof poll !== 'string') ids = [await session.preparePoll(poll)];
    else if (Object.hasOwn(POLL_TEMPLATE_IDS, poll)) ids = await session.prepareTemplate(poll);
    else ids = [poll];
    await Promise.all(ids.map((id) => session.openPoll(id)));
    return ids;
  }

  /**
   * Hosts: the dialogue's report (design §8, schema/dialogue-report-1.schema.json): `json` the
   * report itself (an interim one while the dialogue goes on, the final one once it has ended);
   * `csv` the three Pol.is-compatible files (`comments.csv`, `votes.csv`, `summary.csv`); `html` a
   * printable page in `lang` (default English). The files are made by a chunk loaded on first use.
   * Rejects with the server's `{ code, message }` (`forbidden` for anyone but a host).
   */
  report(format: 'json', lang?: string): Promise<DialogueReport>;
  report(format: 'csv', lang?: string): Promise<ReportCsv>;
  report(format: 'html', lang?: string): Promise<string>;
  report(format?: ReportFormat, lang?: string): Promise<DialogueReport | ReportCsv | string>;
  async report(format: ReportFormat = 'json', lang = 'en'): Promise<DialogueReport | ReportCsv | string> {
    const [report, files] = await Promise.all([this.#polling().requestReport(), format === 'json' ? undefined : import('../report/format.js')]);
    if (!files) return report;
    return format === 'csv' ? files.reportCsv(report, lang) : files.reportHtml(report, lang);
  }

  /** Hosts: ends the dialogue now; resolves with its final report (`report-ready` follows for every host). */
  async endDialogue(): Promise<DialogueReport> {
    return this.#polling().endDialogue();
  }

  /** Hosts: notes on an agenda question, for the report (≤ 4,000 characters; empty removes them). Resolves with them as kept. */
  async setNotes(itemId: string, text: string): Promise<string> {
    return this.#polling().setNotes(itemId, text);
  }

  /** Hosts: the notes this page wrote on each agenda question, as the server kept them. */
  get notes(): Record<string, string> {
    return this.#session?.notes ?? {};
  }

  /** Hosts: closes an open poll; everyone gets its final counts. */
  async closePoll(id: string): Promise<void> {
    return this.#polling().closePoll(id);
  }

  /**
   * Votes in an open poll: `{ optionIds }` (single, multiple), `{ value }` (scale), `{ ranking }`
   * (ranking), `{ text }` (open, words). A second vote replaces the first. Resolves once the server
   * stored it; rejects with its `{ code, message }` otherwise.
   */
  async vote(pollId: string, answer: PollAnswer): Promise<void> {
    return this.#polling().vote(pollId, answer);
  }

  /**
   * The room's ideas (design §8), in the order they arrived (`rankIdeas` from `un75-meeting/core`
   * orders them by agreement): `{ id, text, lang, machine, agree, pass, disagree, consensus,
   * hidden?, mergedInto?, source, pollId?, created, vote? }`. Hosts see hidden ones too.
   */
  get ideas(): MeetingIdea[] {
    return this.#session?.ideas ?? [];
  }

  /**
   * Submits an idea (at most 280 characters, in this person's spoken language); resolves with its id
   * once the server stored it. Rejects (`PollRequestError`) with `bad-message` (too long, control or
   * bidi characters, the room's or this person's limit), `rate-limited`, `unavailable`.
   */
  async submitIdea(text: string): Promise<string> {
    return this.#polling().submitIdea(text);
  }

  /** Agrees (1), passes (0) or disagrees (-1) with an idea; a second vote replaces the first. */
  async voteIdea(id: string, vote: IdeaVote): Promise<void> {
    return this.#polling().voteIdea(id, vote);
  }

  /** Hosts: hides an idea from everyone but hosts (`hidden` false: shows it again). */
  async hideIdea(id: string, hidden = true): Promise<void> {
    return this.#polling().hideIdea(id, hidden);
  }

  /** Hosts: merges an idea into another (shown under it, out of the ranking), or takes it out again with `null`. */
  async mergeIdea(id: string, into: string | null): Promise<void> {
    return this.#polling().mergeIdea(id, into);
  }

  /** Whether a host locked the room: newcomers wait to be admitted. */
  get locked(): boolean {
    return this.#session?.locked ?? false;
  }

  /** This person is in the waiting room of a locked room, until a host admits or denies them. */
  get isWaiting(): boolean {
    return this.#session?.isWaiting ?? false;
  }

  /** The raised hands, first raised first (server time; one's own by when this page saw it go up). */
  get hands(): Participant[] {
    return handQueue(this.participants, this.#handClock.seenAt);
  }

  /**
   * The role the server granted (`welcome.self.role`, then any change a host made); before the first
   * join, the one asked for.
   */
  get role(): Role {
    const asked = this.#options.joinAs;
    return this.#session?.role ?? this.#granted ?? (asked && ROLES.includes(asked) ? asked : 'participant');
  }

  /** The booth's languages when this person interprets (granted role, `interpreterLanguages`). */
  get boothLanguages(): [string, string] | undefined {
    return this.role === 'interpreter' ? pair(this.#options.interpreterLanguages) : undefined;
  }

  /**
   * The one place language state changes: captions are re-translated, the channel follows the
   * listen language, the spoken language is recognised and published to the others. Fires
   * `languages-change` when anything changed.
   */
  setLanguages(change: Partial<Languages>): void {
    const next = { ...this.#languages };
    if (change.spoken) next.spoken = change.spoken;
    if (change.listen) next.listen = change.listen;
    if (typeof change.floorVolume === 'number' && Number.isFinite(change.floorVolume)) {
      next.floorVolume = Math.min(1, Math.max(0, change.floorVolume));
    }
    const before = this.#languages;
    if (next.spoken === before.spoken && next.listen === before.listen && next.floorVolume === before.floorVolume) return;
    this.#languages = next;
    for (const part of [this.#captions, this.#chat]) {
      if (!part) continue;
      part.spokenLanguage = next.spoken;
      part.listenLanguage = next.listen;
    }
    if (next.spoken !== before.spoken && this.#session?.state === 'joined') this.#session.setSpokenLanguage(next.spoken);
    this.#session?.setIdeaLanguage(ideaLanguage(next));
    const interpretation = this.#interpretation;
    if (interpretation) {
      interpretation.listenLanguage = next.listen;
      interpretation.floorVolume = next.floorVolume;
    }
    this.dispatch('languages-change', { ...next });
  }

  /** Replaces the caption translator: the one given, else one for `endpoint`, else the browser's. */
  setTranslator(translator: Translator | undefined, endpoint = ''): void {
    this.#translator = translator ?? defaultTranslator(endpoint);
    if (this.#captions) this.#captions.translator = this.#translator;
    if (this.#chat) this.#chat.translator = this.#translator;
  }

  /** Replaces the speech recogniser for the next start of recognition. */
  setRecognizer(recognizer: SpeechRecognizer): void {
    this.#options.recognizer = recognizer;
    if (this.#captions) this.#captions.recognizer = recognizer;
  }

  #fail(error: MeetingError): Error {
    this.dispatch('error', error);
    return Object.assign(new Error(error.message), { code: error.code });
  }

  /**
   * Joins the room. Resolves once in the room; rejects (after an `error` event) when the room name
   * or the name is missing or the server refuses. A new call replaces the last one's session,
   * captions and interpretation.
   */
  async join(settings: JoinSettings = {}): Promise<void> {
    const state = this.#session?.state;
    if (state === 'joining' || state === 'joined' || state === 'reconnecting') return;
    const options = this.#options;
    if (!ROOM_PATTERN.test(options.room)) throw this.#fail({ code: 'bad-room', message: 'The room name is missing or not valid.' });
    const name = (settings.name ?? options.name ?? '').trim();
    if (!name) throw this.#fail({ code: 'no-name', message: 'A name is needed to join.' });
    const session = new MeetingSession({
      signalingUrl: options.signalingUrl || defaultSignalingUrl(),
      room: options.room,
      name,
      token: options.token || undefined,
      // What is asked for; the server decides what is granted (welcome.self.role).
      role: options.joinAs && ROLES.includes(options.joinAs) ? options.joinAs : 'participant',
      spokenLanguage: this.#languages.spoken,
      micEnabled: settings.micEnabled ?? !options.micOff,
      cameraEnabled: settings.cameraEnabled ?? !options.cameraOff,
      audioDeviceId: settings.audioDeviceId,
      videoDeviceId: settings.videoDeviceId,
      localMedia: settings.media,
      iceTransportPolicy: options.iceTransportPolicy,
    });
    this.#session = session;
    session.setIdeaLanguage(ideaLanguage(this.#languages));
    this.#granted = undefined;
    // The parts first: when `joined` reaches the listeners, captions, chat and booth are set up
    // (the chat history a member sends on arrival is caught).
    this.#startCaptions(session, name);
    this.#startChat(session, name);
    this.#startInterpretation(session);
    this.#forwardEvents(session);
    this.#followSpeakers(session);
    try {
      await session.join();
    } catch (err) {
      const { code, message } = err as MeetingError;
      // The error event came from the session (except for `denied`, which `left` tells).
      throw Object.assign(new Error(message), { code });
    }
  }

  /** Leaves the room and releases camera and microphone. The transcript stays readable. */
  async leave(reason = 'left'): Promise<void> {
    this.#session?.leave(reason);
  }

  /** Turns the microphone on or off; flips it without an argument. Resolves with the new state. */
  async toggleMicrophone(on?: boolean): Promise<boolean> {
    return this.#session?.setMicrophone(on) ?? false;
  }

  /** Turns the camera on or off; flips it without an argument. */
  async toggleCamera(on?: boolean): Promise<boolean> {
    return (await this.#session?.setCamera(on)) ?? false;
  }

  /** Starts or stops sharing the screen; flips it without an argument. */
  async toggleScreenShare(on?: boolean): Promise<boolean> {
    return (await this.#session?.setScreenShare(on)) ?? false;
  }

  /** Raises or lowers the hand; flips it without an argument. */
  async toggleHand(on?: boolean): Promise<boolean> {
    return this.#session?.setHand(on) ?? false;
  }

  /**
   * Sends a chat message to everyone. Resolves with it as shown here; throws (after an `error`
   * event with code `chat-invalid`) when it is blank, longer than MAX_CHAT_TEXT characters, or
   * there is no call.
   */
  async sendChat(text: string): Promise<ChatEntry> {
    const chat = this.#chat;
    const state = this.#session?.state;
    // While reconnecting the data channels usually still carry it.
    if (!chat || (state !== 'joined' && state !== 'reconnecting')) throw this.#fail({ code: 'chat-invalid', message: 'Chat needs a call to send to.' });
    try {
      return chat.send(text);
    } catch (err) {
      throw this.#fail({ code: 'chat-invalid', message: (err as Error).message });
    }
  }

  // Host tools (design §3.1). Anyone else is answered `forbidden` by the server (an `error`
  // event) and nothing changes; what changes is told by the events, never assumed here.

  /** Removes a participant; they get `left` `{ reason: 'removed' }` and cannot come back. */
  async removeParticipant(id: string): Promise<void> {
    this.#session?.remove(id);
  }

  /** Asks a participant to mute; they get `mute-requested` and decide. */
  async requestMute(id: string): Promise<void> {
    this.#session?.requestMute(id);
  }

  /** Locks the room (newcomers wait) or opens it; flips it without an argument. Resolves with the state asked for. */
  async toggleLock(on = !this.locked): Promise<boolean> {
    this.#session?.lock(on);
    return on;
  }

  /** Lets someone in from the waiting room. */
  async admit(id: string): Promise<void> {
    this.#session?.admit(id);
  }

  /** Turns someone in the waiting room away; they get `left` `{ reason: 'denied' }`. */
  async deny(id: string): Promise<void> {
    this.#session?.deny(id);
  }

  /** Lowers a participant's raised hand. */
  async lowerHand(id: string): Promise<void> {
    this.#session?.lowerHand(id);
  }

  /** Makes a participant host, interpreter or participant. */
  async setRole(id: string, role: Role): Promise<void> {
    this.#session?.setRole(id, role);
  }

  /**
   * At what size this UI shows `peerId`'s camera (or screen share), in device pixels, or null
   * while it is not shown: that sender then scales its video to us down or pauses it. A custom UI
   * calls it for each video it shows (docs/headless.md); `<un75-participant-tile>` does it itself.
   */
  setViewSize(peerId: string, size: ViewSize | null, source: ViewSource = 'camera'): void {
    this.#session?.setViewSize(peerId, size, source);
  }

  /**
   * Everything said so far, as WebVTT, JSON or text, in its original languages or translated into
   * `language`. Still available after leaving, until the next join.
   */
  async transcript(format: TranscriptFormat = 'vtt', language?: string): Promise<string> {
    // Chat goes into the JSON transcript only (WebVTT and text are what was said).
    const chat = format === 'json' && this.#chat ? await this.#chat.transcriptLines(language) : undefined;
    return this.#captions?.transcript(format, language, chat) ?? formatTranscript(format, [], { startedAt: Date.now(), language, chat });
  }

  #forwardEvents(session: MeetingSession) {
    const mine = () => this.#session === session;
    const noteHands = () => mine() && this.#handClock.observe(session.participants);
    for (const type of ['joined', 'participant-joined', 'participant-left', 'participant-updated'] as const) session.addEventListener(type, noteHands);
    session.on('joined', () => {
      if (!mine()) return;
      this.#granted = session.role;
      // A host gives a room without an agenda the one this page names; one in progress is kept.
      const agenda = this.#options.agenda;
      if (agenda && session.role === 'host' && !session.agenda) {
        this.setAgenda(agenda).catch((err: unknown) => this.dispatch('error', { code: 'bad-agenda', message: String(err) }));
      }
      // A host's page names the dialogue for its report (a title the server would refuse is not sent).
      const title = this.#options.dialogueTitle;
      if (title && session.role === 'host') {
        try {
          session.setDialogueTitle(parseTitle(title));
        } catch {
          // Nothing visible in it, or too long: the report keeps its default title.
        }
      }
    });
    session.on('role-change', (e) => {
      if (mine()) this.#granted = e.detail.role;
    });
    for (const type of PASSED_ON) {
      session.addEventListener(type, (event) => {
        if (mine()) this.dispatchEvent(new CustomEvent(type, { detail: (event as CustomEvent).detail }));
      });
    }
    session.on('error', (e) => mine() && this.dispatch('error', e.detail as MeetingError));
  }

  #followSpeakers(session: MeetingSession) {
    const speaker = new ActiveSpeaker();
    this.#activeSpeaker = speaker;
    const stop = speaker.watch(session);
    speaker.on('change', (e) => this.#activeSpeaker === speaker && this.dispatch('active-speaker', e.detail));
    session.on('left', () => {
      stop();
      if (this.#activeSpeaker !== speaker) return;
      this.#activeSpeaker = undefined;
      if (speaker.current !== undefined) this.dispatch('active-speaker', { id: undefined });
    });
  }

  #startCaptions(session: MeetingSession, name: string) {
    this.#captions?.dispose();
    const { recognizer, recognition = 'auto' } = this.#options;
    const captions = new CaptionService(session, {
      spokenLanguage: this.#languages.spoken,
      listenLanguage: this.#languages.listen,
      recognizer:
        recognizer ??
        (recognition === 'off' || !RECOGNITION_MODES.includes(recognition)
          ? null
          : new ChosenRecognizer(recognition, session, () => {
              if (this.#toldSpeechToServer || this.#session !== session) return;
              this.#toldSpeechToServer = true;
              this.dispatch('speech-to-server', undefined);
            })),
      translator: this.#translator ?? null,
      name,
    });
    this.#captions = captions;
    const mine = () => this.#captions === captions && this.#session === session;
    captions.on('caption', (e) => mine() && this.dispatch('caption', e.detail));
    session.on('joined', () => {
      const track = session.localStream.getAudioTracks()[0];
      // Without a microphone this person only listens: nothing to recognise. An interpreter's
      // voice is a channel, not the floor: it is not captioned (listeners already have the
      // floor's captions in their language).
      if (mine() && track && !this.boothLanguages) void captions.start(track, !session.micEnabled);
    });
    session.on('participant-updated', (e) => {
      if (!mine() || e.detail.participant.id !== session.selfId || this.boothLanguages) return;
      // Recognition follows the microphone: nothing is captioned while it is off.
      if (session.micEnabled) void captions.resume(session.localStream.getAudioTracks()[0]);
      else captions.pause();
    });
    // The transcript stays readable after leaving; recognition stops with the microphone.
    session.on('left', () => captions.stop());
    // A host made this person interpreter (not captioned: their voice is a channel) or took it back.
    session.on('role-change', () => {
      if (!mine() || session.state !== 'joined') return;
      const track = session.localStream.getAudioTracks()[0];
      if (this.boothLanguages || !session.micEnabled) captions.pause();
      else if (track) void captions.resume(track);
    });
  }

  #startChat(session: MeetingSession, name: string) {
    this.#chat?.dispose();
    const chat = new ChatService(session, {
      spokenLanguage: this.#languages.spoken,
      listenLanguage: this.#languages.listen,
      translator: this.#translator ?? null,
      name,
    });
    this.#chat = chat;
    const mine = () => this.#chat === chat && this.#session === session;
    chat.on('message', (e) => mine() && this.dispatch('chat', e.detail));
    chat.on('change', () => mine() && this.dispatch('chat-change', undefined));
    // The messages stay readable after leaving (and go into the transcript); nothing more arrives.
    session.on('left', () => chat.dispose());
  }

  #startInterpretation(session: MeetingSession) {
    this.#interpretation?.dispose();
    // No booth before the server has granted the role: a page that asked for it may be refused.
    const interpretation = new Interpretation(session, {
      listenLanguage: this.#languages.listen,
      floorVolume: this.#languages.floorVolume,
    });
    this.#interpretation = interpretation;
    session.audio.setPolicy(interpretation.volumeFor);
    // channel-change on every change of what this person hears: their language or its channel.
    // (Not for a change that leaves it as it was, such as an announcement not believed yet.)
    const heardKey = () => {
      const channel = interpretation.heard;
      return JSON.stringify([interpretation.listenLanguage, channel?.lang, channel?.interpreterId, interpretation.floorVolume]);
    };
    let last = heardKey();
    // The languages this interpreter went on air in, told to the server once each (the report's channels).
    const onAir = new Set<string>();
    interpretation.on('change', () => {
      if (this.#interpretation !== interpretation) return;
      const booth = interpretation.boothState;
      if (booth?.onAir && session.self?.role === 'interpreter' && !onAir.has(booth.to)) {
        onAir.add(booth.to);
        session.sendOnAir(booth.to);
      }
      session.audio.update();
      // The floor volume can be set on the interpretation directly (a booth slider): keep one truth.
      if (interpretation.floorVolume !== this.#languages.floorVolume) this.setLanguages({ floorVolume: interpretation.floorVolume });
      const key = heardKey();
      if (key === last) return;
      last = key;
      this.dispatch('channel-change', { listenLanguage: interpretation.listenLanguage, channel: interpretation.heard });
    });
    session.on('left', () => interpretation.dispose());
    // The booth follows the granted role, by one path: granted in the welcome (from a token, or to
    // an interpreter a trusting server believed), or by a host during the call, it opens and goes on
    // air on every link; taken away, it closes for everyone.
    const follow = () => {
      if (this.#interpretation === interpretation) interpretation.setBooth(this.boothLanguages);
    };
    session.on('joined', follow);
    session.on('role-change', follow);
  }
}
