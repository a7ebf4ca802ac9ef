import { expect } from '@open-wc/testing';
import { MeshCall } from '../../src/core/mesh.js';

// MeshCall with real RTCPeerConnections in this page: what `offersSent` promises the session (the
// offers to everyone already in the room are on their way before the call is announced as joined).

describe('MeshCall.offersSent', () => {
  const meshes: MeshCall[] = [];
  afterEach(() => meshes.splice(0).forEach((m) => m.destroy()));

  function mesh(sent: { to: string; type: unknown }[]) {
    const m = new MeshCall('newcomer', {
      iceServers: [],
      localStream: new MediaStream(),
      sendSignal: (to, _sid, data) => sent.push({ to, type: (data as { type?: unknown }).type }),
    });
    meshes.push(m);
    return m;
  }

  it('resolves once an offer has gone to every member the newcomer links to', async () => {
    const sent: { to: string; type: unknown }[] = [];
    const m = mesh(sent);
    m.add('first', true);
    m.add('second', true);
    m.add('later', false); // joined after us: it offers, we wait
    expect(sent).to.deep.equal([]);
    await m.offersSent(30000);
    expect(sent.filter((s) => s.type === 'offer').map((s) => s.to).sort()).to.deep.equal(['first', 'second']);
  });

  it('resolves at once with nobody to offer to, and when the member left before the offer', async () => {
    const sent: { to: string; type: unknown }[] = [];
    const m = mesh(sent);
    await m.offersSent(30000);
    m.add('gone', true);
    const waiting = m.offersSent(30000);
    m.remove('gone');
    await waiting;
    expect(sent.filter((s) => s.type === 'offer')).to.deep.equal([]);
  });
});

// Two meshes in this page, linked through a relay that can lose signals: what a link stuck in
// `connecting` does (design: it is given up and rebuilt with a new sid, and then connects).
describe('MeshCall connecting timeout', () => {
  const meshes: MeshCall[] = [];
  afterEach(() => meshes.splice(0).forEach((m) => m.destroy()));

  const STALL_MS = 1500;

  it('rebuilds a link whose offer was lost, with a new sid, after the stall allowance, and then connects', async function () {
    this.timeout(60000);
    const offers: { sid: string; at: number }[] = [];
    const seenByOlder = new Set<string>();
    let lostSid: string | undefined;
    const states: string[] = [];
    const make = (id: string, other: () => MeshCall, onSend?: (sid: string, data: { type?: unknown }) => boolean) => {
      const m = new MeshCall(id, {
        iceServers: [],
        localStream: new MediaStream(),
        connectingTimeoutMs: STALL_MS,
        sendSignal: (_to, sid, data) => {
          if (onSend && !onSend(sid, data as { type?: unknown })) return;
          setTimeout(() => other().handleSignal(id, sid, data), 0);
        },
      });
      meshes.push(m);
      return m;
    };
    const older: MeshCall = make('older', () => newcomer);
    const newcomer: MeshCall = make('newcomer', () => older, (sid, data) => {
      if (data.type === 'offer') offers.push({ sid, at: performance.now() });
      // The first offer, and everything after it on that link, is lost on the way.
      if (lostSid === undefined && data.type === 'offer') lostSid = sid;
      if (sid === lostSid) return false;
      seenByOlder.add(sid);
      return true;
    });
    newcomer.on('link-state', (e) => states.push(e.detail.state));
    const connected = (m: MeshCall) => new Promise<void>((resolve) => m.on('link-open', () => resolve()));
    const both = Promise.all([connected(older), connected(newcomer)]);
    older.add('newcomer', false);
    newcomer.add('older', true);
    await both;
    expect(offers.length).to.equal(2);
    expect(offers[1]!.sid).to.not.equal(offers[0]!.sid);
    expect([...seenByOlder]).to.deep.equal([offers[1]!.sid]);
    // Not before the allowance (jittered down to 75 %), then rebuilt: what the user sees is the
    // person reconnecting, then connected.
    expect(offers[1]!.at - offers[0]!.at).to.be.at.least(STALL_MS * 0.75);
    expect(states).to.deep.equal(['connecting', 'reconnecting', 'connecting', 'connected']);
    // The rebuilt link carries data both ways.
    const got = new Promise<string>((resolve) => older.on('data', (e) => resolve(e.detail.data)));
    expect(newcomer.send('hello')).to.equal(1);
    expect(await got).to.equal('hello');
  });
});
