import { expect, waitUntil } from '@open-wc/testing';
import fc from 'fast-check';
import { FLOOD_COOL_DOWN_MS, MAX_M_LINES, MAX_SDP_CHARS, MAX_TRANSCEIVERS, MeshCall, RENEGOTIATE_RATE, acceptableSignal, mLines } from '../../src/core/mesh.js';

// MeshCall with real RTCPeerConnections in this page: the newcomer offers to everyone already in
// the room, and waits for the offers of those who come after it.
describe('MeshCall offers', () => {
  const meshes: MeshCall[] = [];
  afterEach(() => meshes.splice(0).forEach((m) => m.destroy()));

  it('offers to every member already in the room and to nobody who came later', async () => {
    const sent: { to: string; type: unknown }[] = [];
    const m = new MeshCall('newcomer', {
      iceServers: [],
      localStream: new MediaStream(),
      sendSignal: (to, _sid, data) => sent.push({ to, type: (data as { type?: unknown }).type }),
    });
    meshes.push(m);
    m.add('first', true);
    m.add('second', true);
    m.add('later', false); // joined after us: it offers, we wait
    const offers = () => sent.filter((s) => s.type === 'offer').map((s) => s.to).sort();
    await waitUntil(() => offers().length === 2, 'both offers sent', { timeout: 30000 });
    expect(offers()).to.deep.equal(['first', 'second']);
    expect(sent.some((s) => s.to === 'later')).to.equal(false);
  });
});

