import { expect } from '@open-wc/testing';
import { ChatService, ChatMessageError, type ChatEntry } from '../../src/core/chat.js';
import { CHAT_TRANSLATION_RATE } from '../../src/protocol/chat.js';
import { CaptionService } from '../../src/core/captions.js';
import { MeetingSession } from '../../src/core/session.js';
import { LibreTranslateTranslator, TranslationError } from '../../src/core/translation.js';
import type { Participant } from '../../src/core/types.js';
import { ControlledTranslator, FakeMessaging, ScriptedRecognizer, until } from './caption-fakes.js';

const SIGNALING = (window as unknown as { UN75_SIGNALING: string }).UN75_SIGNALING;
const ENDPOINT = new URL('/mock-libretranslate/translate', location.href).href;

/** A fake session that also lists its participants (self first, then arrival order). */
class Room extends FakeMessaging {
  get participants(): Participant[] {
    return [...this.people.values()];
  }
  connected(id: string): void {
    this.dispatchEvent(new CustomEvent('peer-connected', { detail: { id } }));
  }
}

function pair(readerLanguage = 'fr', translator = new ControlledTranslator()) {
  const a = new Room('peerA', 'Ana');
  const b = new Room('peerB', 'Bo');
  FakeMessaging.link(a, b);
  const chatA = new ChatService(a, { spokenLanguage: 'en' });
  const chatB = new ChatService(b, { spokenLanguage: readerLanguage, translator });
  return { a, b, chatA, chatB, translator };
}

const texts = (list: readonly ChatEntry[]) => list.map((m) => m.text);

