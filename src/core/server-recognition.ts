/**
 * Server speech recognition in the browser (design §5.1): the microphone, through an AudioWorklet
 * (un75-asr-worklet.ts) at 16 kHz PCM16, streamed to `/asr` on the signaling server, which forwards
 * it to the partner's recogniser. Partials become interim captions, finals final ones, through the
 * same path as the Web Speech API's. Loaded only when a meeting uses it (its own chunk).
 */
import { parseAsrServerMessage } from '../protocol/asr.js';
import { RecognitionError, type RecognizerStartOptions, type SpeechRecognizer } from './recognition.js';

/** Frames kept while the stream connects (2 s), so the first words after unmuting are not lost. */
const MAX_QUEUED = 20;

export class ServerRecognizer implements SpeechRecognizer {
  #stop: (() => void) | undefined;
  #attempt = 0;

  /**
   * @param url the `/asr` WebSocket URL (`wss://host/asr`)
   * @param token a new single-use token for a stream in `language`
   */
  constructor(
    readonly url: string,
    readonly token: (language: string) => Promise<string>,
  ) {}

  async start({ language, track, emit, fail }: RecognizerStartOptions): Promise<void> {
    this.stop();
    const attempt = ++this.#attempt;
    const context = new AudioContext();
    let ended = false;
    let socket: WebSocket | undefined;
    const queue: ArrayBuffer[] = [];
    const stopAudio = () => {
      ended = true;
      track.removeEventListener('ended', stop);
      void context.close().catch(() => {});
    };
    const stop = () => {
      stopAudio();
      // The recogniser sends the final of what was just said, then the server closes.
      if (socket?.readyState === WebSocket.OPEN) socket.send('{"type":"eof"}');
      else socket?.close();
    };
    const failWith = (error: RecognitionError) => {
      if (ended) return;
      stopAudio();
      socket?.close();
      fail?.(error);
    };
    const open = (first: boolean): Promise<void> =>
      this.token(language).then(
        (token) =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(`${this.url}?token=${encodeURIComponent(token)}`);
            socket = ws;
            ws.binaryType = 'arraybuffer';
            let opened = false;
            ws.onopen = () => {
              opened = true;
              for (const frame of queue.splice(0)) ws.send(frame);
              resolve();
            };
            ws.onmessage = (event) => {
              const message = typeof event.data === 'string' ? parseAsrServerMessage(event.data) : undefined;
              if (!message) return;
              if (message.type !== 'error') {
                if (message.text) emit({ text: message.text, final: message.type === 'final' });
              } else if (message.code === 'too-long' && !ended) {
                // A stream lasts a set time at most: the next one takes over.
                ws.onclose = null;
                open(false).catch((error: unknown) => failWith(asFailure(error)));
              } else {
                const error = new RecognitionError(message.code === 'unsupported-language' ? 'language-not-supported' : 'network', message.message);
                if (first && !opened) reject(error);
                else failWith(error);
              }
            };
            ws.onclose = () => {
              // The UI says what a `network` failure means; the reason is all it reads.
              if (!opened) reject(new RecognitionError('network'));
              else if (socket === ws) failWith(new RecognitionError('network'));
            };
          }),
      );
    try {
      await context.audioWorklet.addModule(new URL('./un75-asr-worklet.js', import.meta.url));
      if (attempt !== this.#attempt) return void context.close();
      const node = new AudioWorkletNode(context, 'un75-asr', { numberOfOutputs: 0 });
      node.port.onmessage = (event: MessageEvent<ArrayBuffer>) => {
        if (ended) return;
        // A connection that does not drain is not fed more: recognition lags, memory does not grow.
        if (socket?.readyState === WebSocket.OPEN) {
          if (socket.bufferedAmount < 64_000) socket.send(event.data);
        } else if (queue.push(event.data) > MAX_QUEUED) queue.shift();
      };
      context.createMediaStreamSource(new MediaStream([track])).connect(node);
      void context.resume();
      this.#stop = stop;
      track.addEventListener('ended', stop);
      await open(true);
    } catch (error) {
      stopAudio();
      if (attempt === this.#attempt) throw asFailure(error);
    }
  }

  stop(): void {
    this.#attempt++;
    this.#stop?.();
    this.#stop = undefined;
  }
}

function asFailure(error: unknown): RecognitionError {
  return error instanceof RecognitionError ? error : new RecognitionError('network', error instanceof Error ? error.message : String(error));
}
