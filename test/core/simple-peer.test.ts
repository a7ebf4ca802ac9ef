import { expect } from '@open-wc/testing';
import Peer, { type Instance } from '../../src/vendor/simple-peer.js';

// The vendored bundle (scripts/vendor-simple-peer.mjs) with its shims, exercised as the mesh uses
// it: two real RTCPeerConnections in this page, signalled by hand, data both ways and a camera track.

function next<T = unknown>(peer: Instance, event: string, ms = 15000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${ms} ms`)), ms);
    peer.once('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
    peer.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

function pair(options: { stream?: MediaStream } = {}): [Instance, Instance] {
  const a = new Peer({ initiator: true, trickle: true, ...options });
  const b = new Peer({ trickle: true });
  a.on('signal', (data) => b.signal(data));
  b.on('signal', (data) => a.signal(data));
  return [a, b];
}

// A string sent arrives as a string; bytes arrive as a Uint8Array (the Buffer shim).
const text = (data: unknown) => (typeof data === 'string' ? data : new TextDecoder().decode(data as Uint8Array));

describe('vendored simple-peer', () => {
  let peers: Instance[] = [];
  afterEach(() => {
    for (const peer of peers) peer.destroy();
    peers = [];
  });

  it('loads as an ES module and finds WebRTC', () => {
    expect(Peer.WEBRTC_SUPPORT).to.equal(true);
  });

  it('connects two peers in one page and carries data both ways', async () => {
    const [a, b] = pair();
    peers.push(a, b);
    await Promise.all([next(a, 'connect'), next(b, 'connect')]);

    const atB = next(b, 'data');
    a.send('hello from a');
    expect(text(await atB)).to.equal('hello from a');

    const atA = next(a, 'data');
    b.send(new TextEncoder().encode('hello from b'));
    const bytes = await atA;
    expect(bytes).to.be.instanceOf(Uint8Array);
    expect(text(bytes)).to.equal('hello from b');
  });

  it('sends a camera track to the other peer', async () => {
    const camera = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    try {
      const [a, b] = pair({ stream: camera });
      peers.push(a, b);
      const [track, stream] = await new Promise<[MediaStreamTrack, MediaStream]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no track within 15 s')), 15000);
        b.once('track', (t: MediaStreamTrack, s: MediaStream) => {
          clearTimeout(timer);
          resolve([t, s]);
        });
      });
      expect(track.kind).to.equal('video');
      expect(stream.getVideoTracks()).to.have.length(1);
      // Frames arrive: the remote track plays in a video element.
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = stream;
      await video.play();
      const deadline = Date.now() + 15000;
      while (video.videoWidth === 0 && Date.now() < deadline) await new Promise((r) => requestAnimationFrame(r));
      expect(video.videoWidth).to.be.greaterThan(0);
      video.srcObject = null;
    } finally {
      for (const t of camera.getTracks()) t.stop();
    }
  });
});