// Two meshes in this page through a relay: what `checksStarted` promises the session (the first
// exchange with everyone already in the room is done before the call is announced as joined).
describe('MeshCall.checksStarted', () => {
  const meshes: MeshCall[] = [];
  afterEach(() => meshes.splice(0).forEach((m) => m.destroy()));

  /** A newcomer linking to an older member; `answers` false: the older member's signals are lost. */
  function pair(answers: boolean) {
    const fromOlder: unknown[] = [];
    const make = (id: string, other: () => MeshCall, deliver: boolean, log?: unknown[]) => {
      const m = new MeshCall(id, {
        iceServers: [],
        localStream: new MediaStream(),
        sendSignal: (_to, sid, data) => {
          log?.push((data as { type?: unknown }).type);
          if (deliver) setTimeout(() => other().handleSignal(id, sid, data), 0);
        },
      });
      meshes.push(m);
      return m;
    };
    const older: MeshCall = make('older', () => newcomer, answers, fromOlder);
    const newcomer: MeshCall = make('newcomer', () => older, true);
    older.add('newcomer', false);
    newcomer.add('older', true);
    return { newcomer, fromOlder };
  }

  it('resolves once the answer is in and ICE checks run, and the link then opens', async function () {
    this.timeout(60000);
    const { newcomer, fromOlder } = pair(true);
    let open = false;
    newcomer.on('link-open', () => (open = true));
    await newcomer.checksStarted(30000);
    // The answer is in. (The older member's candidates may still be on their way: its first
    // connectivity checks can reach the newcomer before them and start the checking on their own.)
    expect(fromOlder).to.include('answer');
    await waitUntil(() => open, 'the link opens', { timeout: 30000 });
  });

  it('resolves after the ceiling when no answer comes, at once with nobody to link to, and when the member leaves', async function () {
    this.timeout(60000);
    const { newcomer, fromOlder } = pair(false);
    await waitUntil(() => fromOlder.includes('answer'), 'the answer sent (and lost on the way)', { timeout: 30000 });
    const start = performance.now();
    await newcomer.checksStarted(1500);
    expect(performance.now() - start).to.be.at.least(1400);
    const alone = new MeshCall('alone', { iceServers: [], localStream: new MediaStream(), sendSignal: () => {} });
    meshes.push(alone);
    let resolved = false;
    void alone.checksStarted(30000).then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).to.equal(true);
    // A member who leaves before answering is not waited for.
    alone.add('gone', true);
    let released = false;
    void alone.checksStarted(30000).then(() => (released = true));
    await Promise.resolve();
    expect(released).to.equal(false);
    alone.remove('gone');
    await Promise.resolve();
    expect(released).to.equal(true);
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

// A link whose network path went quiet: the newcomer (its initiator) restarts ICE over the live
// connection — an offer with new credentials on the same link — and the link is back without a
// rebuild. The quiet path is the one thing staged: the browser reports `disconnected` once.
describe('MeshCall ICE restart', () => {
  const meshes: MeshCall[] = [];
  const Native = RTCPeerConnection;
  afterEach(() => {
    meshes.splice(0).forEach((m) => m.destroy());
    globalThis.RTCPeerConnection = Native;
  });

  it('sends an offer with new ICE credentials on the same link when the path goes quiet, and the link comes back without a rebuild', async function () {
    this.timeout(60000);
    const made: RTCPeerConnection[] = [];
    globalThis.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        made.push(this);
      }
    };
    const r = room(meshes, 'older', 'newcomer');
    const states: string[] = [];
    r.mesh('newcomer').on('link-state', (e) => states.push(e.detail.state));
    await delivered(r, 'newcomer', 'older', 'hello');
    const offers = () => r.sent.filter((s) => s.from === 'newcomer' && s.data.type === 'offer').map((s) => s.data.sdp as string);
    const ufrag = (sdp: string) => /a=ice-ufrag:(\S+)/.exec(sdp)![1];
    expect(offers()).to.have.length(1);
    const pc = made.find((p) => p.localDescription?.type === 'offer')!;

    // The path goes quiet: the browser says so once.
    Object.defineProperty(pc, 'iceConnectionState', { configurable: true, get: () => 'disconnected' });
    pc.dispatchEvent(new Event('iceconnectionstatechange'));
    delete (pc as { iceConnectionState?: unknown }).iceConnectionState;
    expect(states.at(-1)).to.equal('reconnecting');

    await waitUntil(() => offers().length === 2 && states.at(-1) === 'connected', 'an ICE restart offer, and the link back', { timeout: 20000, interval: 50 });
    expect(ufrag(offers()[1]!)).to.not.equal(ufrag(offers()[0]!), 'new ICE credentials');
    expect(states).to.deep.equal(['connected', 'reconnecting', 'connected'], 'no rebuild: never connecting again');
    expect(made.filter((p) => p.signalingState !== 'closed')).to.have.length(2, 'the same two connections');
    await delivered(r, 'older', 'newcomer', 'still one link');
  });
});

/** A signal one mesh of a room handed to another (see `room`). */
interface Sent {
  from: string;
  to: string;
  data: { type?: unknown; sdp?: unknown };
  delivered: boolean;
}

/** Meshes in this page whose signals go straight to each other, with no camera or microphone (see `roomWith`). */
function room(meshes: MeshCall[], ...ids: string[]) {
  return roomWith(meshes, () => new MediaStream(), ...ids);
}

/**
 * Meshes in this page whose signals go straight to each other, each with its received data and
 * every signal sent (`sent`); each sends the local stream `localStream` gives it.
 */
function roomWith(meshes: MeshCall[], localStream: (id: string) => MediaStream, ...ids: string[]) {
  const byId = new Map<string, MeshCall>();
  const received = new Map<string, { from: string; data: string }[]>();
  const sent: Sent[] = [];
  for (const id of ids) {
    const m = new MeshCall(id, {
      iceServers: [],
      localStream: localStream(id),
      sendSignal: (to, sid, data) => {
        const signal: Sent = { from: id, to, data: data as Sent['data'], delivered: false };
        sent.push(signal);
        setTimeout(() => {
          byId.get(to)?.handleSignal(id, sid, data);
          signal.delivered = true;
        }, 0);
      },
    });
    received.set(id, []);
    m.on('data', (e) => received.get(id)!.push(e.detail));
    byId.set(id, m);
    meshes.push(m);
  }
  // Later ids joined later: they initiate to everyone before them.
  ids.forEach((id, i) => ids.forEach((other, j) => i !== j && byId.get(id)!.add(other, j < i)));
  return { mesh: (id: string) => byId.get(id)!, received: (id: string) => received.get(id)!, sent };
}
type Room = ReturnType<typeof room>;

/** Sends `text` from `from` to `to` until it arrives (a fresh link may not take it at once). */
async function delivered(r: Room, from: string, to: string, text: string) {
  await waitUntil(
    () => {
      r.mesh(from).send(text, to);
      return r.received(to).some((d) => d.from === from && d.data === text);
    },
    `${text} from ${from} to ${to}`,
    { timeout: 20000, interval: 100 },
  );
}

// A peer that floods: its link is cut for a cool-down, the others' links stay, and the link comes
// back when the cool-down ends (the offer the peer made meanwhile is answered then).
describe('MeshCall.suspend', () => {
  const meshes: MeshCall[] = [];
  afterEach(() => meshes.splice(0).forEach((m) => m.destroy()));

  it('cuts a flooding peer off for the cool-down, leaves the other links alone and links again afterwards', async () => {
    const r = room(meshes, 'victim', 'honest', 'mallory');
    await delivered(r, 'mallory', 'victim', 'hello');
    await delivered(r, 'honest', 'victim', 'hello');
    const states: string[] = [];
    r.mesh('victim').on('link-state', (e) => e.detail.id === 'mallory' && states.push(e.detail.state));

    expect(r.mesh('victim').suspend('mallory', 3000)).to.equal(3000);
    expect(r.mesh('victim').suspend('mallory')).to.equal(0, 'already cut off');
    expect(r.mesh('victim').isSuspended('mallory')).to.equal(true);
    expect(states).to.deep.equal(['reconnecting']);
    const before = r.received('victim').length;
    // The cut-off peer notices (its channel closed) and offers a new link, which waits; its
    // messages meanwhile reach nobody, while the honest peer's still arrive.
    await delivered(r, 'honest', 'victim', 'still here');
    for (let i = 0; i < 5; i++) r.mesh('mallory').send('during the cool-down', 'victim');
    expect(r.mesh('victim').isSuspended('mallory')).to.equal(true);
    expect(r.received('victim').slice(before).filter((d) => d.from === 'mallory')).to.deep.equal([]);

    // After the cool-down the link is back, both ways.
    await waitUntil(() => !r.mesh('victim').isSuspended('mallory'), 'the cool-down over', { timeout: 20000 });
    await delivered(r, 'mallory', 'victim', 'back');
    await delivered(r, 'victim', 'mallory', 'welcome back');
    expect(states.at(-1)).to.equal('connected');
    expect(r.received('victim').some((d) => d.data === 'during the cool-down')).to.equal(false);
  });

  it('doubles the cool-down for every further flood of the same peer', async () => {
    const r = room(meshes, 'victim', 'mallory', 'eve');
    expect(r.mesh('victim').suspend('mallory')).to.equal(FLOOD_COOL_DOWN_MS);
    expect(r.mesh('victim').suspend('eve', 300)).to.equal(300);
    await waitUntil(() => !r.mesh('victim').isSuspended('eve'), 'the first cool-down over', { timeout: 20000 });
    expect(r.mesh('victim').suspend('eve', 300)).to.equal(600);
    r.mesh('victim').destroy();
    expect(r.mesh('victim').suspend('mallory')).to.equal(0, 'a destroyed mesh cuts nothing');
  });
});

// Renegotiation is budgeted per remote; an honest remote that goes over it (both people starting a
// share at once, a share stopped and started) is answered later, never left waiting for good.
describe('MeshCall renegotiation budget', () => {
  const meshes: MeshCall[] = [];
  const painters: ReturnType<typeof setInterval>[] = [];
  const tracks: MediaStreamTrack[] = [];
  afterEach(() => {
    meshes.splice(0).forEach((m) => m.destroy());
    painters.splice(0).forEach(clearInterval);
    tracks.splice(0).forEach((t) => t.stop());
  });

  /** A live video stream of its own, as a screen share would be. */
  function screen(): MediaStream {
    const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 48 });
    const stream = canvas.captureStream(5);
    const paint = () => canvas.getContext('2d')!.fillRect(0, 0, Math.random() * 64, 48);
    paint();
    painters.push(setInterval(paint, 200));
    return stream;
  }

  it('answers offers past the budget once it refills, so every share reaches the other side', async function () {
    this.timeout(90000);
    const r = room(meshes, 'first', 'second'); // second initiates
    await delivered(r, 'second', 'first', 'hello');
    const arrived = new Set<string>();
    r.mesh('first').on('track', (e) => arrived.add(e.detail.stream.id));
    // More shares one after the other than the budget's burst: each is an offer on the live link.
    const shares = Array.from({ length: RENEGOTIATE_RATE.burst + 2 }, screen);
    for (const share of shares) {
      r.mesh('second').setScreenStream(share);
      await waitUntil(() => arrived.has(share.id), `share ${shares.indexOf(share) + 1} at the other side`, { timeout: 40000 });
    }
    expect(r.mesh('first').refusedSignals).to.equal(0);
    await delivered(r, 'first', 'second', 'still linked');
  });

  // Each share is a new sender. A share only removed would leave its media section (about 5 KB in
  // Chromium) in every later description, so the descriptions of someone who shares again and again
  // would outgrow what the other side takes from a remote (MAX_M_LINES, MAX_SDP_CHARS).
  for (const sharer of ['second', 'first'] as const) {
    const who = sharer === 'second' ? 'the offerer' : 'the answerer';
    it(`keeps the descriptions of ${who} sharing again and again within what the other side takes`, async function () {
      this.timeout(180000);
      // A camera and a microphone on both sides, as in a call: three media sections before any share.
      const devices = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      devices.getTracks().forEach((t) => tracks.push(t));
      const r = roomWith(meshes, () => new MediaStream(devices.getTracks().map((t) => tracks[tracks.push(t.clone()) - 1]!)), 'first', 'second'); // second initiates
      await delivered(r, 'second', 'first', 'hello');
      const other = sharer === 'second' ? 'first' : 'second';
      const arrived = new Set<string>();
      r.mesh(other).on('track', (e) => arrived.add(e.detail.stream.id));
      // The worst case for the size of a description: each share starts once the last negotiation is
      // over (a share started while one is in flight may happen to reuse the section before it).
      const settled = () => r.sent.every((s) => s.delivered) && r.sent.filter((s) => s.data.type === 'offer').length === r.sent.filter((s) => s.data.type === 'answer').length;
      // Past what an unbounded description (MAX_SDP_CHARS) and an unbounded count of transceivers
      // for the remote's shares (MAX_TRANSCEIVERS: audio, camera and six shares) would allow.
      const count = sharer === 'second' ? RENEGOTIATE_RATE.burst + 2 : MAX_TRANSCEIVERS - 1;
      for (let i = 1; i <= count; i++) {
        const share = screen();
        r.mesh(sharer).setScreenStream(share);
        await waitUntil(() => arrived.has(share.id) && settled(), `share ${i} at the other side`, { timeout: 60000 });
      }
      const descriptions = r.sent.filter((s) => typeof s.data.sdp === 'string').map((s) => s.data.sdp as string);
      expect(Math.max(...descriptions.map(mLines))).to.be.at.most(MAX_M_LINES);
      expect(Math.max(...descriptions.map((d) => d.length))).to.be.at.most(MAX_SDP_CHARS);
      expect(r.mesh('first').refusedSignals + r.mesh('second').refusedSignals).to.equal(0);
    });
  }
});

