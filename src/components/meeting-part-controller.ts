import { ContextConsumer, type Context } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CaptionService } from '../core/captions.js';
import type { Interpretation } from '../core/interpretation.js';
import type { MeetingSession } from '../core/session.js';
import { captionsContext, interpretationContext, sessionContext } from './context.js';

type Host = ReactiveControllerHost & HTMLElement & { for?: string | null };

/** What a <un75-meeting> exposes to the elements that show parts of it. */
interface MeetingElement extends HTMLElement {
  session?: MeetingSession;
  captions?: CaptionService;
  interpretation?: Interpretation;
}

interface PartOptions<T> {
  context: Context<unknown, T | undefined>;
  /** The part, read from the <un75-meeting> that the element's `for` attribute names. */
  fromMeeting: (meeting: MeetingElement) => T | undefined;
  /** The part's events that change what the element shows. */
  events: readonly string[];
  /** A part set on the element itself, which wins (e.g. a `service` property). */
  own?: () => T | undefined;
}

const MEETING_EVENTS = ['un75-joined', 'un75-left'] as const;

/**
 * Finds the part of a meeting an element shows (its session, captions or interpretation) — set on
 * the element, provided by the enclosing <un75-meeting> through @lit/context, or read from the
 * meeting its `for` attribute names — and re-renders the element whenever that part announces a
 * change. Subscribes while the element is connected, and anew when the part is replaced (a re-join).
 */
export class MeetingPartController<T extends EventTarget> implements ReactiveController {
  readonly #host: Host;
  readonly #options: PartOptions<T>;
  #fromContext: T | undefined;
  #meeting: MeetingElement | undefined;
  #watched: T | undefined;
  readonly #onChange = () => this.#host.requestUpdate();
  readonly #onMeetingChange = () => {
    this.#watch(this.value);
    this.#host.requestUpdate();
  };

  constructor(host: Host, options: PartOptions<T>) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
    new ContextConsumer(host, {
      context: options.context,
      subscribe: true,
      callback: (value) => {
        this.#fromContext = value;
        this.#onMeetingChange();
      },
    });
  }

  get value(): T | undefined {
    return this.#options.own?.() ?? this.#fromContext ?? (this.#meeting ? this.#options.fromMeeting(this.#meeting) : undefined);
  }

  hostConnected(): void {
    const id = this.#host.for;
    if (id) {
      const root = this.#host.getRootNode() as Document | ShadowRoot;
      this.#meeting = (root.getElementById?.(id) as MeetingElement | null) ?? undefined;
      for (const type of MEETING_EVENTS) this.#meeting?.addEventListener(type, this.#onMeetingChange);
    }
    this.#watch(this.value);
  }

  /** Before each render: the part may have been replaced (a new property value, a new session). */
  hostUpdate(): void {
    this.#watch(this.value);
  }

  hostDisconnected(): void {
    for (const type of MEETING_EVENTS) this.#meeting?.removeEventListener(type, this.#onMeetingChange);
    this.#meeting = undefined;
    this.#watch(undefined);
  }

  #watch(next: T | undefined) {
    if (next === this.#watched) return;
    for (const type of this.#options.events) this.#watched?.removeEventListener(type, this.#onChange);
    this.#watched = next;
    for (const type of this.#options.events) next?.addEventListener(type, this.#onChange);
  }
}

/** Session events that change what the call's elements show. */
const SESSION_EVENTS = [
  'joined',
  'left',
  'participant-joined',
  'participant-left',
  'participant-updated',
  'streams',
  'speaking',
  'connection-state',
  'local-media',
] as const;

export const sessionPart = (host: Host) =>
  new MeetingPartController<MeetingSession>(host, { context: sessionContext, fromMeeting: (m) => m.session, events: SESSION_EVENTS });

export const captionsPart = (host: Host, own: () => CaptionService | undefined) =>
  new MeetingPartController<CaptionService>(host, { context: captionsContext, fromMeeting: (m) => m.captions, events: ['change'], own });

export const interpretationPart = (host: Host) =>
  new MeetingPartController<Interpretation>(host, {
    context: interpretationContext,
    fromMeeting: (m) => m.interpretation,
    events: ['change'],
  });