describe('ChatService', () => {
  it('sends to every peer, shows it to the writer at once, and translates it for the reader', async () => {
    const { a, chatA, chatB, translator } = pair();
    const received: ChatEntry[] = [];
    chatB.on('message', (e) => received.push(e.detail.message));
    const mine = chatA.send('  Hello  ');
    expect(mine).to.include({ text: 'Hello', original: 'Hello', from: 'peerA', name: 'Ana', lang: 'en', self: true });
    expect(a.sentOfType('chat')).to.have.length(1);
    await until(() => received.length === 1);
    expect(received[0]).to.include({ from: 'peerA', name: 'Ana', lang: 'en', text: 'fr:Hello', original: 'Hello', translating: false });
    expect(received[0]!.translated).to.deep.equal({ text: 'fr:Hello', lang: 'fr', machine: true });
    expect(translator.calls).to.deep.equal([{ text: 'Hello', from: 'en', to: 'fr' }]);
    expect(chatB.unread).to.equal(1);
    expect(chatA.unread).to.equal(0);
    chatB.markRead();
    expect(chatB.unread).to.equal(0);
  });

  it('refuses blank and over-long messages before sending anything', () => {
    const { a, chatA } = pair();
    expect(() => chatA.send(' \n\t ')).to.throw(ChatMessageError);
    expect(() => chatA.send('x'.repeat(1001))).to.throw(ChatMessageError);
    expect(chatA.send('x'.repeat(1000)).text).to.have.length(1000);
    expect(a.sentOfType('chat')).to.have.length(1);
  });

  it('drops duplicates and invalid messages from a peer', async () => {
    const { b, chatB } = pair('en');
    const msg = { type: 'chat', id: 'z-1', text: 'Hi', lang: 'en', t: 1 };
    b.deliver('peerA', msg);
    b.deliver('peerA', msg);
    b.deliver('peerA', { ...msg, id: 'z-2', text: '' });
    b.deliver('peerA', { ...msg, id: 'z-3', text: 'y'.repeat(1001) });
    b.deliver('peerA', { ...msg, id: 'z-4', text: '\u202Eok' });
    expect(texts(chatB.messages)).to.deep.equal(['Hi', 'ok']);
  });

  it('shows the original with a note when the translator fails', async () => {
    const failing = new ControlledTranslator(() => new TranslationError('failed', 'down'));
    const { chatA, chatB } = pair('fr', failing);
    const got = new Promise<ChatEntry>((resolve) => chatB.on('message', (e) => resolve(e.detail.message)));
    chatA.send('Good morning');
    const message = await got;
    expect(message).to.include({ text: 'Good morning', note: 'translation-failed', translated: undefined });
  });

  it('keeps the last N messages, and a flood never has more than a few translations in flight, newest first', async () => {
    const translator = new ControlledTranslator();
    translator.hold = true;
    const b = new Room('peerB', 'Bo');
    const chat = new ChatService(b, { spokenLanguage: 'fr', translator, maxMessages: 60, maxTranslations: 3 });
    // A thousand writers (ids) of one message each: only the number in flight limits them.
    for (let i = 0; i < 1000; i++) b.deliver(`peer${i}`, { type: 'chat', id: `f-${i}`, text: `spam ${i}`, lang: 'en', t: Date.now() });
    expect(chat.messages).to.have.length(60);
    expect(chat.messages[0]!.original).to.equal('spam 940');
    await until(() => translator.calls.length === 3);
    // Only three calls started, for the three newest messages.
    expect(translator.calls.map((c) => c.text)).to.deep.equal(['spam 999', 'spam 998', 'spam 997']);
    expect(chat.translationsInFlight).to.equal(3);
    let most = 0;
    for (let i = 0; i < translator.calls.length; i++) {
      most = Math.max(most, chat.translationsInFlight);
      const text = translator.calls[i]!.text;
      translator.release(text);
      await until(() => chat.messages.find((m) => m.original === text)?.translating === false);
    }
    expect(most).to.equal(3);
    // Newest first: the last call was for the oldest message kept; nothing evicted was translated.
    expect(translator.calls.at(-1)!.text).to.equal('spam 940');
    expect(translator.calls).to.have.length(60);
    expect(chat.messages.at(-1)!.text).to.equal('fr:spam 999');
    expect(chat.unread).to.equal(60);
    chat.dispose();
  });

  it("translates one writer's messages within a rate (CHAT_TRANSLATION_RATE), newest first, without holding up another writer", async () => {
    const translator = new ControlledTranslator();
    const b = new Room('peerB', 'Bo');
    const chat = new ChatService(b, { spokenLanguage: 'fr', translator, maxTranslations: 3 });
    for (let i = 0; i < 30; i++) b.deliver('peerM', { type: 'chat', id: `m-${i}`, text: `flood ${i}`, lang: 'en', t: Date.now() });
    // The burst, newest first; the rest wait, shown in the original meanwhile.
    await until(() => translator.calls.length === CHAT_TRANSLATION_RATE.burst);
    expect(translator.calls.map((c) => c.text)).to.deep.equal(['flood 29', 'flood 28', 'flood 27', 'flood 26', 'flood 25']);
    expect(chat.messages.filter((m) => m.translating)).to.have.length(25);
    // Another writer is translated at once.
    b.deliver('peerA', { type: 'chat', id: 'a-1', text: 'Hello', lang: 'en', t: Date.now() });
    await until(() => chat.messages.find((m) => m.id === 'a-1')?.text === 'fr:Hello');
    expect(translator.calls).to.have.length(CHAT_TRANSLATION_RATE.burst + 1);
    // A second later, one more of the flood's.
    await until(() => translator.calls.length === CHAT_TRANSLATION_RATE.burst + 2, 3000);
    expect(translator.calls.at(-1)!.text).to.equal('flood 24');
    chat.dispose();
  });

  it('brings a time far from the clock (a date formatter would throw on it) near now', () => {
    const b = new Room('peerB', 'Bo');
    const chat = new ChatService(b, { spokenLanguage: 'en' });
    const now = Date.now();
    b.deliver('peerA', { type: 'chat', id: 'p-1', text: 'From the year 300,000', lang: 'en', t: 1e16 });
    b.deliver('peerA', { type: 'chat', id: 'p-2', text: 'From 1970', lang: 'en', t: 0 });
    b.deliver('peerA', { type: 'chat', id: 'p-3', text: 'A little fast', lang: 'en', t: now + 60_000 });
    const [future, past, fast] = chat.messages.map((m) => m.t);
    expect(Math.abs(future! - now)).to.be.below(5000);
    expect(Math.abs(past! - now)).to.be.below(5000);
    expect(fast).to.equal(now + 60_000);
    expect(() => chat.messages.map((m) => new Date(m.t).toISOString())).not.to.throw();
    chat.dispose();
  });

  it('shares the translation cache with the captions', async () => {
    const translator = new ControlledTranslator();
    const b = new Room('peerB', 'Bo');
    const captions = new CaptionService(b, { spokenLanguage: 'fr', translator, recognizer: new ScriptedRecognizer() });
    const chat = new ChatService(b, { spokenLanguage: 'fr', translator });
    b.deliver('peerA', { type: 'caption', id: 's1', seq: 0, lang: 'en', text: 'Thank you', final: true, t: 1 });
    await until(() => captions.captions.length === 1 && captions.captions[0]!.translation !== undefined);
    b.deliver('peerA', { type: 'chat', id: 'c1', text: 'Thank you', lang: 'en', t: 2 });
    expect(chat.messages[0]!.text).to.equal('fr:Thank you');
    expect(translator.calls).to.have.length(1);
    captions.dispose();
    chat.dispose();
  });

  it('re-shows every message when the listen language changes, the original always kept', async () => {
    const { chatA, chatB } = pair();
    chatA.send('Hello');
    await until(() => chatB.messages[0]?.text === 'fr:Hello');
    chatB.listenLanguage = 'ar';
    await until(() => chatB.messages[0]?.text === 'ar:Hello');
    expect(chatB.messages[0]!.original).to.equal('Hello');
    chatB.listenLanguage = 'en';
    expect(chatB.messages[0]).to.include({ text: 'Hello', translated: undefined, translating: false });
  });

  it('the eldest member sends the recent history to a newcomer, once, before anything live', async () => {
    const a = new Room('peerA', 'Ana');
    const chatA = new ChatService(a, { spokenLanguage: 'en' });
    for (let i = 0; i < 60; i++) chatA.send(`m${i}`);
    const c = new Room(undefined);
    const chatC = new ChatService(c, { spokenLanguage: 'en' });
    c.selfId = 'peerC';
    c.people.set('peerC', { ...a.people.get('peerA')!, id: 'peerC', name: 'Cy', isSelf: true });
    FakeMessaging.link(a, c);
    c.dispatchEvent(new Event('joined'));
    const histories: ChatEntry[][] = [];
    chatC.on('history', (e) => histories.push(e.detail.messages));
    // The newcomer sends no history when its link opens; the eldest does.
    c.connected('peerA');
    a.connected('peerC');
    expect(c.sentOfType('chat-history')).to.have.length(0);
    await until(() => histories.length === 1);
    expect(chatC.messages).to.have.length(50);
    expect(chatC.messages[0]).to.include({ original: 'm10', from: 'peerA', name: 'Ana' });
    expect(chatC.messages[0]!.history).to.deep.equal({ relayedBy: 'peerA', relayedByName: 'Ana' });
    expect(chatC.unread).to.equal(0);
    // A second history over the same link, or one after live messages, is ignored.
    c.deliver('peerA', { type: 'chat-history', messages: [{ id: 'x', from: 'peerZ', name: 'Zed', text: 'forged', lang: 'en', t: 1 }] });
    chatA.send('live');
    await until(() => chatC.messages.length === 51);
    expect(chatC.messages.at(-1)!.original).to.equal('live');
    expect(chatC.messages.some((m) => m.original === 'forged')).to.be.false;
  });

  /** Ana was first, Bo second; Cy, the newcomer, joins them (each a fake session linked to the others). */
  function threeRoom() {
    const a = new Room('peerA', 'Ana');
    const b = new Room('peerB', 'Bo');
    FakeMessaging.link(a, b);
    const chatA = new ChatService(a, { spokenLanguage: 'en' });
    const c = new Room(undefined);
    const chatC = new ChatService(c, { spokenLanguage: 'en' });
    c.selfId = 'peerC';
    c.people.set('peerC', { ...a.people.get('peerA')!, id: 'peerC', name: 'Cy', isSelf: true });
    FakeMessaging.link(a, c);
    FakeMessaging.link(b, c);
    c.dispatchEvent(new Event('joined'));
    return { a, b, c, chatA, chatC };
  }
  const entry = (id: string, from: string, name = 'Ana', text = `text of ${id}`) => ({ id, from, name, text, lang: 'en', t: Date.now() - 1000 });

  it('takes a history only from the eldest member it knows, never one naming itself, with names on one line', async () => {
    const { b, c, chatC } = threeRoom();
    // Bo came after Ana: his history, the first chat message on his link, is a forgery.
    c.deliver('peerB', { type: 'chat-history', messages: [entry('x-1', 'peerA', 'Ana', 'forged by Bo')] });
    expect(chatC.messages).to.have.length(0);
    // Ana's, naming the receiver, is refused whole.
    c.deliver('peerA', { type: 'chat-history', messages: [entry('a-1', 'peerA'), entry('c-1', 'peerC', 'Cy')] });
    expect(chatC.messages).to.have.length(0);
    expect(b.sentOfType('chat-history')).to.have.length(0);
    // Once Ana has left, Bo is the eldest and his history is taken, marked as relayed by him; a name
    // with a line break is shown on one line, the name the room knows for a writer still there.
    const c2 = threeRoom();
    const ana = c2.c.people.get('peerA')!;
    c2.c.people.delete('peerA');
    c2.c.dispatchEvent(new CustomEvent('participant-left', { detail: { participant: ana } }));
    c2.c.deliver('peerB', { type: 'chat-history', messages: [entry('a-1', 'peerA', 'Ana\nthe host'), entry('b-1', 'peerB', 'Someone else')] });
    expect(c2.chatC.messages.map((m) => [m.name, m.history?.relayedByName, m.self])).to.deep.equal([
      ['Ana the host', 'Bo', false],
      ['Bo', 'Bo', false],
    ]);
  });

  it('a history entry cannot stand for a message its writer has not sent yet: the live one is shown in its place', () => {
    const { c, chatC } = threeRoom();
    // The eldest relays an entry under Bo's next id (as a forger who saw Bo's ids would guess it) …
    c.deliver('peerA', { type: 'chat-history', messages: [entry('bo-2', 'peerB', 'Bo', 'forged under a future id')] });
    expect(chatC.messages.map((m) => m.original)).to.deep.equal(['forged under a future id']);
    // … and Bo's own message with that id is shown all the same, in its place.
    c.deliver('peerB', { type: 'chat', id: 'bo-2', text: 'the real one', lang: 'en', t: Date.now() });
    expect(chatC.messages.map((m) => [m.original, m.history === undefined])).to.deep.equal([['the real one', true]]);
    // A history entry for a message already received live is skipped.
    c.deliver('peerA', { type: 'chat', id: 'a-9', text: 'live first', lang: 'en', t: Date.now() });
    expect(chatC.messages).to.have.length(2);
  });

  it('a history of long messages keeps the newest that fit in one data-channel message', async () => {
    const a = new Room('peerA', 'Ana');
    const chatA = new ChatService(a, { spokenLanguage: 'ar' });
    for (let i = 0; i < 50; i++) chatA.send(`${i} ${'ب'.repeat(995)}`);
    a.connected('peerN');
    const sent = a.sentOfType('chat-history')[0] as unknown as { messages: { text: string }[] };
    expect(JSON.stringify(sent).length).to.be.at.most(15 * 1024);
    expect(sent.messages.length).to.be.within(10, 15);
    expect(sent.messages.at(-1)!.text.startsWith('49 ')).to.be.true;
  });

  it('a member who was not first in the room does not send the history', () => {
    const b = new Room(undefined);
    const chatB = new ChatService(b, { spokenLanguage: 'en' });
    b.selfId = 'peerB';
    b.people.set('peerB', { ...new Room('peerB', 'Bo').people.get('peerB')! });
    FakeMessaging.link(new Room('peerA', 'Ana'), b);
    b.dispatchEvent(new Event('joined')); // peerA was there before us
    chatB.send('hello');
    b.connected('peerC');
    expect(b.sentOfType('chat-history')).to.have.length(0);
    // Once the elder has left, we are the eldest.
    const left = b.people.get('peerA')!;
    b.people.delete('peerA');
    b.dispatchEvent(new CustomEvent('participant-left', { detail: { participant: left } }));
    b.connected('peerD');
    expect(b.sentOfType('chat-history')).to.have.length(1);
  });

  it('puts the chat in the JSON transcript, translated on request', async () => {
    const { a, b, chatA, chatB } = pair();
    const captions = new CaptionService(b, { spokenLanguage: 'fr', recognizer: new ScriptedRecognizer() });
    void a;
    chatA.send('Hello');
    await until(() => chatB.messages[0]?.translating === false);
    const json = JSON.parse(await captions.transcript('json', 'fr', await chatB.transcriptLines('fr'))) as { chat: unknown[] };
    expect(json.chat).to.have.length(1);
    expect(json.chat[0]).to.deep.include({ id: chatB.messages[0]!.id, from: 'Ana', fromId: 'peerA', lang: 'fr', text: 'fr:Hello', machineTranslated: true, original: { lang: 'en', text: 'Hello' } });
    const originals = JSON.parse(await captions.transcript('json', undefined, await chatB.transcriptLines())) as { chat: { text: string }[] };
    expect(originals.chat[0]!.text).to.equal('Hello');
    expect(await captions.transcript('vtt', undefined, await chatB.transcriptLines())).not.to.contain('Hello');
    captions.dispose();
  });
});

