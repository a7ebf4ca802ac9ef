// Chat core figures, in Node (no browser): how fast a receiver validates messages, and what a
// flood of 1,000 messages from one peer costs a French reader whose translator answers in 20 ms:
// how many translation requests are made, how many run at once, and when the newest is shown.
// The send → shown time between real browsers is measured in bench/facilitation.ts.
//
//   node --import tsx bench/chat.ts
import { ChatService } from '../src/core/chat.js';
import { parseChatMessage } from '../src/protocol/chat.js';
import type { Translator } from '../src/core/translation.js';
import type { Participant, PeerMessage, PeerMessaging } from '../src/core/types.js';

class Messaging extends EventTarget implements PeerMessaging {
  readonly selfId = 'reader';
  participant(): Participant | undefined {
    return undefined;
  }
  sendToPeers(_message: PeerMessage): number {
    return 0;
  }
  deliver(from: string, message: PeerMessage): void {
    this.dispatchEvent(new CustomEvent('peer-message', { detail: { from, message } }));
  }
}

const N = 20_000;
const text = 'Une phrase assez longue pour ressembler à un vrai message de discussion. '.repeat(13).slice(0, 1000);
let start = performance.now();
for (let i = 0; i < N; i++) parseChatMessage({ type: 'chat', id: `a-${i}`, text, lang: 'fr', t: i });
const perMessage = (performance.now() - start) / N;
console.log(`chat: validating a 1,000-character message: ${(perMessage * 1000).toFixed(1)} µs (${N} messages)`);

let calls = 0;
let inFlight = 0;
let most = 0;
const translator: Translator = {
  async translate(q, _from, to) {
    calls++;
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 20));
    inFlight--;
    return `[${to}] ${q}`;
  },
};
const messaging = new Messaging();
const chat = new ChatService(messaging, { spokenLanguage: 'fr', translator });
const newest = new Promise<number>((resolve) =>
  chat.on('message', (e) => {
    if (e.detail.message.id === 'f-999') resolve(performance.now());
  }),
);
start = performance.now();
for (let i = 0; i < 1000; i++) {
  messaging.deliver('flooder', { type: 'chat', id: `f-${i}`, text: `message ${i}`, lang: 'en', t: i });
  // One data-channel message per task, as in a browser.
  await new Promise((r) => setImmediate(r));
}
const floodMs = performance.now() - start;
const shownAt = await newest;
await new Promise<void>((resolve) => {
  const check = () => (chat.messages.every((m) => !m.translating) ? resolve() : setTimeout(check, 20));
  check();
});
console.log(
  `chat: flood of 1,000 messages (one per task) → ${chat.messages.length} kept, ${calls} translation requests, at most ${most} at once; ` +
    `delivered in ${floodMs.toFixed(0)} ms, newest shown ${(shownAt - start).toFixed(0)} ms after the first arrived, all kept translated ${(performance.now() - start).toFixed(0)} ms`,
);
chat.dispose();
