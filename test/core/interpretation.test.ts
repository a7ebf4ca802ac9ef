import { expect } from '@open-wc/testing';
import { Interpretation, type InterpretationOptions } from '../../src/core/interpretation.js';
import type { Participant } from '../../src/core/types.js';
import { FakeMessaging, tick, until } from './caption-fakes.js';

/** A session as the interpretation module sees it: messaging, people, a real audio track. */
class FakeSession extends FakeMessaging {
  readonly localStream: MediaStream;

  constructor(id: string, name: string, role: Participant['role'] = 'participant') {
    super(id, name);
    this.people.set(id, { ...this.people.get(id)!, role });
    const context = new AudioContext();
    this.localStream = context.createMediaStreamDestination().stream;
  }

  get participants(): Participant[] {
    return [...this.people.values()];
  }

  setMicrophone(on: boolean): boolean {
    this.localStream.getAudioTracks()[0]!.enabled = on;
    return on;
  }
}

interface Member {
  session: FakeSession;
  interpretation: Interpretation;
}

function member(id: string, name: string, options: Partial<InterpretationOptions> & { role?: Participant['role'] } = {}): Member {
  const session = new FakeSession(id, name, options.role ?? (options.interpreterLanguages ? 'interpreter' : 'participant'));
  const interpretation = new Interpretation(session, { listenLanguage: 'en', floorVolume: 0.2, ...options });
  return { session, interpretation };
}

/** Links everyone to everyone, as the mesh does, and opens the data channels. */
function link(...members: Member[]) {
  for (const [i, a] of members.entries()) {
    for (const b of members.slice(i + 1)) {
      FakeMessaging.link(a.session, b.session);
      a.session.dispatchEvent(new CustomEvent('peer-connected', { detail: { id: b.session.selfId } }));
      b.session.dispatchEvent(new CustomEvent('peer-connected', { detail: { id: a.session.selfId } }));
    }
  }
}

/** The server's word that `who` now has `role`, as every member's session hears it (`peer-updated`). */
function setRole(who: Member, role: Participant['role'], ...at: Member[]) {
  const id = who.session.selfId!;
  for (const m of at) {
    const participant = { ...m.session.people.get(id)!, role };
    m.session.people.set(id, participant);
    m.session.dispatchEvent(new CustomEvent('participant-updated', { detail: { participant } }));
  }
}

const volumeOf = (listener: Member, of: Member) => listener.interpretation.volumeFor(listener.session.participant(of.session.selfId!)!);

