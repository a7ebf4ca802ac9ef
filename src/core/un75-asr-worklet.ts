/**
 * The AudioWorklet of server speech recognition (design §5.1), loaded as a module of its own by
 * server-recognition.ts: takes the microphone at the context's own rate (Firefox refuses a 16 kHz
 * context on a microphone), averages it down to 16 kHz (the average is the low-pass that keeps
 * aliasing out), and posts 100 ms frames of 16-bit PCM. Silence costs nothing on the wire: frames
 * are posted while someone speaks and for a short tail after, so the recogniser can end the utterance.
 */

// The AudioWorkletGlobalScope; TypeScript's DOM library does not declare it.
declare const sampleRate: number;
declare function registerProcessor(name: string, processor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}

const RATE = 16_000;
const FRAME = RATE / 10;
/** RMS of a frame above which someone is speaking (about -50 dBFS). */
const VOICE = 0.003;
/** Frames posted after the voice stops: enough for a recogniser to end the utterance. */
const TAIL = 15;

class Un75AsrProcessor extends AudioWorkletProcessor {
  #step = sampleRate / RATE;
  #pos = 0;
  #sum = 0;
  #count = 0;
  #frame = new Int16Array(FRAME);
  #n = 0;
  #energy = 0;
  #quiet = TAIL + 1;
  /** The frame before the voice started (its first syllable often begins there). */
  #previous: Int16Array | undefined;

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0]?.[0];
    if (!input) return true;
    for (const x of input) {
      this.#sum += x;
      this.#count++;
      if (++this.#pos < this.#step) continue;
      this.#pos -= this.#step;
      const y = this.#sum / this.#count;
      this.#sum = this.#count = 0;
      this.#energy += y * y;
      this.#frame[this.#n++] = Math.max(-32768, Math.min(32767, Math.round(y * 32768)));
      if (this.#n === FRAME) this.#flush();
    }
    return true;
  }

  #flush(): void {
    const frame = this.#frame;
    const voiced = Math.sqrt(this.#energy / FRAME) > VOICE;
    this.#frame = new Int16Array(FRAME);
    this.#n = this.#energy = 0;
    if (voiced) {
      if (this.#quiet > TAIL && this.#previous) this.#post(this.#previous);
      this.#quiet = 0;
    } else this.#quiet++;
    if (this.#quiet <= TAIL) this.#post(frame);
    this.#previous = frame;
  }

  #post(frame: Int16Array): void {
    this.port.postMessage(frame.buffer, [frame.buffer]);
  }
}

registerProcessor('un75-asr', Un75AsrProcessor);
