import type { ReactiveController } from 'lit';
import type { Meeting } from '../core/meeting.js';
import { MeetingPartController } from './meeting-part-controller.js';

type Host = ConstructorParameters<typeof MeetingPartController>[0];
type Handlers = Record<string, (event: Event) => void>;

/**
 * For elements that react to what a meeting announces (a chat message to read aloud, someone
 * waiting): finds the meeting as every part does (context, or `for`), re-renders on `rerender`
 * events, and calls `handlers` with each event of theirs while connected.
 */
export class MeetingEventsController implements ReactiveController {
  readonly #part: MeetingPartController<Meeting>;
  readonly #handlers: Handlers;
  #subscribed: Meeting | undefined;

  constructor(host: Host, rerender: readonly string[], handlers: Handlers) {
    this.#part = new MeetingPartController<Meeting>(host, { select: (m) => m, events: rerender });
    this.#handlers = handlers;
    host.addController(this);
  }

  get meeting(): Meeting | undefined {
    return this.#part.meeting;
  }

  hostConnected(): void {
    this.#follow(this.meeting);
  }

  hostUpdate(): void {
    this.#follow(this.meeting);
  }

  hostDisconnected(): void {
    this.#follow(undefined);
  }

  #follow(next: Meeting | undefined) {
    if (next === this.#subscribed) return;
    for (const [type, handler] of Object.entries(this.#handlers)) {
      this.#subscribed?.removeEventListener(type, handler);
      next?.addEventListener(type, handler);
    }
    this.#subscribed = next;
  }
}