describe('ChatService between real sessions', () => {
  const sessions: MeetingSession[] = [];
  afterEach(() => {
    for (const s of sessions.splice(0)) s.leave();
  });

  async function join(room: string, name: string, spokenLanguage: string): Promise<MeetingSession> {
    const session = new MeetingSession({ signalingUrl: SIGNALING, room, name, spokenLanguage, micEnabled: false, cameraEnabled: false });
    sessions.push(session);
    await session.join();
    return session;
  }

  it('a French reader gets an English message translated through a LibreTranslate server, and a newcomer gets the history', async () => {
    const room = `chat-${Date.now().toString(36)}`;
    const ana = await join(room, 'Ana', 'en');
    const chatAna = new ChatService(ana, { spokenLanguage: 'en' });
    const bo = new MeetingSession({ signalingUrl: SIGNALING, room, name: 'Bo', spokenLanguage: 'fr', micEnabled: false, cameraEnabled: false });
    sessions.push(bo);
    // Constructed before joining, as the meeting does: it learns who was there before it.
    const chatBo = new ChatService(bo, { spokenLanguage: 'fr', translator: new LibreTranslateTranslator(ENDPOINT) });
    const peerConnected = new Promise((resolve) => ana.addEventListener('peer-connected', resolve, { once: true }));
    await bo.join();
    await peerConnected;
    const got = new Promise<ChatEntry>((resolve) => chatBo.on('message', (e) => resolve(e.detail.message)));
    chatAna.send('Good morning everyone');
    const message = await got;
    expect(message).to.include({ from: ana.selfId, name: 'Ana', lang: 'en', original: 'Good morning everyone', text: 'Bonjour à tous' });
    expect(message.translated).to.deep.equal({ text: 'Bonjour à tous', lang: 'fr', machine: true });
    chatBo.send('Merci');
    await until(() => chatAna.messages.length === 2, 10000);
    expect(chatAna.messages[1]).to.include({ from: bo.selfId, name: 'Bo', original: 'Merci', lang: 'fr' });

    // A newcomer receives both from Ana, the eldest, and nothing twice.
    const cy = new MeetingSession({ signalingUrl: SIGNALING, room, name: 'Cy', spokenLanguage: 'en', micEnabled: false, cameraEnabled: false });
    sessions.push(cy);
    const chatCy = new ChatService(cy, { spokenLanguage: 'en' });
    const history = new Promise<ChatEntry[]>((resolve) => chatCy.on('history', (e) => resolve(e.detail.messages)));
    await cy.join();
    const entries = await history;
    expect(entries.map((m) => [m.name, m.original])).to.deep.equal([
      ['Ana', 'Good morning everyone'],
      ['Bo', 'Merci'],
    ]);
    expect(entries[0]!.history).to.deep.equal({ relayedBy: ana.selfId, relayedByName: 'Ana' });
    await until(() => cy.participants.every((p) => p.connectionState === 'connected'), 15000);
    chatAna.send('Hello');
    await until(() => chatCy.messages.length === 3, 10000);
    expect(chatCy.messages.map((m) => m.original)).to.deep.equal(['Good morning everyone', 'Merci', 'Hello']);
    for (const chat of [chatAna, chatBo, chatCy]) chat.dispose();
  });
});
