import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import {
  CHAT_CLOCK_SKEW_MS,
  CHAT_HISTORY_AGE_MS,
  ChatMessageError,
  MAX_CHAT_HISTORY,
  clampChatTime,
  cleanChatText,
  parseChatHistoryMessage,
  parseChatMessage,
} from '../../src/protocol/chat.js';

const live = (over: Record<string, unknown> = {}) => ({ type: 'chat', id: 'a1-1', text: 'Hello', lang: 'en', t: 1_700_000_000_000, ...over });
const entry = (over: Record<string, unknown> = {}) => ({ id: 'a1-1', from: 'peerA', name: 'Ana', text: 'Hello', lang: 'en', t: 1, ...over });

function refused(fn: () => unknown): ChatMessageError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(ChatMessageError);
    return error as ChatMessageError;
  }
  throw new Error('expected the message to be refused');
}

describe('chat wire messages', () => {
  it('accepts a message and keeps only its known fields, trimmed', () => {
    expect(parseChatMessage({ ...live({ text: '  Hello\nworld  ' }), extra: 'x' })).to.deep.equal({
      type: 'chat',
      id: 'a1-1',
      text: 'Hello\nworld',
      lang: 'en',
      t: 1_700_000_000_000,
    });
  });

  it('refuses blank, too long, or mistyped fields', () => {
    refused(() => parseChatMessage(live({ text: '   \n ' })));
    refused(() => parseChatMessage(live({ text: 'x'.repeat(1001) })));
    expect(parseChatMessage(live({ text: 'x'.repeat(1000) })).text).to.have.length(1000);
    refused(() => parseChatMessage(live({ text: 42 })));
    refused(() => parseChatMessage(live({ id: '' })));
    refused(() => parseChatMessage(live({ id: 'x'.repeat(65) })));
    refused(() => parseChatMessage(live({ id: 'a/b' })));
    refused(() => parseChatMessage(live({ lang: 'not a tag' })));
    refused(() => parseChatMessage(live({ t: -1 })));
    refused(() => parseChatMessage(live({ t: Number.NaN })));
    refused(() => parseChatMessage(live({ type: 'caption' })));
  });

  it('strips controls and bidi overrides but keeps line breaks and direction marks', () => {
    const hostile = 'a\u0000b\u0007c\u001b[31m\u202Eevil\u202C \u2066x\u2069\r\nnext\u200F \uD800';
    expect(parseChatMessage(live({ text: hostile })).text).to.equal('abc[31mevil x\nnext\u200F');
    expect(cleanChatText('one\n\n\n\n\ntwo\tthree')).to.equal('one\n\ntwo three');
    // Arabic and emoji (surrogate pairs) pass untouched.
    expect(cleanChatText('مرحبا 👋')).to.equal('مرحبا 👋');
    refused(() => parseChatMessage(live({ text: '\u202E\u0000 ' })));
  });

  it('accepts a history of at most 50 entries, each checked like a live message', () => {
    const messages = Array.from({ length: MAX_CHAT_HISTORY }, (_, i) => entry({ id: `m${i}` }));
    const parsed = parseChatHistoryMessage({ type: 'chat-history', messages });
    expect(parsed.messages).to.have.length(50);
    expect(parsed.messages[0]).to.deep.equal({ id: 'm0', from: 'peerA', name: 'Ana', text: 'Hello', lang: 'en', t: 1 });
    refused(() => parseChatHistoryMessage({ type: 'chat-history', messages: [...messages, entry({ id: 'more' })] }));
    refused(() => parseChatHistoryMessage({ type: 'chat-history', messages: 'no' }));
    refused(() => parseChatHistoryMessage({ type: 'chat-history', messages: [entry({ from: '' })] }));
    refused(() => parseChatHistoryMessage({ type: 'chat-history', messages: [entry({ name: ' ' })] }));
    refused(() => parseChatHistoryMessage({ type: 'chat-history', messages: [entry({ name: 'n'.repeat(65) })] }));
    refused(() => parseChatHistoryMessage({ type: 'chat-history', messages: [entry(), entry({ text: 'y'.repeat(1001) })] }));
    refused(() => parseChatHistoryMessage({ type: 'chat-history', messages: [null] }));
    expect(parseChatHistoryMessage({ type: 'chat-history', messages: [entry({ name: '\u202EAna' })] }).messages[0]!.name).to.equal('Ana');
  });

  it('puts a relayed name on one line, as names from the server are', () => {
    const [parsed] = parseChatHistoryMessage({ type: 'chat-history', messages: [entry({ name: 'Moderator\nVictor\u2066' })] }).messages;
    expect(parsed!.name).to.equal('Moderator Victor');
  });

  /** Text with the characters that forge lines and turn text around, among ordinary ones. */
  const hostileText = fc
    .array(fc.oneof(fc.constantFrom('\n', '\r', '\t', '\u0000', '\u001b', '\u202e', '\u2066', '\u2028', '\u200f', '\ud800', 'a', 'é', 'ب', ' '), fc.string({ maxLength: 3 })), { maxLength: 80 })
    .map((parts) => parts.join(''));
  const time = fc.oneof(fc.double({ min: -1e20, max: 1e20, noNaN: false }), fc.constantFrom(0, 8.64e15, 8.64e15 + 1, 1e16, Number.MAX_VALUE, Infinity, -0));

  it('property: any history is either refused with a ChatMessageError or gives names on one line and times a Date can hold', () => {
    const now = Date.now();
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.oneof(fc.constant('a-1'), fc.string({ maxLength: 70 })), from: fc.oneof(fc.constant('peerA'), fc.string({ maxLength: 70 })), name: hostileText, text: hostileText, lang: fc.constantFrom('en', 'fr', 'x', 'zh-Hant'), t: time }), { maxLength: 60 }),
        (messages) => {
          let parsed;
          try {
            parsed = parseChatHistoryMessage({ type: 'chat-history', messages });
          } catch (error) {
            return error instanceof ChatMessageError;
          }
          return parsed.messages.every((m) => {
            const t = clampChatTime(m.t, now, true);
            return !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(m.name) && t >= now - CHAT_HISTORY_AGE_MS && t <= now + CHAT_CLOCK_SKEW_MS && !Number.isNaN(new Date(t).getTime());
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: a live message keeps its time only within the clock skew, and any time it keeps is a valid date', () => {
    const now = Date.now();
    fc.assert(
      fc.property(time, (t) => {
        let parsed;
        try {
          parsed = parseChatMessage(live({ t }));
        } catch (error) {
          return error instanceof ChatMessageError && !(Number.isFinite(t) && t >= 0);
        }
        const kept = clampChatTime(parsed.t, now);
        return Math.abs(kept - now) <= CHAT_CLOCK_SKEW_MS && (kept === now || kept === t) && !Number.isNaN(new Date(kept).getTime());
      }),
      { numRuns: 300 },
    );
  });
});
