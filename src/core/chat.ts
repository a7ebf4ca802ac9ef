/**
 * Chat of a meeting (design §5.5, docs/chat.md): messages go to every peer over the data channels
 * and are shown in each reader's listen language through the same translator and cache as the
 * captions. A newcomer receives the recent history from one member. Plain TypeScript: the elements
 * render what it announces.
 */

import {
  CHAT_TRANSLATION_RATE,
  MAX_CHAT_HISTORY,
  MAX_CHAT_HISTORY_CHARS,
  MAX_CHAT_TEXT,
  ChatMessageError,
  clampChatTime,
  cleanChatText,
  parseChatHistoryMessage,
  parseChatMessage,
} from '../protocol/chat.js';
import type { ChatHistoryEntry, ChatHistoryMessage, ChatMessage } from '../protocol/chat.js';
import type { CaptionNote } from './captions.types.js';
import type { ChatTranscriptLine } from './transcript.js';
import { TranslationError, isAbortError, sharedCache, translationNote } from './translation.js';
import { sameLanguage } from './language.js';
import { TokenBucket } from './budget.js';
import type { CachedTranslator, Translator } from './translation.js';
import { TypedEventTarget } from './typed-event-target.js';
import type { Participant, PeerMessageDetail, PeerMessaging } from './types.js';

export { ChatMessageError, MAX_CHAT_TEXT } from '../protocol/chat.js';

/** A chat message as this reader sees it. */
export interface ChatEntry {
  /** The sender's message id (unique per sender). */
  id: string;
  /** The writer's participant id. */
  from: string;
  /** The writer's name. */
  name: string;
  /** BCP 47 tag of the language it was written in. */
  lang: string;
  /** What to show: the translation when there is one, else the original. */
  text: string;
  /** The text as written. */
  original: string;
  /** Sent at (ms since the epoch, the writer's clock). */
  t: number;
  /** Machine translation into the reader's listen language, labelled as such. */
  translated?: { text: string; lang: string; machine: true } | undefined;
  /** Why it is shown in the original although the reader listens in another language. */
  note?: CaptionNote | undefined;
  /** True while its translation is pending (it is then shown in the original). */
  translating: boolean;
  /** Written by the local participant. */
  self: boolean;
  /**
   * Received in the history a member sent on arrival: `relayedBy` is that member's id, `relayedByName`
   * their name. The relaying member could have written anything under any name: show it as relayed.
   */
  history?: { relayedBy: string; relayedByName: string } | undefined;
}

/** What ChatService needs of a session: peer messaging, and who was there before us. */
export interface ChatMessaging extends PeerMessaging {
  /** Everyone in the room (the session's list); used to know who was there before us. */
  readonly participants?: readonly Participant[];
}

export interface ChatServiceOptions {
  /** Language of what the local participant writes (their spoken language). */
  spokenLanguage: string;
  /** Language messages are shown in; defaults to `spokenLanguage`. */
  listenLanguage?: string;
  translator?: Translator | null;
  /** The local participant's name before the session knows it. */
  name?: string;
  /** Messages kept; older ones are dropped. */
  maxMessages?: number;
  /** Translations running at once; the newest waiting message goes first. */
  maxTranslations?: number;
  /** A translation taking longer than this shows the original with a note (ms). */
  translationTimeout?: number;
}

export interface ChatServiceEventMap {
  /** A new message is ready to show (translated, or in the original with a note). Not for history. */
  message: CustomEvent<{ message: ChatEntry }>;
  /** A history from a member was added (not announced message by message). */
  history: CustomEvent<{ messages: ChatEntry[] }>;
  /** The list, a translation or the unread count changed. */
  change: Event;
}

export const DEFAULT_MAX_MESSAGES = 200;
const DEFAULT_MAX_TRANSLATIONS = 3;

interface Job {
  key: string;
  to: string;
  controller: AbortController;
  /** Whose translation budget it takes (the writer, or a history's relayer); none when the reader asked. */
  source: string | undefined;
}

