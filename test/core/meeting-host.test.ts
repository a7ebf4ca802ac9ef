// The facilitation API of the headless Meeting: chat, raised hands and the host's tools, between
// real meetings in one page through the real signaling server (window.UN75_SIGNALING, an open
// server: the first member of a room is its host).
import { expect } from '@open-wc/testing';
import { Meeting, type ChatEntry, type MeetingError, type MeetingOptions } from '../../src/core/index.js';
import { ControlledTranslator } from './caption-fakes.js';
import { SIGNALING, uniqueRoom, until } from '../components/helpers.js';

const open: Meeting[] = [];

function meeting(options: Omit<MeetingOptions, 'signalingUrl'>): Meeting {
  const m = new Meeting({ signalingUrl: SIGNALING, cameraOff: true, ...options });
  open.push(m);
  return m;
}

function errorsOf(m: Meeting): MeetingError[] {
  const errors: MeetingError[] = [];
  m.on('error', (e) => errors.push(e.detail));
  return errors;
}

/** The other person's record as `m` sees it. */
const seen = (m: Meeting, name: string) => m.participants.find((p) => p.name === name);

describe('Meeting: chat, hands and host tools', function () {
  this.timeout(60000);

  afterEach(async () => {
    for (const m of open.splice(0)) await m.leave();
  });

  it('chat reaches the others translated, keeps the original, gives a newcomer the history and goes into the JSON transcript', async () => {
    const room = uniqueRoom('chat');
    const ana = meeting({ room, name: 'Ana', spokenLanguage: 'en', translator: new ControlledTranslator() });
    const bo = meeting({ room, name: 'Bo', spokenLanguage: 'fr', translator: new ControlledTranslator() });
    await ana.join();
    await bo.join();
    await until(() => seen(bo, 'Ana')?.connectionState === 'connected' && seen(ana, 'Bo')?.connectionState === 'connected', 'the link', 30000);

    const atBo: ChatEntry[] = [];
    bo.on('chat', (e) => atBo.push(e.detail.message));
    const mine: ChatEntry[] = [];
    ana.on('chat', (e) => mine.push(e.detail.message));
    const sent = await ana.sendChat('Welcome everyone');
    expect(sent.self).to.equal(true);
    expect(mine.map((m) => m.text)).to.deep.equal(['Welcome everyone']);
    await until(() => atBo.length > 0, 'the message at Bo', 15000);
    expect(atBo[0]).to.include({ name: 'Ana', lang: 'en', text: 'fr:Welcome everyone', original: 'Welcome everyone', self: false });
    expect(atBo[0]!.translated).to.deep.equal({ text: 'fr:Welcome everyone', lang: 'fr', machine: true });
    expect(bo.unreadChat).to.equal(1);
    bo.markChatRead();
    expect(bo.unreadChat).to.equal(0);

    // A change of listen language shows the chat again in the new one.
    bo.setLanguages({ listen: 'ar' });
    await until(() => bo.chatMessages[0]?.text === 'ar:Welcome everyone', 'the chat in Arabic at Bo');

    // A newcomer gets what was said before it arrived, from the member there longest.
    const cy = meeting({ room, name: 'Cy', spokenLanguage: 'es', translator: new ControlledTranslator() });
    await cy.join();
    await until(() => cy.chatMessages.some((m) => m.original === 'Welcome everyone' && m.text === 'es:Welcome everyone'), 'the history at Cy', 30000);

    const transcript = JSON.parse(await ana.transcript('json')) as { chat: { text: string; lang: string }[] };
    expect(transcript.chat.map((c) => [c.lang, c.text])).to.deep.equal([['en', 'Welcome everyone']]);

    // Nothing blank, nothing too long: an error event and a rejection, nothing sent.
    const errors = errorsOf(ana);
    await ana.sendChat('   ').then(
      () => expect.fail('a blank message was sent'),
      (err: MeetingError) => expect(err.code).to.equal('chat-invalid'),
    );
    await ana.sendChat('x'.repeat(1001)).catch(() => {});
    expect(errors.map((e) => e.code)).to.deep.equal(['chat-invalid', 'chat-invalid']);
    expect(ana.chatMessages).to.have.length(1);
  });

  it('chat through a LibreTranslate server (translation-endpoint) reaches a French reader in French', async () => {
    const room = uniqueRoom('chat-lt');
    const endpoint = new URL('/mock-libretranslate/translate', location.href).href;
    const ana = meeting({ room, name: 'Ana', spokenLanguage: 'en' });
    const lou = meeting({ room, name: 'Lou', spokenLanguage: 'en', listenLanguage: 'fr', translationEndpoint: endpoint });
    await ana.join();
    await lou.join();
    // Chat goes over open links: the writer's side of the link must be up too.
    await until(() => seen(lou, 'Ana')?.connectionState === 'connected' && seen(ana, 'Lou')?.connectionState === 'connected', 'the link, both sides', 30000);
    const shown: ChatEntry[] = [];
    lou.on('chat', (e) => shown.push(e.detail.message));
    await ana.sendChat('Good morning everyone');
    await until(() => shown.length > 0, 'the message at Lou', 30000);
    expect(shown[0], JSON.stringify(shown[0])).to.include({ text: 'Bonjour à tous', original: 'Good morning everyone' });
  });

  it('the host locks, admits and denies; the waiting person waits with join() pending', async () => {
    const room = uniqueRoom('lock');
    const host = meeting({ room, name: 'Hosta' });
    await host.join();
    expect(host.role).to.equal('host');
    const locks: boolean[] = [];
    host.on('lock-change', (e) => locks.push(e.detail.locked));
    expect(await host.toggleLock()).to.equal(true);
    await until(() => host.locked, 'the lock');

    const waitingChanges: string[][] = [];
    host.on('waiting-change', (e) => waitingChanges.push(e.detail.waiting.map((w) => w.name)));
    const cy = meeting({ room, name: 'Cy' });
    const rooms: string[] = [];
    cy.on('waiting-room', (e) => rooms.push(e.detail.room));
    let cyJoined = false;
    const cyJoin = cy.join().then(() => (cyJoined = true));
    await until(() => host.waiting.some((w) => w.name === 'Cy'), 'Cy in the host\'s waiting list', 15000);
    expect(rooms).to.deep.equal([room]);
    expect(cy.isWaiting).to.equal(true);
    expect(cyJoined).to.equal(false);
    expect(cy.participants).to.deep.equal([]);
    await host.admit(host.waiting[0]!.id);
    await cyJoin;
    expect(cy.isWaiting).to.equal(false);
    expect(cy.locked).to.equal(true);
    await until(() => Boolean(seen(host, 'Cy')) && host.waiting.length === 0, 'Cy in the room, nobody waiting');

    const dan = meeting({ room, name: 'Dan' });
    const danLeft: string[] = [];
    dan.on('left', (e) => danLeft.push(e.detail.reason));
    const danErrors = errorsOf(dan);
    const danJoin = dan.join().then(
      () => 'joined',
      (err: MeetingError) => err.code,
    );
    await until(() => host.waiting.some((w) => w.name === 'Dan'), 'Dan waiting', 15000);
    await host.deny(host.waiting[0]!.id);
    expect(await danJoin).to.equal('denied');
    expect(danLeft).to.deep.equal(['denied']);
    expect(danErrors).to.deep.equal([]);
    await until(() => waitingChanges.at(-1)?.length === 0, 'the waiting list emptied at the host');
    expect(waitingChanges).to.deep.include(['Cy']).and.to.deep.include(['Dan']);

    await host.toggleLock(false);
    await until(() => !host.locked && !cy.locked, 'the room open again for both');
    expect(locks).to.deep.equal([true, false]);
  });

  it('the host removes, asks to mute, lowers a hand and gives roles; a participant may do none of it', async () => {
    const room = uniqueRoom('host');
    const host = meeting({ room, name: 'Hosta' });
    const bo = meeting({ room, name: 'Bo', interpreterLanguages: 'en fr' });
    const cy = meeting({ room, name: 'Cy' });
    await host.join();
    await bo.join();
    await cy.join();
    await until(() => host.participants.length === 3 && bo.participants.length === 3 && cy.participants.length === 3, 'everyone listed');
    const boId = bo.session!.selfId!;
    const cyId = cy.session!.selfId!;
    const hostId = host.session!.selfId!;
    expect(bo.role).to.equal('participant');

    // A participant tries every host tool: forbidden each time, nothing changes.
    const boErrors = errorsOf(bo);
    await cy.toggleHand(true);
    await until(() => seen(bo, 'Cy')?.handRaised === true, "Cy's hand at Bo");
    await bo.removeParticipant(cyId);
    await bo.requestMute(cyId);
    await bo.toggleLock(true);
    await bo.lowerHand(cyId);
    await bo.setRole(cyId, 'host');
    await bo.setRole(boId, 'host');
    await until(() => boErrors.length === 6, 'six answers', 15000);
    expect(boErrors.map((e) => e.code)).to.deep.equal(Array(6).fill('forbidden'));
    expect(cy.session!.state).to.equal('joined');
    expect(cy.participants[0]!.handRaised).to.equal(true);
    expect(cy.role).to.equal('participant');
    expect(bo.role).to.equal('participant');
    expect(host.locked).to.equal(false);

    // The host's way: asked to mute, Cy is told and stays unmuted.
    const asked: { by: string; name: string }[] = [];
    cy.on('mute-requested', (e) => asked.push(e.detail));
    await host.requestMute(cyId);
    await until(() => asked.length === 1, 'the request at Cy');
    expect(asked[0]).to.deep.equal({ by: hostId, name: 'Hosta' });
    expect(cy.session!.micEnabled).to.equal(true);

    // The hand is lowered for Cy, on Cy's own page too.
    await host.lowerHand(cyId);
    await until(() => cy.participants[0]!.handRaised === false && cy.hands.length === 0, "Cy's own hand down");

    // Bo is made interpreter: the role, the event and the booth follow; then participant again.
    const roles: string[] = [];
    bo.on('role-change', (e) => roles.push(e.detail.role));
    await host.setRole(boId, 'interpreter');
    await until(() => bo.role === 'interpreter' && Boolean(bo.interpretation?.boothState), "Bo's booth");
    expect(bo.boothLanguages).to.deep.equal(['en', 'fr']);
    await until(() => seen(cy, 'Bo')?.role === 'interpreter', 'the new role at Cy');
    await host.setRole(boId, 'participant');
    await until(() => bo.role === 'participant' && !bo.interpretation?.boothState, 'the booth closed');
    expect(roles).to.deep.equal(['interpreter', 'participant']);

    // Removed: Cy leaves with the reason, and the server refuses Cy coming back.
    const cyLeft: string[] = [];
    cy.on('left', (e) => cyLeft.push(e.detail.reason));
    await host.removeParticipant(cyId);
    await until(() => cyLeft.length === 1, 'Cy removed');
    expect(cyLeft).to.deep.equal(['removed']);
    await until(() => !seen(host, 'Cy') && !seen(bo, 'Cy'), 'Cy gone for the others');
    const again = await cy.join().then(
      () => 'joined',
      (err: MeetingError) => err.code,
    );
    expect(again).to.equal('forbidden');
  });

  it('an interpreter the host makes during the call is heard on links already open; the role taken away closes the channel and mutes them', async () => {
    const room = uniqueRoom('granted-booth');
    const host = meeting({ room, name: 'Hosta', spokenLanguage: 'en' });
    // Asked for, but an open room grants the role to nobody who asks: Ines starts as a participant.
    const ines = meeting({ room, name: 'Ines', spokenLanguage: 'en', joinAs: 'participant', interpreterLanguages: 'en fr' });
    const lina = meeting({ room, name: 'Lina', spokenLanguage: 'fr', listenLanguage: 'fr' });
    for (const m of [host, ines, lina]) await m.join();
    const linked = (m: Meeting) => m.participants.length === 3 && m.participants.every((p) => p.isSelf || p.connectionState === 'connected');
    await until(() => [host, ines, lina].every(linked), 'everyone linked', 30000);
    const inesId = ines.session!.selfId!;
    const hostId = host.session!.selfId!;
    const heard: (string | null)[] = [];
    lina.on('channel-change', (e) => heard.push(e.detail.channel?.interpreterId ?? null));
    expect(ines.interpretation!.boothState).to.equal(undefined);

    await host.setRole(inesId, 'interpreter');
    await until(() => lina.interpretation!.heard?.interpreterId === inesId, 'the channel at Lina', 15000);
    expect(ines.interpretation!.boothState).to.include({ from: 'en', to: 'fr', onAir: true });
    expect(host.interpretation!.channels.map((c) => c.interpreterId)).to.deep.equal([inesId]);
    await until(() => lina.session!.audio.volumeOf(inesId) === 1 && lina.session!.audio.volumeOf(hostId) === 0.2, 'the mix at Lina');

    await host.setRole(inesId, 'participant');
    await until(() => lina.interpretation!.channels.length === 0 && host.interpretation!.channels.length === 0, 'the channel closed', 15000);
    expect(ines.interpretation!.boothState).to.equal(undefined);
    expect(ines.session!.micEnabled, "Ines's microphone").to.equal(false);
    await until(() => seen(lina, 'Ines')?.micEnabled === false, "Ines's microphone off at Lina");
    expect(lina.session!.audio.volumeOf(hostId)).to.equal(1);
    expect(heard).to.deep.equal([inesId, null]);
  });

  it('hands queue in raise order at every member, and a new host is told who waits', async () => {
    const room = uniqueRoom('hands');
    const host = meeting({ room, name: 'Hosta' });
    const bo = meeting({ room, name: 'Bo' });
    const cy = meeting({ room, name: 'Cy' });
    for (const m of [host, bo, cy]) await m.join();
    await until(() => [host, bo, cy].every((m) => m.participants.length === 3), 'everyone listed');
    const order = (m: Meeting) => m.hands.map((p) => p.name).join(',');
    await cy.toggleHand(true);
    await until(() => [host, bo].every((m) => order(m) === 'Cy'), "Cy's hand everywhere");
    await host.toggleHand(true);
    await until(() => [bo, cy].every((m) => order(m) === 'Cy,Hosta'), "the host's hand second everywhere");
    await bo.toggleHand(true);
    await until(() => [host, bo, cy].every((m) => order(m) === 'Cy,Hosta,Bo'), 'the queue Cy, Hosta, Bo everywhere');
    // Lowered and raised again: to the back.
    await cy.toggleHand(false);
    await cy.toggleHand(true);
    await until(() => [host, bo, cy].every((m) => order(m) === 'Hosta,Bo,Cy'), 'Cy at the back everywhere');

    // Made host, Bo gets the waiting list; no longer host, it forgets it.
    await host.toggleLock(true);
    await until(() => bo.locked, 'the lock at Bo');
    const dan = meeting({ room, name: 'Dan' });
    const danJoin = dan.join().catch(() => {});
    await until(() => host.waiting.length === 1, 'Dan waiting');
    expect(bo.waiting).to.deep.equal([]);
    await host.setRole(bo.session!.selfId!, 'host');
    await until(() => bo.role === 'host' && bo.waiting.map((w) => w.name).join() === 'Dan', 'the list at the new host');
    await host.setRole(bo.session!.selfId!, 'participant');
    await until(() => bo.role === 'participant' && bo.waiting.length === 0, 'the list forgotten');
    await host.deny(host.waiting[0]!.id);
    await danJoin;
  });
});