// What a remote sends about its links is hostile: its descriptions are held to a size, its every
// link after the first is budgeted, and a candidate the browser refuses does not end the link.
describe('MeshCall and a hostile remote', () => {
  const meshes: MeshCall[] = [];
  afterEach(() => meshes.splice(0).forEach((m) => m.destroy()));

  /** A valid offer with `count` audio sections (as small as a browser takes them). */
  async function offerWith(count: number): Promise<string> {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio');
    const { sdp } = await pc.createOffer();
    pc.close();
    const line = (prefix: string) => sdp!.split('\r\n').find((l) => l.startsWith(prefix))!;
    const mids = Array.from({ length: count }, (_, i) => String(i));
    const out = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', `a=group:BUNDLE ${mids.join(' ')}`, line('a=ice-ufrag:'), line('a=ice-pwd:'), line('a=fingerprint:'), 'a=setup:actpass'];
    for (const mid of mids) out.push('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', `a=mid:${mid}`, 'a=sendrecv', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2');
    return `${out.join('\r\n')}\r\n`;
  }

  /** A mesh that `mallory` joined after (so mallory offers), with the links it made counted. */
  function victim() {
    const mesh = new MeshCall('victim', { iceServers: [], localStream: new MediaStream(), sendSignal: () => {} });
    meshes.push(mesh);
    mesh.add('mallory', false);
    let links = 0;
    mesh.on('link-state', (e) => e.detail.state === 'connecting' && links++);
    return { mesh, links: () => links };
  }

  it('counts the media sections of a description', async () => {
    expect(mLines(await offerWith(3))).to.equal(3);
    expect(mLines('m=audio 9 RTP/AVP 0\r\n')).to.equal(1);
    expect(mLines('v=0\r\n')).to.equal(0);
  });

  it('refuses an offer with more than MAX_M_LINES media sections, or longer than MAX_SDP_CHARS, before it makes a connection', async () => {
    const { mesh, links } = victim();
    const wide = await offerWith(MAX_M_LINES + 1);
    expect(acceptableSignal({ type: 'offer', sdp: wide })).to.equal(undefined);
    expect(acceptableSignal({ type: 'answer', sdp: wide })).to.equal(undefined);
    expect(acceptableSignal({ type: 'offer', sdp: (await offerWith(2)) + `a=x-padding:${'x'.repeat(MAX_SDP_CHARS)}\r\n` })).to.equal(undefined);
    mesh.handleSignal('mallory', 'wide', { type: 'offer', sdp: wide });
    expect(links()).to.equal(0);
    expect(mesh.refusedSignals).to.equal(1);
    // One within the limit is taken.
    mesh.handleSignal('mallory', 'fits', { type: 'offer', sdp: await offerWith(MAX_M_LINES) });
    expect(links()).to.equal(1);
  });

  it("makes a remote's first link for free and budgets every later one, even when the last one died", async () => {
    const { mesh, links } = victim();
    const states: string[] = [];
    mesh.on('link-state', (e) => states.push(e.detail.state));
    // Offers the browser cannot take: each link dies at once, so no link is there when the next comes.
    for (let i = 0; i < 20; i++) {
      mesh.handleSignal('mallory', `fresh-${i}`, { type: 'offer', sdp: 'v=0\r\nnot a description\r\n' });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(states.filter((s) => s === 'reconnecting').length).to.be.at.least(RENEGOTIATE_RATE.burst, 'the links died');
    // The first link, then one per renegotiation token; what is over the budget waits (the newest offer only).
    expect(links()).to.equal(1 + RENEGOTIATE_RATE.burst);
  });

  it('ignores a remote candidate the browser refuses instead of ending the link', async function () {
    this.timeout(60000);
    const sids = new Map<string, string>();
    const byId = new Map<string, MeshCall>();
    for (const id of ['victim', 'mallory']) {
      const m = new MeshCall(id, {
        iceServers: [],
        localStream: new MediaStream(),
        sendSignal: (to, sid, data) => {
          sids.set(id, sid);
          setTimeout(() => byId.get(to)?.handleSignal(id, sid, data), 0);
        },
      });
      byId.set(id, m);
      meshes.push(m);
    }
    const victimMesh = byId.get('victim')!;
    const states: string[] = [];
    victimMesh.on('link-state', (e) => states.push(e.detail.state));
    victimMesh.add('mallory', false);
    byId.get('mallory')!.add('victim', true);
    const bad = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 9 typ host', sdpMid: 'nowhere', sdpMLineIndex: 0 } };
    // Before the remote description (kept, then refused by the browser) and after it.
    await waitUntil(() => sids.has('mallory'), 'the offer on its way');
    victimMesh.handleSignal('mallory', sids.get('mallory')!, bad);
    await waitUntil(() => states.includes('connected'), 'the link up', { timeout: 30000 });
    victimMesh.handleSignal('mallory', sids.get('mallory')!, bad);
    victimMesh.handleSignal('mallory', sids.get('mallory')!, { type: 'candidate', candidate: { candidate: 'not a candidate' } });
    await new Promise((r) => setTimeout(r, 500));
    const got = new Promise<string>((resolve) => victimMesh.on('data', (e) => resolve(e.detail.data)));
    byId.get('mallory')!.send('still here', 'victim');
    expect(await got).to.equal('still here');
    expect(states).to.deep.equal(['connecting', 'connected']);
  });

  it('property: any description is taken exactly when it is short enough and has few enough media sections', () => {
    const section = fc.constantFrom('m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n', 'm=video 9 UDP/TLS/RTP/SAVPF 96\r\n', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n');
    const other = fc.constantFrom('a=rtcp-mux\r\n', 'c=IN IP4 0.0.0.0\r\n', 'a=x:m=audio\r\n', 'a=fmtp:111 minptime=10\r\n');
    fc.assert(
      fc.property(fc.array(fc.oneof(section, other), { maxLength: 40 }), fc.nat(MAX_SDP_CHARS + 100), fc.constantFrom('offer', 'answer'), (lines, pad, type) => {
        const sdp = `v=0\r\n${lines.join('')}a=x-pad:${'x'.repeat(pad)}\r\n`;
        const sections = lines.filter((l) => l.startsWith('m=')).length;
        const taken = acceptableSignal({ type, sdp }) === 'description';
        return taken === (sections <= MAX_M_LINES && sdp.length <= MAX_SDP_CHARS) && mLines(sdp) === sections;
      }),
      { numRuns: 300 },
    );
  });
});