const keyOf = (from: string, id: string) => `${from}/${id}`;

/**
 * Events: see {@link ChatServiceEventMap}.
 */
export class ChatService extends TypedEventTarget<ChatServiceEventMap> {
  readonly #messaging: ChatMessaging;
  #spokenLanguage: string;
  #listenLanguage: string;
  #translator: Translator | undefined;
  #cache: CachedTranslator | undefined;
  readonly #name: string | undefined;
  readonly #max: number;
  readonly #maxTranslations: number;
  readonly #timeout: number;

  #list: ChatEntry[] = [];
  /** Keys (writer/id) of messages received live (or sent), including evicted ones, bounded. */
  readonly #seen = new Set<string>();
  /**
   * Keys of history entries in the list. Apart from `#seen`: a relayed entry cannot stand for a
   * message its writer has not sent yet (a forged id would silence the writer's next message).
   */
  readonly #relayed = new Set<string>();
  /** Translation requests each writer (or relayer) may still cause (CHAT_TRANSLATION_RATE). */
  readonly #budgets = new Map<string, TokenBucket>();
  #pumpTimer: ReturnType<typeof setTimeout> | undefined;
  /** Messages not yet announced with a `message` event. */
  readonly #unannounced = new Set<string>();
  #unread = 0;
  /** Per open link: whether a live message or a history already came over it. */
  readonly #links = new Map<string, { live: boolean; history: boolean }>();
  /** Members who were in the room before us and are still there; undefined before we joined. */
  #elders: Set<string> | undefined;

  #waiting: Job[] = [];
  readonly #running = new Map<string, Job>();

  readonly #idPrefix = Math.random().toString(36).slice(2, 8);
  #counter = 0;
  #disposed = false;

