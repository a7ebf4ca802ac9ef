import { expect } from '@open-wc/testing';
import { ActiveSpeaker, type Clock } from '../../src/core/active-speaker.js';
import { HandRaiseClock, handQueue } from '../../src/core/hands.js';

/** A clock that moves only when the test says so, firing timers in order. */
class FakeClock implements Clock {
  time = 0;
  #timers: { at: number; callback: () => void; id: number }[] = [];
  #ids = 0;
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = ++this.#ids;
    this.#timers.push({ at: this.time + ms, callback, id });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  };
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers[0];
      if (!next || next.at > end) break;
      this.#timers.shift();
      this.time = next.at;
      next.callback();
    }
    this.time = end;
  }
}

function speaker() {
  const clock = new FakeClock();
  const active = new ActiveSpeaker({ clock, takeoverMs: 1000, interruptMs: 3000 });
  const changes: (string | undefined)[] = [];
  active.on('change', (e) => changes.push(e.detail.id));
  return { clock, active, changes };
}

describe('ActiveSpeaker', () => {
  it('gives the floor only after a second of speech', () => {
    const { clock, active, changes } = speaker();
    active.setSpeaking('ana', true);
    clock.advance(999);
    expect(active.current).to.equal(undefined);
    clock.advance(1);
    expect(active.current).to.equal('ana');
    expect(changes).to.deep.equal(['ana']);
  });

  it('ignores a cough: short bursts from others never take the floor', () => {
    const { clock, active, changes } = speaker();
    active.setSpeaking('ana', true);
    clock.advance(1500);
    active.setSpeaking('ana', false);
    for (let i = 0; i < 10; i++) {
      active.setSpeaking('bo', true);
      clock.advance(600);
      active.setSpeaking('bo', false);
      clock.advance(200);
    }
    expect(changes).to.deep.equal(['ana']);
  });

  it('keeps the floor through pauses, and hands it over when another talks a second', () => {
    const { clock, active, changes } = speaker();
    active.setSpeaking('ana', true);
    clock.advance(2000);
    active.setSpeaking('ana', false);
    clock.advance(5000);
    expect(active.current).to.equal('ana');
    active.setSpeaking('bo', true);
    clock.advance(1000);
    expect(changes).to.deep.equal(['ana', 'bo']);
  });

  it('in crosstalk the current speaker stays until the other has talked three seconds', () => {
    const { clock, active, changes } = speaker();
    active.setSpeaking('ana', true);
    clock.advance(1200);
    active.setSpeaking('bo', true);
    clock.advance(2999);
    expect(active.current).to.equal('ana');
    clock.advance(1);
    expect(changes).to.deep.equal(['ana', 'bo']);
    // And Ana, still talking, takes it back only after three seconds more, not at once.
    clock.advance(2999);
    expect(active.current).to.equal('bo');
  });

  it('when the current speaker pauses, the one already talking a second takes over at once', () => {
    const { clock, active } = speaker();
    active.setSpeaking('ana', true);
    clock.advance(1000);
    active.setSpeaking('bo', true);
    clock.advance(1500);
    expect(active.current).to.equal('ana');
    active.setSpeaking('ana', false);
    expect(active.current).to.equal('bo');
  });

  it('a leaving speaker loses the floor; it follows session events', () => {
    const { clock, active, changes } = speaker();
    const session = new EventTarget();
    const stop = active.watch(session);
    const speaking = (id: string, on: boolean) => session.dispatchEvent(new CustomEvent('speaking', { detail: { id, speaking: on } }));
    speaking('ana', true);
    clock.advance(1000);
    session.dispatchEvent(new CustomEvent('participant-left', { detail: { participant: { id: 'ana' } } }));
    expect(changes).to.deep.equal(['ana', undefined]);
    stop();
    speaking('bo', true);
    clock.advance(5000);
    expect(active.current).to.equal(undefined);
  });
});

const person = (id: string, handRaised: boolean, handRaisedAt?: number) => ({ id, handRaised, handRaisedAt });

describe('raised hands queue', () => {
  it('orders by the time hands went up, from the server when it says so', () => {
    const queue = handQueue([person('a', true, 30), person('b', false), person('c', true, 10), person('d', true, 20)]);
    expect(queue.map((p) => p.id)).to.deep.equal(['c', 'd', 'a']);
  });

  it('orders by when this client first saw each hand go up; lowering loses the place', () => {
    let now = 0;
    const clock = new HandRaiseClock(() => now);
    const ids = (list: ReturnType<typeof person>[]) => clock.queue(list).map((p) => p.id);
    expect(ids([person('a', false), person('b', true), person('c', false)])).to.deep.equal(['b']);
    now = 5;
    expect(ids([person('a', true), person('b', true), person('c', false)])).to.deep.equal(['b', 'a']);
    now = 9;
    expect(ids([person('a', true), person('b', false), person('c', true)])).to.deep.equal(['a', 'c']);
    now = 12;
    expect(ids([person('a', true), person('b', true), person('c', true)])).to.deep.equal(['a', 'c', 'b']);
    // Someone who left and came back starts at the back.
    expect(ids([person('b', true), person('c', true)])).to.deep.equal(['c', 'b']);
    now = 20;
    expect(ids([person('a', true), person('b', true), person('c', true)])).to.deep.equal(['c', 'b', 'a']);
  });
});