describe('Interpretation', () => {
  it('without a channel, a listener hears the floor at full volume', () => {
    const listener = member('l', 'Lina', { listenLanguage: 'fr' });
    const speaker = member('s', 'Sam');
    link(listener, speaker);
    expect(volumeOf(listener, speaker)).to.equal(1);
    expect(listener.interpretation.heard).to.be.null;
  });

  it('an interpreter goes on air from the first booth language into the second, and listeners of that language hear them over a ducked floor', async () => {
    const interpreter = member('i', 'Ines', { interpreterLanguages: ['en', 'fr'] });
    const french = member('f', 'Fatou', { listenLanguage: 'fr' });
    const english = member('e', 'Ed', { listenLanguage: 'en' });
    const speaker = member('s', 'Sam');
    link(interpreter, french, english, speaker);
    await until(() => french.interpretation.heard !== null);
    expect(interpreter.interpretation.boothState).to.include({ from: 'en', to: 'fr', onAir: true });
    expect(french.interpretation.heard).to.include({ lang: 'fr', interpreterId: 'i', interpreterName: 'Ines' });
    expect(volumeOf(french, interpreter)).to.equal(1);
    expect(volumeOf(french, speaker)).to.equal(0.2);
    // The floor's own language: no interpreter at all.
    expect(volumeOf(english, interpreter)).to.equal(0);
    expect(volumeOf(english, speaker)).to.equal(1);
    // A regional tag finds the channel of its language.
    french.interpretation.listenLanguage = 'fr-CA';
    expect(volumeOf(french, interpreter)).to.equal(1);
    // floor-volume 0 silences the floor under the interpreter.
    french.interpretation.floorVolume = 0;
    expect(volumeOf(french, speaker)).to.equal(0);
  });

  it('switching language is a volume change, announced as a change', async () => {
    const interpreter = member('i', 'Ines', { interpreterLanguages: ['en', 'fr'] });
    const listener = member('l', 'Lina', { listenLanguage: 'en' });
    const speaker = member('s', 'Sam');
    link(interpreter, listener, speaker);
    await until(() => listener.interpretation.channels.length === 1);
    let changes = 0;
    listener.interpretation.addEventListener('change', () => changes++);
    listener.interpretation.listenLanguage = 'fr';
    expect(changes).to.equal(1);
    expect(volumeOf(listener, interpreter)).to.equal(1);
    expect(listener.session.sent.filter((s) => s.message.type === 'channel')).to.have.length(0);
  });

  it('swapping direction moves the channel; the cough key silences it without leaving the air', async () => {
    const interpreter = member('i', 'Ines', { interpreterLanguages: ['en', 'fr'] });
    const french = member('f', 'Fatou', { listenLanguage: 'fr' });
    const english = member('e', 'Ed', { listenLanguage: 'en' });
    link(interpreter, french, english);
    await until(() => french.interpretation.heard !== null);
    interpreter.interpretation.swapDirection();
    await until(() => english.interpretation.heard !== null);
    expect(english.interpretation.heard!.lang).to.equal('en');
    expect(french.interpretation.heard).to.be.null;
    expect(volumeOf(french, interpreter)).to.equal(0);

    interpreter.interpretation.setMuted(true);
    expect(interpreter.session.localStream.getAudioTracks()[0]!.enabled).to.be.false;
    await until(() => english.interpretation.heard?.muted === true);
    expect(interpreter.interpretation.boothState!.onAir).to.be.true;
  });

  it('two interpreters of one booth: the one who joined later stands by, takes over with one click, and only one is on air', async () => {
    const first = member('a', 'Ana', { interpreterLanguages: ['en', 'fr'] });
    const listener = member('l', 'Lina', { listenLanguage: 'fr' });
    link(first, listener);
    await until(() => listener.interpretation.heard?.interpreterId === 'a');
    await tick(5);
    const second = member('b', 'Bea', { interpreterLanguages: ['en', 'fr'] });
    link(first, second);
    link(listener, second);
    await until(() => second.interpretation.boothState!.partner === 'a');
    // It may have claimed the channel for a moment on joining; it has let go of it since.
    await until(() => listener.interpretation.channels.length === 1);
    expect(second.interpretation.boothState!.onAir).to.be.false;
    expect(first.interpretation.boothState!.onAir).to.be.true;
    expect(listener.interpretation.channels.map((c) => c.interpreterId)).to.deep.equal(['a']);

    second.interpretation.setOnAir(true);
    await until(() => listener.interpretation.heard?.interpreterId === 'b');
    await until(() => first.interpretation.boothState!.onAir === false);
    expect(first.interpretation.boothState!.partner).to.equal('b');
    expect(listener.interpretation.channels.map((c) => c.interpreterId)).to.deep.equal(['b']);
    expect(volumeOf(listener, second)).to.equal(1);
    expect(volumeOf(listener, first)).to.equal(0);
  });

  it('relay: an interpreter may listen to another channel instead of the floor', async () => {
    const french = member('f', 'Fred', { interpreterLanguages: ['en', 'fr'] });
    const arabic = member('a', 'Amal', { interpreterLanguages: ['fr', 'ar'] });
    const speaker = member('s', 'Sam');
    link(french, arabic, speaker);
    await until(() => arabic.interpretation.channels.some((c) => c.lang === 'fr'));
    expect(volumeOf(arabic, speaker)).to.equal(1);
    expect(volumeOf(arabic, french)).to.equal(0);
    arabic.interpretation.setRelay('fr');
    expect(volumeOf(arabic, french)).to.equal(1);
    expect(volumeOf(arabic, speaker)).to.equal(0);
    // An interpreter never hears their own channel: the French interpreter hears the floor.
    expect(volumeOf(french, speaker)).to.equal(1);
    expect(volumeOf(french, arabic)).to.equal(0);
  });

  it('believes channel announcements only from interpreters, drops malformed ones, and forgets a channel whose interpreter left', async () => {
    const listener = member('l', 'Lina', { listenLanguage: 'fr' });
    const impostor = member('x', 'Xavier');
    const interpreter = member('i', 'Ines', { interpreterLanguages: ['en', 'fr'] });
    link(listener, impostor, interpreter);
    await until(() => listener.interpretation.heard !== null);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    try {
      listener.session.deliver('x', { type: 'channel', lang: 'fr', trackId: 't', muted: false, since: Date.now(), takeover: true });
      listener.session.deliver('i', { type: 'channel', lang: 42, trackId: 't', muted: false, since: 1, takeover: true });
    } finally {
      console.warn = warn;
    }
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('dropped a channel announcement from i');
    // A participant's take-over counts for nothing: the interpreter keeps the channel, the impostor is floor.
    expect(listener.interpretation.channels.map((c) => c.interpreterId)).to.deep.equal(['i']);
    expect(listener.interpretation.heard!.interpreterId).to.equal('i');
    expect(volumeOf(listener, interpreter)).to.equal(1);
    expect(volumeOf(listener, impostor)).to.equal(0.2);
    listener.session.people.delete('i');
    listener.session.dispatchEvent(new CustomEvent('participant-left', { detail: { participant: interpreter.session.participant('i')! } }));
    expect(listener.interpretation.channels).to.have.length(0);
    expect(listener.interpretation.heard).to.be.null;
  });
});

