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
