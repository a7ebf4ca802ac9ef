// Stand-ins for the pieces around a CaptionService: a session's messaging, a recogniser that says
// what the test tells it, and translators whose timing the test controls.
import type { Participant, PeerMessage, PeerMessaging } from '../../src/core/types.js';
import type { RecognizerStartOptions, SpeechRecognizer } from '../../src/core/recognition.js';
import type { Translator } from '../../src/core/translation.js';

export function participant(id: string, name: string, spokenLanguage = 'en'): Participant {
  return {
    id,
    name,
    role: 'participant',
    spokenLanguage,
    micEnabled: true,
    cameraEnabled: true,
    handRaised: false,
    connectionState: 'connected',
    isSelf: false,
  };
}

/** A meeting session reduced to what feature modules use; `link()` joins two of them. */
export class FakeMessaging extends EventTarget implements PeerMessaging {
  readonly sent: { message: PeerMessage; to: string | undefined }[] = [];
  readonly people = new Map<string, Participant>();
  private peers: FakeMessaging[] = [];

  constructor(
    public selfId: string | undefined,
    selfName = 'Me',
  ) {
    super();
    if (selfId) this.people.set(selfId, { ...participant(selfId, selfName), isSelf: true });
  }

  participant(id: string): Participant | undefined {
    return this.people.get(id);
  }

  sendToPeers(message: PeerMessage, to?: string): number {
    this.sent.push({ message, to });
    const targets = this.peers.filter((p) => to === undefined || p.selfId === to);
    // Like a data channel: serialised, and delivered later, in order.
    const wire = JSON.stringify(message);
    for (const peer of targets) setTimeout(() => peer.deliver(this.selfId!, JSON.parse(wire) as PeerMessage));
    return targets.length;
  }

  deliver(from: string, message: unknown): void {
    this.dispatchEvent(new CustomEvent('peer-message', { detail: { from, message } }));
  }

  /** Connects two fake sessions both ways, each knowing the other by name. */
  static link(a: FakeMessaging, b: FakeMessaging): void {
    a.peers.push(b);
    b.peers.push(a);
    a.people.set(b.selfId!, { ...b.people.get(b.selfId!)!, isSelf: false });
    b.people.set(a.selfId!, { ...a.people.get(a.selfId!)!, isSelf: false });
  }

  sentOfType(type: string): PeerMessage[] {
    return this.sent.filter((s) => s.message.type === type).map((s) => s.message);
  }
}

/** A recogniser that "hears" what the test says. */
export class ScriptedRecognizer implements SpeechRecognizer {
  options: RecognizerStartOptions | undefined;
  starts = 0;
  stops = 0;
  startError: Error | undefined;

  start(options: RecognizerStartOptions): void {
    this.starts++;
    if (this.startError) throw this.startError;
    this.options = options;
  }

  stop(): void {
    this.stops++;
  }

  say(text: string, final = true): void {
    if (!this.options) throw new Error('the recogniser was not started');
    this.options.emit({ text, final });
  }
}

/** A translator answering from a function, each call held until the test releases it (or at once). */
export class ControlledTranslator implements Translator {
  readonly calls: { text: string; from: string; to: string }[] = [];
  private readonly held: { release: () => void; text: string }[] = [];
  hold = false;

  constructor(private readonly answer: (text: string, from: string, to: string) => string | Error = (t, _f, to) => `${to}:${t}`) {}

  async translate(text: string, from: string, to: string, signal?: AbortSignal): Promise<string> {
    this.calls.push({ text, from, to });
    if (this.hold) {
      await new Promise<void>((resolve, reject) => {
        this.held.push({ release: resolve, text });
        signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    }
    const result = this.answer(text, from, to);
    if (result instanceof Error) throw result;
    return result;
  }

  /** Lets the held call for `text` finish. */
  release(text: string): void {
    const index = this.held.findIndex((h) => h.text === text);
    if (index < 0) throw new Error(`no held translation of "${text}"`);
    this.held.splice(index, 1)[0]!.release();
  }
}

export const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `check()` holds, polling each task; fails after `timeout` ms. */
export async function until(check: () => boolean, timeout = 3000): Promise<void> {
  const end = performance.now() + timeout;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await tick(5);
  }
}

/** A real microphone track from Chromium's fake capture device. */
export async function microphoneTrack(): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  return stream.getAudioTracks()[0]!;
}