describe('Interpretation under attack', () => {
  const claim = (lang: string | null, extra: Record<string, unknown> = {}) => ({ type: 'channel', lang, trackId: 't', muted: false, since: Date.now() + 1e10, takeover: true, ...extra });

  it('a take-over with a future time and a flood of take-overs cannot keep the channel: the real interpreter takes it back and keeps it', async () => {
    const ines = member('i', 'Ines', { interpreterLanguages: ['en', 'fr'] });
    const lina = member('l', 'Lina', { listenLanguage: 'fr' });
    const mallory = member('m', 'Mallory', { role: 'interpreter' });
    link(ines, lina, mallory);
    await until(() => lina.interpretation.heard?.interpreterId === 'i');
    // The hijack: one take-over wins (the latest by receive time), whatever time it claims.
    const hijack = () => {
      for (const target of [ines, lina]) target.session.deliver('m', claim('fr'));
    };
    hijack();
    expect(lina.interpretation.heard?.interpreterId).to.equal('m');
    await until(() => ines.interpretation.boothState!.onAir === false);
    expect(ines.interpretation.boothState!.partner).to.equal('m');
    // The real interpreter takes it back.
    ines.interpretation.setOnAir(true);
    await until(() => lina.interpretation.heard?.interpreterId === 'i');
    // The same claim again does not renew it; going off and on air again is a new take-over, and
    // one a minute is believed.
    for (let i = 0; i < 100; i++) {
      hijack();
      for (const target of [ines, lina]) target.session.deliver('m', claim(i % 2 ? null : 'fr'));
    }
    await tick(5);
    expect(lina.interpretation.heard?.interpreterId).to.equal('i');
    expect(lina.interpretation.channels.map((c) => c.interpreterId)).to.deep.equal(['i']);
    expect(ines.interpretation.boothState!.onAir).to.be.true;
  });

  it('a claim on a free channel is always believed, and so are an interpreter’s own repeats', async () => {
    const lina = member('l', 'Lina', { listenLanguage: 'es' });
    const ana = member('a', 'Ana', { role: 'interpreter' });
    link(lina, ana);
    for (let i = 0; i < 20; i++) {
      lina.session.deliver('a', claim(i % 2 ? 'es' : 'de'));
      expect(lina.interpretation.channels.map((c) => c.lang)).to.deep.equal([i % 2 ? 'es' : 'de']);
    }
    lina.session.deliver('a', claim('es', { muted: true }));
    expect(lina.interpretation.heard).to.include({ interpreterId: 'a', muted: true });
  });
});

