import { expect } from '@open-wc/testing';
import { PeerBudget, TokenBucket } from '../../src/core/budget.js';
import { acceptableSignal } from '../../src/core/mesh.js';

describe('PeerBudget', () => {
  it('lets a burst through, then the sustained rate, per sender and per kind; the rest is dropped and counted', () => {
    let now = 0;
    const budget = new PeerBudget({ caption: { burst: 3, perSecond: 2 }, other: { burst: 1, perSecond: 1 } }, () => now);
    const allowed = (sender: string, type: string, n: number) => Array.from({ length: n }, () => budget.allow(sender, type)).filter(Boolean).length;
    expect(allowed('mallory', 'caption', 100)).to.equal(3);
    // Another sender and another kind have budgets of their own.
    expect(allowed('lina', 'caption', 3)).to.equal(3);
    expect(allowed('mallory', 'channel', 5)).to.equal(1);
    expect(budget.stats.dropped).to.deep.equal({ caption: 97, other: 4 });
    // Kinds without a rate of their own share `other`: a flood of invented kinds cannot add buckets.
    expect(allowed('mallory', 'made-up', 3)).to.equal(0);
    expect(budget.stats.dropped.other).to.equal(7);
    now += 1000;
    expect(allowed('mallory', 'caption', 100)).to.equal(2);
    now += 60_000;
    expect(allowed('mallory', 'caption', 100)).to.equal(3, 'a long quiet spell refills only the burst');
  });

  it('forgets a sender that left', () => {
    let now = 0;
    const budget = new PeerBudget({ other: { burst: 1, perSecond: 0.001 } }, () => now);
    expect(budget.allow('a', 'x')).to.equal(true);
    expect(budget.allow('a', 'x')).to.equal(false);
    budget.forget('a');
    now += 1;
    expect(budget.allow('a', 'x')).to.equal(true);
  });

  it('checks a sender’s total, all kinds together, before any parsing; the excess is counted as flood', () => {
    let now = 0;
    const budget = new PeerBudget({ other: { burst: 100, perSecond: 100 } }, () => now, { burst: 4, perSecond: 2 });
    const admitted = (sender: string, n: number) => Array.from({ length: n }, () => budget.admit(sender)).filter(Boolean).length;
    expect(admitted('mallory', 1000)).to.equal(4);
    expect(admitted('lina', 4)).to.equal(4, 'one sender’s flood leaves another’s budget alone');
    expect(budget.stats.dropped).to.deep.equal({ flood: 996 });
    now += 1000;
    expect(admitted('mallory', 1000)).to.equal(2);
    budget.forget('mallory');
    expect(admitted('mallory', 1000)).to.equal(4, 'a sender that left and came back starts afresh');
  });

  it('tells a sender far over its total budget (flooding) from one over it for a moment', () => {
    let now = 0;
    const budget = new PeerBudget({ other: { burst: 100, perSecond: 100 } }, () => now, { burst: 4, perSecond: 2 }, { burst: 10, perSecond: 5 });
    const flooding: boolean[] = [];
    let refused = 0;
    for (let i = 0; i < 20; i++) {
      if (budget.admit('mallory')) continue;
      refused++;
      flooding.push(budget.flooding('mallory'));
    }
    expect(refused).to.equal(16);
    // Ten refusals are tolerated (a sender a little over its budget), the eleventh is a flood.
    expect(flooding.indexOf(true)).to.equal(10);
    expect(flooding.slice(10).every(Boolean)).to.equal(true);
    expect(budget.flooding('lina')).to.equal(false, 'another sender’s tolerance is its own');
    // Refusals spread out over time, at the tolerance's rate, never count as flooding.
    now += 10_000;
    for (let s = 0; s < 20; s++) {
      now += 1000;
      let over = 0;
      for (let i = 0; i < 7; i++) {
        if (budget.admit('mallory')) continue;
        over++;
        expect(budget.flooding('mallory'), `second ${s}`).to.equal(false);
      }
      expect(over).to.be.at.most(5);
    }
    budget.forget('mallory');
    expect(budget.flooding('mallory')).to.equal(false, 'a sender that left and came back starts afresh');
  });

  it('counts refusals that have no kind', () => {
    const budget = new PeerBudget();
    budget.count('oversized');
    budget.count('malformed');
    budget.count('malformed');
    expect(budget.stats.dropped).to.deep.equal({ oversized: 1, malformed: 2 });
  });
});

describe('TokenBucket', () => {
  it('says how long until the next token', () => {
    const bucket = new TokenBucket({ burst: 1, perSecond: 2 }, 0);
    expect(bucket.wait(0)).to.equal(0);
    expect(bucket.take(0)).to.equal(true);
    expect(bucket.wait(0)).to.equal(500);
    expect(bucket.wait(400)).to.equal(100);
    expect(bucket.take(500)).to.equal(true);
  });
});

describe('signals accepted from a remote', () => {
  it('only descriptions, candidates, renegotiation and audio or video transceiver requests', () => {
    expect(acceptableSignal({ type: 'offer', sdp: 'v=0' })).to.equal('description');
    expect(acceptableSignal({ type: 'answer', sdp: 'v=0' })).to.equal('description');
    expect(acceptableSignal({ type: 'candidate', candidate: { candidate: 'candidate:1', sdpMid: '0' } })).to.equal('candidate');
    expect(acceptableSignal({ type: 'renegotiate', renegotiate: true })).to.equal('renegotiate');
    expect(acceptableSignal({ type: 'transceiverRequest', transceiverRequest: { kind: 'video', init: { sendEncodings: [] } } })).to.equal('transceiver');
    for (const hostile of [
      { type: 'transceiverRequest', transceiverRequest: { kind: 'data' } },
      { type: 'transceiverRequest', transceiverRequest: null },
      { type: 'transceiverRequest', transceiverRequest: { kind: 'audio' }, renegotiate: true },
      { type: 'offer', sdp: 'v=0', transceiverRequest: { kind: 'video' } },
      { type: 'candidate', candidate: { candidate: 'c' }, renegotiate: true },
      { type: 'offer' },
      { sdp: 'v=0' },
      { type: 'pranswer', sdp: 'v=0' },
      { type: 'rollback' },
      [],
      'offer',
      null,
    ]) {
      expect(acceptableSignal(hostile), JSON.stringify(hostile)).to.equal(undefined);
    }
  });
});