  readonly #onPeerMessage = (event: Event) => this.#handlePeerMessage((event as CustomEvent<PeerMessageDetail>).detail);
  readonly #onPeerConnected = (event: Event) => this.#handlePeerConnected((event as CustomEvent<{ id?: unknown }>).detail?.id);
  readonly #onParticipantLeft = (event: Event) => {
    const id = (event as CustomEvent<{ participant?: { id?: unknown } }>).detail?.participant?.id;
    if (typeof id !== 'string') return;
    this.#links.delete(id);
    this.#elders?.delete(id);
    this.#budgets.delete(id);
  };
  readonly #onJoined = () => this.#noteElders();

  constructor(messaging: ChatMessaging, options: ChatServiceOptions) {
    super();
    this.#messaging = messaging;
    this.#spokenLanguage = options.spokenLanguage;
    this.#listenLanguage = options.listenLanguage ?? options.spokenLanguage;
    this.#name = options.name;
    this.#max = Math.max(MAX_CHAT_HISTORY, options.maxMessages ?? DEFAULT_MAX_MESSAGES);
    this.#maxTranslations = Math.max(1, options.maxTranslations ?? DEFAULT_MAX_TRANSLATIONS);
    this.#timeout = options.translationTimeout ?? 8000;
    this.translator = options.translator ?? undefined;
    messaging.addEventListener('peer-message', this.#onPeerMessage);
    messaging.addEventListener('peer-connected', this.#onPeerConnected);
    messaging.addEventListener('participant-left', this.#onParticipantLeft);
    if (messaging.selfId === undefined) messaging.addEventListener('joined', this.#onJoined, { once: true });
    else this.#noteElders();
  }

  /* ------------------------------------------------------------------------------ settings */

  get spokenLanguage(): string {
    return this.#spokenLanguage;
  }

  set spokenLanguage(tag: string) {
    this.#spokenLanguage = tag;
  }

  get listenLanguage(): string {
    return this.#listenLanguage;
  }

  /** Changing it shows every message again in the new language. */
  set listenLanguage(tag: string) {
    if (tag === this.#listenLanguage) return;
    this.#listenLanguage = tag;
    this.#retranslate();
  }

  get translator(): Translator | undefined {
    return this.#translator;
  }

  set translator(translator: Translator | undefined) {
    if (translator === this.#translator) return;
    this.#translator = translator ?? undefined;
    this.#cache = translator ? sharedCache(translator) : undefined;
    if (this.#list.length) this.#retranslate();
  }

  /* ------------------------------------------------------------------------ what the UI reads */

  /** The messages kept, in the order they arrived (a history before what came live). */
  get messages(): readonly ChatEntry[] {
    return this.#list;
  }

  /** Messages from others received since the last {@link markRead}. */
  get unread(): number {
    return this.#unread;
  }

  markRead(): void {
    if (this.#unread === 0) return;
    this.#unread = 0;
    this.#changed();
  }

  /** Translations running now (diagnostics and tests). */
  get translationsInFlight(): number {
    return this.#running.size;
  }

  /* -------------------------------------------------------------------------------- sending */

  /**
   * Sends `text` to everyone and adds it to the list. Throws {@link ChatMessageError} when it is
   * blank or longer than {@link MAX_CHAT_TEXT} characters.
   */
  send(text: string): ChatEntry {
    if (this.#disposed) throw new ChatMessageError('the chat is closed');
    const clean = cleanChatText(String(text));
    if (!clean) throw new ChatMessageError('the message is blank');
    if (clean.length > MAX_CHAT_TEXT) throw new ChatMessageError(`the message is longer than ${MAX_CHAT_TEXT} characters`);
    const message: ChatMessage = { type: 'chat', id: `${this.#idPrefix}-${++this.#counter}`, text: clean, lang: this.#spokenLanguage, t: Date.now() };
    this.#messaging.sendToPeers(message);
    const self = this.#selfId;
    const entry = this.#add({ ...message, from: self, name: this.#nameOf(self, true) }, { self: true });
    return entry!;
  }

  get #selfId(): string {
    return this.#messaging.selfId ?? 'self';
  }

  #nameOf(id: string, self = false): string {
    const name = this.#messaging.participant(id)?.name;
    return name ?? (self ? (this.#name ?? id) : id);
  }

  /* ------------------------------------------------------------------------------ history */

  /** Who was in the room before us, in the order they arrived (the session lists them so). */
  #noteElders(): void {
    const self = this.#messaging.selfId;
    const everyone = this.#messaging.participants;
    this.#elders = new Set((everyone ?? []).map((p) => p.id).filter((id) => id !== self));
  }

  /**
   * The member who has been in the room longest sends the history: each member knows who was
   * there before it (the welcome list), so the one with none of them left is the eldest.
   */
  #shouldSendHistory(newcomer: string): boolean {
    if (!this.#elders || this.#elders.has(newcomer)) return false;
    for (const id of this.#elders) if (id !== newcomer && this.#messaging.participant(id)) return false;
    return true;
  }

  /**
   * The member who sends us the history: the one who came first of those in the room before us and
   * still there. By the rule above, that is the member who finds none of its own elders left.
   */
  #eldest(): string | undefined {
    // The history can come before `joined` is dispatched (the session waits for its first links'
    // checks): the welcome list is known by then.
    if (!this.#elders && this.#messaging.selfId !== undefined) this.#noteElders();
    for (const id of this.#elders ?? []) if (this.#messaging.participant(id)) return id;
    return undefined;
  }

  #handlePeerConnected(id: unknown): void {
    if (typeof id !== 'string') return;
    this.#links.set(id, { live: false, history: false });
    if (!this.#shouldSendHistory(id)) return;
    // The newest that fit in one data-channel message, oldest first.
    const messages: ChatHistoryEntry[] = [];
    let size = JSON.stringify({ type: 'chat-history', messages: [] }).length;
    for (let i = this.#list.length - 1; i >= 0 && messages.length < MAX_CHAT_HISTORY; i--) {
      const m = this.#list[i]!;
      if (m.from === id) continue;
      const entry: ChatHistoryEntry = { id: m.id, from: m.from, name: m.name.slice(0, 64), text: m.original, lang: m.lang, t: m.t };
      size += JSON.stringify(entry).length + 1;
      if (size > MAX_CHAT_HISTORY_CHARS) break;
      messages.unshift(entry);
    }
    if (messages.length === 0) return;
    const history: ChatHistoryMessage = { type: 'chat-history', messages };
    this.#messaging.sendToPeers(history, id);
  }

  /* -------------------------------------------------------------------------------- receiving */

  #handlePeerMessage(detail: PeerMessageDetail | undefined): void {
    const message = detail?.message;
    if (!message || typeof detail.from !== 'string') return;
    if (message.type !== 'chat' && message.type !== 'chat-history') return;
    const from = detail.from;
    let link = this.#links.get(from);
    if (!link) this.#links.set(from, (link = { live: false, history: false }));
    try {
      const now = Date.now();
      if (message.type === 'chat') {
        const chat = parseChatMessage(message);
        link.live = true;
        this.#add({ ...chat, t: clampChatTime(chat.t, now), from, name: this.#nameOf(from) }, { self: false });
        return;
      }
      // A history is the first thing a link carries, once, and only from the member who sends it to
      // us (the eldest we know); anything else is a replay or a forgery.
      if (link.live || link.history) throw new ChatMessageError('a history after messages, or a second one');
      if (from !== this.#eldest()) throw new ChatMessageError('a history not from the eldest');
      link.history = true;
      const history = parseChatHistoryMessage(message);
      const self = this.#messaging.selfId;
      // The eldest never sends us our own messages (a newcomer has none): that would be a forgery.
      if (history.messages.some((entry) => entry.from === self)) throw new ChatMessageError('a history naming us');
      const relayedByName = this.#nameOf(from);
      const added = history.messages
        .map((entry) =>
          this.#add(
            // The name the room knows for a writer still there; else the one relayed (cleaned as names are).
            { ...entry, t: clampChatTime(entry.t, now, true), name: this.#messaging.participant(entry.from)?.name ?? entry.name },
            { self: false, relayedBy: from, relayedByName },
          ),
        )
        .filter((entry): entry is ChatEntry => entry !== undefined);
      if (added.length) this.dispatchEvent(new CustomEvent('history', { detail: { messages: added } }));
    } catch (error) {
      console.warn(`un75: dropped a ${message.type} message from ${from}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #add(
    message: { id: string; from: string; name: string; text: string; lang: string; t: number },
    how: { self: boolean; relayedBy?: string; relayedByName?: string },
  ): ChatEntry | undefined {
    const key = keyOf(message.from, message.id);
    if (this.#seen.has(key)) return undefined;
    if (how.relayedBy === undefined) {
      this.#remember(key);
      // Its writer sent it: a relayed copy that came first gives way to it.
      if (this.#relayed.delete(key)) {
        this.#list = this.#list.filter((m) => !(m.history && keyOf(m.from, m.id) === key));
        this.#cancel(key);
      }
    } else {
      if (this.#relayed.has(key)) return undefined;
      this.#relayed.add(key);
    }
    const entry: ChatEntry = {
      id: message.id,
      from: message.from,
      name: message.name,
      lang: message.lang,
      text: message.text,
      original: message.text,
      t: message.t,
      translating: false,
      self: how.self,
      history: how.relayedBy === undefined ? undefined : { relayedBy: how.relayedBy, relayedByName: how.relayedByName ?? how.relayedBy },
    };
    const immediate = this.#immediate(entry, this.#listenLanguage);
    const shown = immediate ? this.#apply(entry, immediate) : { ...entry, translating: true };
    if (how.relayedBy === undefined) {
      this.#list.push(shown);
      if (!how.self) this.#unread++;
    } else {
      // A history is older than anything that came live: before the first live message.
      const firstLive = this.#list.findIndex((m) => !m.history);
      this.#list.splice(firstLive < 0 ? this.#list.length : firstLive, 0, shown);
    }
    this.#evict();
    if (!immediate) {
      if (!how.relayedBy) this.#unannounced.add(key);
      this.#enqueue(key, how.relayedBy ?? message.from);
    }
    this.#changed();
    if (immediate && !how.relayedBy) this.dispatchEvent(new CustomEvent('message', { detail: { message: shown } }));
    return shown;
  }

  #remember(key: string): void {
    this.#seen.add(key);
    // Bounded: a peer cannot grow memory by sending new ids; ids older than that are long evicted.
    if (this.#seen.size > this.#max * 4) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
  }

  #evict(): void {
    while (this.#list.length > this.#max) {
      const gone = this.#list.shift()!;
      const key = keyOf(gone.from, gone.id);
      this.#unannounced.delete(key);
      this.#relayed.delete(key);
      this.#cancel(key);
    }
    this.#unread = Math.min(this.#unread, this.#list.filter((m) => !m.self).length);
  }

  /* ------------------------------------------------------------------------------ translation */

  /** A result known without waiting: none needed, none possible, or already cached. */
  #immediate(entry: ChatEntry, to: string): { translated?: string; note?: CaptionNote } | undefined {
    if (entry.self || sameLanguage(entry.lang, to)) return {};
    if (!this.#cache) return { note: 'no-translator' };
    const cached = this.#cache.peek(entry.original, entry.lang, to);
    return cached === undefined ? undefined : { translated: cached };
  }

  #apply(entry: ChatEntry, result: { translated?: string; note?: CaptionNote }): ChatEntry {
    const to = this.#listenLanguage;
    return {
      ...entry,
      text: result.translated ?? entry.original,
      translated: result.translated === undefined ? undefined : { text: result.translated, lang: to, machine: true },
      note: result.note,
      translating: false,
    };
  }

  #enqueue(key: string, source: string): void {
    this.#cancel(key);
    this.#waiting.push({ key, to: this.#listenLanguage, controller: new AbortController(), source });
    this.#schedulePump();
  }

  /** Takes one of `source`'s translation tokens; 0 if there was one, else ms until there is. */
  #take(source: string | undefined, now: number): number {
    if (source === undefined) return 0;
    let bucket = this.#budgets.get(source);
    if (!bucket) this.#budgets.set(source, (bucket = new TokenBucket(CHAT_TRANSLATION_RATE, now)));
    return bucket.take(now) ? 0 : Math.max(1, bucket.wait(now));
  }

  #pumpScheduled = false;

  /** Pumps after the current task's messages are queued, so a burst is translated newest first. */
  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      if (!this.#disposed) this.#pump();
    });
  }

  #cancel(key: string): void {
    this.#waiting = this.#waiting.filter((job) => job.key !== key);
    const running = this.#running.get(key);
    if (running) {
      running.controller.abort();
      this.#running.delete(key);
      this.#schedulePump();
    }
  }

  /**
   * At most a few translations at once, each within its writer's rate (CHAT_TRANSLATION_RATE); the
   * newest waiting message whose writer has a token goes first. A translation cached meanwhile
   * (the same sentence in captions) takes no token.
   */
  #pump(): void {
    const now = performance.now();
    let retry = Infinity;
    for (let i = this.#waiting.length - 1; i >= 0 && this.#running.size < this.#maxTranslations; i--) {
      const job = this.#waiting[i]!;
      const entry = this.#list.find((m) => keyOf(m.from, m.id) === job.key);
      const cached = entry !== undefined && this.#cache?.peek(entry.original, entry.lang, job.to) !== undefined;
      const wait = entry === undefined || cached ? 0 : this.#take(job.source, now);
      if (wait > 0) {
        retry = Math.min(retry, wait);
        continue;
      }
      this.#waiting.splice(i, 1);
      this.#running.set(job.key, job);
      void this.#translate(job).then((result) => {
        if (this.#running.get(job.key) !== job) return;
        this.#running.delete(job.key);
        if (result) this.#settle(job, result);
        this.#pump();
      });
    }
    clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
    if (retry < Infinity && this.#waiting.length && !this.#disposed) this.#pumpTimer = setTimeout(() => this.#pump(), retry);
  }

  async #translate(job: Job): Promise<{ translated?: string; note?: CaptionNote } | undefined> {
    const entry = this.#list.find((m) => keyOf(m.from, m.id) === job.key);
    const cache = this.#cache;
    if (!entry) return undefined;
    if (!cache) return { note: 'no-translator' };
    const timer = setTimeout(() => job.controller.abort(new TranslationError('failed', 'translation timed out')), this.#timeout);
    try {
      return { translated: await cache.translate(entry.original, entry.lang, job.to, job.controller.signal) };
    } catch (error) {
      const reason = job.controller.signal.aborted ? job.controller.signal.reason : error;
      if (isAbortError(reason)) return undefined;
      return { note: translationNote(reason) };
    } finally {
      clearTimeout(timer);
    }
  }

  #settle(job: Job, result: { translated?: string; note?: CaptionNote }): void {
    if (this.#disposed || job.to !== this.#listenLanguage) return;
    const index = this.#list.findIndex((m) => keyOf(m.from, m.id) === job.key);
    if (index < 0) return;
    const shown = this.#apply(this.#list[index]!, result);
    this.#list = this.#list.map((m, i) => (i === index ? shown : m));
    this.#changed();
    if (this.#unannounced.delete(job.key)) this.dispatchEvent(new CustomEvent('message', { detail: { message: shown } }));
  }

  #retranslate(): void {
    for (const job of this.#running.values()) job.controller.abort();
    this.#running.clear();
    this.#waiting = [];
    const to = this.#listenLanguage;
    const later: string[] = [];
    this.#list = this.#list.map((entry) => {
      const immediate = this.#immediate(entry, to);
      if (immediate) return this.#apply(entry, immediate);
      later.push(keyOf(entry.from, entry.id));
      return { ...entry, text: entry.original, translated: undefined, note: undefined, translating: true };
    });
    // Queued oldest first, so that the newest are translated first. The reader asked for them: no
    // writer's budget is taken (they are at most the `maxMessages` kept).
    for (const key of later) this.#waiting.push({ key, to, controller: new AbortController(), source: undefined });
    this.#schedulePump();
    this.#changed();
  }

  /* ------------------------------------------------------------------------------- transcript */

  /**
   * The messages for the JSON transcript, in their original languages or translated into
   * `language` (those that cannot be are given in the original and marked so).
   */
  async transcriptLines(language?: string): Promise<ChatTranscriptLine[]> {
    return Promise.all(
      this.#list.map(async (m): Promise<ChatTranscriptLine> => {
        const original: ChatTranscriptLine = { id: m.id, from: m.from, name: m.name, t: m.t, lang: m.lang, text: m.original, machineTranslated: false };
        if (!language || sameLanguage(m.lang, language)) return original;
        let text = m.translated && sameLanguage(m.translated.lang, language) ? m.translated.text : undefined;
        if (text === undefined && this.#cache) {
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), this.#timeout);
          text = await this.#cache.translate(m.original, m.lang, language, controller.signal).catch(() => undefined);
          clearTimeout(timer);
        }
        if (text === undefined) return original;
        return { ...original, lang: language, text, machineTranslated: true, original: { lang: m.lang, text: m.original } };
      }),
    );
  }

  /* -------------------------------------------------------------------------------- lifecycle */

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  /** Detaches from the session and cancels pending translations. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#messaging.removeEventListener('peer-message', this.#onPeerMessage);
    this.#messaging.removeEventListener('peer-connected', this.#onPeerConnected);
    this.#messaging.removeEventListener('participant-left', this.#onParticipantLeft);
    this.#messaging.removeEventListener('joined', this.#onJoined);
    for (const job of this.#running.values()) job.controller.abort();
    this.#running.clear();
    this.#waiting = [];
    clearTimeout(this.#pumpTimer);
  }
}
