import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CaptionService } from '../core/captions.js';
import type { Interpretation } from '../core/interpretation.js';
import type { Meeting } from '../core/meeting.js';
import type { MeetingSession } from '../core/session.js';
import { meetingContext } from './context.js';

type Host = ReactiveControllerHost & HTMLElement & { for?: string | null };

/** What a <un75-meeting> exposes to the elements bound to it with `for`. */
interface MeetingElement extends HTMLElement {
  readonly core?: Meeting | undefined;
}

/** Fired (bubbling, composed) by <un75-meeting> when it is connected and when its `core` changes. */
export const MEETING_READY = 'un75-meeting-ready';

/** Meeting events after which its parts may be new ones (a join) or gone quiet (a leave). */
const MEETING_EVENTS = ['joined', 'left'] as const;

interface PartOptions<T> {
  /** The part read from the meeting. */
  select: (meeting: Meeting) => T | undefined;
  /** The part's events that change what the element shows. */
  events: readonly string[];
  /** A part set on the element itself, which wins (e.g. a `service` property). */
  own?: (() => T | undefined) | undefined;
}

/**
 * Finds the meeting an element shows a part of — provided by the enclosing <un75-meeting> through
 * @lit/context, or the `core` of the <un75-meeting> its `for` attribute names — and re-renders
 * the element whenever that part announces a change. `for` is resolved again when the attribute
 * changes and when a meeting element announces itself (`un75-meeting-ready`), so the target may
 * appear after the element. Subscribes while connected, and anew when the part is replaced.
 */
export class MeetingPartController<T extends EventTarget> implements ReactiveController {
  readonly #host: Host;
  readonly #options: PartOptions<T>;
  #fromContext: Meeting | undefined;
  #target: MeetingElement | undefined;
  #targetId: string | null | undefined;
  #root: Node | undefined;
  #watchedMeeting: Meeting | undefined;
  #watched: T | undefined;
  readonly #onChange = () => this.#host.requestUpdate();
  readonly #onMeetingChange = () => {
    this.#sync();
    this.#host.requestUpdate();
  };
  readonly #onReady = (event: Event) => {
    const element = event.composedPath()[0];
    const id = this.#host.for;
    if (!id || !(element instanceof HTMLElement) || element.id !== id) return;
    this.#target = element as MeetingElement;
    this.#onMeetingChange();
  };

  constructor(host: Host, options: PartOptions<T>) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
    new ContextConsumer(host, {
      context: meetingContext,
      subscribe: true,
      callback: (value) => {
        this.#fromContext = value;
        this.#onMeetingChange();
      },
    });
  }

  /** The meeting: from the context, else the `core` of the element named by `for`. */
  get meeting(): Meeting | undefined {
    return this.#fromContext ?? this.#target?.core;
  }

  get value(): T | undefined {
    const meeting = this.meeting;
    return this.#options.own?.() ?? (meeting ? this.#options.select(meeting) : undefined);
  }

  hostConnected(): void {
    this.#root = this.#host.getRootNode();
    this.#root.addEventListener(MEETING_READY, this.#onReady);
    this.#resolve();
    this.#sync();
  }

  /** Before each render: `for` may have changed, the part may have been replaced. */
  hostUpdate(): void {
    if ((this.#host.for ?? null) !== this.#targetId) this.#resolve();
    this.#sync();
  }

  hostDisconnected(): void {
    this.#root?.removeEventListener(MEETING_READY, this.#onReady);
    this.#root = undefined;
    this.#target = undefined;
    this.#targetId = undefined;
    this.#watchMeeting(undefined);
    this.#watch(undefined);
  }

  #resolve() {
    const id = this.#host.for ?? null;
    this.#targetId = id;
    const root = this.#root as Document | ShadowRoot | undefined;
    this.#target = id ? ((root?.getElementById?.(id) as MeetingElement | null) ?? undefined) : undefined;
  }

  #sync() {
    this.#watchMeeting(this.meeting);
    this.#watch(this.value);
  }

  #watchMeeting(next: Meeting | undefined) {
    if (next === this.#watchedMeeting) return;
    for (const type of MEETING_EVENTS) this.#watchedMeeting?.removeEventListener(type, this.#onMeetingChange);
    this.#watchedMeeting = next;
    for (const type of MEETING_EVENTS) next?.addEventListener(type, this.#onMeetingChange);
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
  new MeetingPartController<MeetingSession>(host, { select: (m) => m.session, events: SESSION_EVENTS });

export const captionsPart = (host: Host, own: () => CaptionService | undefined) =>
  new MeetingPartController<CaptionService>(host, { select: (m) => m.captions, events: ['change'], own });

export const interpretationPart = (host: Host) =>
  new MeetingPartController<Interpretation>(host, { select: (m) => m.interpretation, events: ['change'] });

/** The meeting itself: for elements that change it (the picker sets its languages). */
export const meetingPart = (host: Host) =>
  new MeetingPartController<Meeting>(host, { select: (m) => m, events: ['languages-change'] });

/** The meeting itself, for who has the floor (`activeSpeaker`): the speaker view. */
export const activeSpeakerPart = (host: Host) =>
  new MeetingPartController<Meeting>(host, { select: (m) => m, events: ['active-speaker'] });
