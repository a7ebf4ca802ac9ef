import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MeetingSession } from '../core/session.js';
import { sessionContext } from './context.js';

const RENDER_EVENTS = [
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

type Host = ReactiveControllerHost & HTMLElement & { for?: string | null };

/**
 * Finds the meeting session an element belongs to — from the enclosing <un75-meeting> through
 * @lit/context, or from the meeting named by the element's `for` attribute — and re-renders the
 * element whenever that session changes in a way the UI shows.
 */
export class SessionController implements ReactiveController {
  private fromContext: MeetingSession | undefined;
  private meeting: (HTMLElement & { session?: MeetingSession }) | undefined;
  private watched: MeetingSession | undefined;
  private readonly onChange = () => this.host.requestUpdate();
  private readonly onMeetingChange = () => this.resubscribe();

  constructor(private readonly host: Host) {
    host.addController(this);
    new ContextConsumer(host, {
      context: sessionContext,
      subscribe: true,
      callback: (session) => {
        this.fromContext = session;
        this.resubscribe();
      },
    });
  }

  get session(): MeetingSession | undefined {
    return this.fromContext ?? this.meeting?.session;
  }

  hostConnected(): void {
    const id = this.host.for;
    if (id) {
      const root = this.host.getRootNode() as Document | ShadowRoot;
      this.meeting = (root.getElementById?.(id) as HTMLElement & { session?: MeetingSession }) ?? undefined;
      this.meeting?.addEventListener('un75-joined', this.onMeetingChange);
      this.meeting?.addEventListener('un75-left', this.onMeetingChange);
    }
    this.resubscribe();
  }

  hostDisconnected(): void {
    this.meeting?.removeEventListener('un75-joined', this.onMeetingChange);
    this.meeting?.removeEventListener('un75-left', this.onMeetingChange);
    this.meeting = undefined;
    this.watch(undefined);
  }

  private resubscribe() {
    this.watch(this.session);
    this.host.requestUpdate();
  }

  private watch(session: MeetingSession | undefined) {
    if (session === this.watched) return;
    for (const type of RENDER_EVENTS) this.watched?.removeEventListener(type, this.onChange);
    this.watched = session;
    for (const type of RENDER_EVENTS) session?.addEventListener(type, this.onChange);
  }
}
