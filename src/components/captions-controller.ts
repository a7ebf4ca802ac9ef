import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CaptionService } from '../core/captions.js';

type Host = ReactiveControllerHost &
  HTMLElement & {
    for: string | null;
    /** Set by the page. */
    service: CaptionService | undefined;
    /** Provided by an enclosing <un75-meeting> through @lit/context. */
    contextService: CaptionService | undefined;
  };

type MeetingElement = HTMLElement & { captions?: CaptionService };

const MEETING_EVENTS = ['un75-joined', 'un75-left'] as const;

/**
 * Finds the caption service an element shows — set as its `service` property, provided by the
 * enclosing <un75-meeting>, or taken from the meeting its `for` attribute names — and re-renders the
 * element whenever that service announces a change. Subscribes while connected only.
 */
export class CaptionsController implements ReactiveController {
  private meeting: MeetingElement | undefined;
  private watched: CaptionService | undefined;
  private readonly onChange = () => this.host.requestUpdate();

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  get service(): CaptionService | undefined {
    return this.host.service ?? this.host.contextService ?? this.meeting?.captions;
  }

  hostConnected(): void {
    const id = this.host.for;
    if (id) {
      const root = this.host.getRootNode() as Document | ShadowRoot;
      this.meeting = (root.getElementById?.(id) as MeetingElement | null) ?? undefined;
      for (const type of MEETING_EVENTS) this.meeting?.addEventListener(type, this.onChange);
    }
    this.watch(this.service);
  }

  /** Before each render: the service may have been replaced (new property value, new session). */
  hostUpdate(): void {
    this.watch(this.service);
  }

  hostDisconnected(): void {
    for (const type of MEETING_EVENTS) this.meeting?.removeEventListener(type, this.onChange);
    this.meeting = undefined;
    this.watch(undefined);
  }

  private watch(service: CaptionService | undefined): void {
    if (service === this.watched) return;
    this.watched?.removeEventListener('change', this.onChange);
    this.watched = service;
    service?.addEventListener('change', this.onChange);
  }
}