describe('Interpretation when a host grants or takes the role during the call', () => {
  it('a booth opened on links already up is announced on each of them and heard; closed, the channel is gone for everyone and the microphone is off', async () => {
    const ines = member('i', 'Ines');
    const fatou = member('f', 'Fatou', { listenLanguage: 'fr' });
    const ed = member('e', 'Ed', { listenLanguage: 'en' });
    const sam = member('s', 'Sam');
    // Every link is open before Ines has a booth: nothing will tell it again when a link opens.
    link(ines, fatou, ed, sam);
    await tick(5);
    expect(fatou.interpretation.channels).to.deep.equal([]);
    expect(volumeOf(fatou, ines)).to.equal(1);

    setRole(ines, 'interpreter', ines, fatou, ed, sam);
    ines.interpretation.setBooth(['en', 'fr']);
    expect(ines.interpretation.boothState).to.include({ from: 'en', to: 'fr', onAir: true, partner: null });
    expect(ines.session.sentOfType('channel')).to.have.length(1);
    await until(() => fatou.interpretation.heard?.interpreterId === 'i');
    for (const m of [fatou, ed, sam]) expect(m.interpretation.channels.map((c) => [c.lang, c.interpreterId])).to.deep.equal([['fr', 'i']]);
    expect(volumeOf(fatou, ines)).to.equal(1);
    expect(volumeOf(fatou, sam)).to.equal(0.2);
    expect(volumeOf(ed, ines)).to.equal(0);
    expect(volumeOf(ed, sam)).to.equal(1);

    // Taken away: Ines's page closes the booth (the listeners may hear of the role first, or of the channel).
    setRole(ines, 'participant', ines, fatou);
    ines.interpretation.setBooth(undefined);
    expect(ines.interpretation.boothState).to.equal(undefined);
    expect(ines.interpretation.channels).to.deep.equal([]);
    expect(ines.session.localStream.getAudioTracks()[0]!.enabled, 'the microphone is off').to.equal(false);
    expect(ines.session.sentOfType('channel').at(-1)).to.include({ lang: null });
    // Fatou heard of the role first: the channel is closed at once.
    expect(fatou.interpretation.channels).to.deep.equal([]);
    expect(fatou.interpretation.heard).to.equal(null);
    expect(volumeOf(fatou, sam)).to.equal(1);
    // Ed and Sam by Ines's word: closed before they hear of the role.
    await until(() => ed.interpretation.channels.length === 0 && sam.interpretation.channels.length === 0);
    setRole(ines, 'participant', ed, sam);
    expect(ed.interpretation.channels).to.deep.equal([]);
  });

  it('an announcement that arrives before the server’s word of the role counts once the role is known; the role taken away closes the channel without a word from the interpreter', async () => {
    const ines = member('i', 'Ines');
    const lina = member('l', 'Lina', { listenLanguage: 'fr' });
    const sam = member('s', 'Sam');
    link(ines, lina, sam);
    // Ines's page hears of its role first and goes on air; Lina does not know yet.
    setRole(ines, 'interpreter', ines);
    ines.interpretation.setBooth(['en', 'fr']);
    await until(() => ines.session.sentOfType('channel').length === 1);
    await tick(5);
    expect(lina.interpretation.channels, 'not an interpreter yet, as far as Lina knows').to.deep.equal([]);
    expect(volumeOf(lina, ines)).to.equal(1);
    let changes = 0;
    lina.interpretation.addEventListener('change', () => changes++);
    setRole(ines, 'interpreter', lina);
    expect(changes).to.equal(1);
    expect(lina.interpretation.heard).to.include({ lang: 'fr', interpreterId: 'i' });
    expect(volumeOf(lina, sam)).to.equal(0.2);
    // The role taken away: the channel closes even before Ines's page says anything.
    setRole(ines, 'participant', lina);
    expect(lina.interpretation.channels).to.deep.equal([]);
    expect(volumeOf(lina, sam)).to.equal(1);
  });

  it('a booth granted while its partner is on air stands by, as joining does', async () => {
    const ana = member('a', 'Ana', { interpreterLanguages: ['en', 'fr'] });
    const bea = member('b', 'Bea');
    const lina = member('l', 'Lina', { listenLanguage: 'fr' });
    link(ana, bea, lina);
    await until(() => lina.interpretation.heard?.interpreterId === 'a' && bea.interpretation.channels.length === 1);
    setRole(bea, 'interpreter', ana, bea, lina);
    bea.interpretation.setBooth(['en', 'fr']);
    expect(bea.interpretation.boothState).to.include({ onAir: false, partner: 'a' });
    await tick(5);
    expect(ana.interpretation.boothState!.onAir).to.equal(true);
    expect(lina.interpretation.channels.map((c) => c.interpreterId)).to.deep.equal(['a']);
  });
});
