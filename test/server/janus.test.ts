// The media server (design §4.1) from the server's side, against a real Janus (Debian's `janus`):
// the configuration `un75-signal janus-config` writes, the client's errors (a Janus that is down, a
// wrong API secret, a Janus lost), and frames a member may not send, which never reach Janus.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { RELAY_BUDGET } from '../../server/connection.js';
import { createSignalingServer } from '../../server/index.js';
import { MAX_PEER_MESSAGE_BYTES } from '../../src/protocol/signaling.js';
import { janusConfigCli } from '../../server/janus-config.js';
import { startJanus, type RunningJanus } from '../e2e/netns.js';
import { freePort, settle, startTestServer, TestClient, waitFor } from './helpers.js';

const API_SECRET = 'janus-test-api-secret-0123456789';
const ADMIN_KEY = 'janus-test-admin-key-0123456789';
const SDP_OFFER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n';

describe('un75-signal janus-config', () => {
  test('writes only the VideoRoom plugin and the WebSocket transport, with the secrets, the trickle and interface settings and the port range', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'un75-jcfg-'));
    try {
      let out = '';
      const code = janusConfigCli(
        [dir, '--api-secret', API_SECRET, '--admin-key', ADMIN_KEY, '--ws-port', '18999', '--rtp-ports', '31000-31100', '--ice-interface', 'veth7'],
        (t) => (out += t),
        (t) => assert.fail(t),
      );
      assert.equal(code, 0);
      assert.match(out, new RegExp(`janus -F ${dir}`));
      assert.match(out, /--janus ws:\/\/127\.0\.0\.1:18999 --janus-api-secret janus-test-api-secret-0123456789 --janus-admin-key janus-test-admin-key-0123456789/);
      const main = readFileSync(path.join(dir, 'janus.jcfg'), 'utf8');
      for (const line of [
        `api_secret = "${API_SECRET}"`,
        'full_trickle = true',
        'ignore_mdns = true',
        'ice_enforce_list = "veth7"',
        'rtp_port_range = "31000-31100"',
        `plugins_folder = "${path.join(dir, 'plugins')}"`,
        `transports_folder = "${path.join(dir, 'transports')}"`,
      ]) {
        assert.ok(main.includes(line), `janus.jcfg has ${line}`);
      }
      assert.match(main, /admin_secret = "[A-Za-z0-9_-]{32}"/, 'the admin secret is random, not the well-known default');
      assert.doesNotMatch(main, /janusoverlord/);
      assert.deepEqual(readdirSync(path.join(dir, 'plugins')), ['libjanus_videoroom.so']);
      assert.deepEqual(readdirSync(path.join(dir, 'transports')), ['libjanus_websockets.so']);
      assert.ok(lstatSync(path.join(dir, 'plugins', 'libjanus_videoroom.so')).isSymbolicLink());
      assert.deepEqual(readdirSync(path.join(dir, 'events')), []);
      const videoroom = readFileSync(path.join(dir, 'janus.plugin.videoroom.jcfg'), 'utf8');
      assert.ok(videoroom.includes(`admin_key = "${ADMIN_KEY}"`));
      assert.ok(videoroom.includes('lock_rtp_forward = true'));
      const ws = readFileSync(path.join(dir, 'janus.transport.websockets.jcfg'), 'utf8');
      assert.ok(ws.includes('ws_port = 18999') && ws.includes('ws_ip = "127.0.0.1"'));
      assert.match(ws, /admin_ws = false/);
      assert.match(ws, /wss = false/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses what it cannot write, and says why', () => {
    const errors: string[] = [];
    const cli = (args: string[]) => janusConfigCli(args, () => {}, (t) => errors.push(t));
    assert.equal(cli([]), 2);
    assert.match(errors.pop()!, /the folder to write is missing/);
    assert.equal(cli(['/tmp/x', '--rtp-ports', '40000-30000']), 2);
    assert.match(errors.pop()!, /--rtp-ports must be a range/);
    assert.equal(cli(['/tmp/x', '--api-secret', 'short']), 2);
    assert.match(errors.pop()!, /at least 16 printable characters/);
    assert.equal(cli(['/tmp/x', '--api-secret', 'sixteen-chars-and-a-"quote"']), 2);
    assert.equal(cli(['/tmp/x', '--frobnicate', '1']), 2);
    assert.match(errors.pop()!, /unknown option --frobnicate/);
    assert.ok(!existsSync('/tmp/x'), 'nothing written');
  });
});

describe('un75-signal as the only client of a real Janus', () => {
  let janus: RunningJanus;
  const clients: TestClient[] = [];
  const servers: { close(): Promise<void> }[] = [];

  before(async () => {
    janus = await startJanus({ apiSecret: API_SECRET, adminKey: ADMIN_KEY, wsPort: await freePort(), rtpPorts: [32000, 32100] });
  });
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.close().catch(() => {})));
    await janus?.stop();
  });

  async function sfuServer(meshMax = 0) {
    const server = await startTestServer({ janus: { url: janus.config.wsUrl, apiSecret: API_SECRET, adminKey: ADMIN_KEY, meshMax } });
    servers.push(server);
    return server;
  }
  async function member(server: { wsUrl: string }, room: string, name: string) {
    const client = await TestClient.connect(server.wsUrl);
    clients.push(client);
    const welcome = await client.join(room, name);
    return { client, welcome };
  }

  test('a Janus that is down: the server does not start, and says where it looked', async () => {
    const port = await freePort();
    const server = createSignalingServer({ port: 0, log: () => {}, janus: { url: `ws://127.0.0.1:${port}`, apiSecret: API_SECRET, meshMax: 0 } });
    servers.push(server);
    await assert.rejects(server.listen(), new RegExp(`cannot reach Janus at ws://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  test('a wrong API secret: the server does not start, and names the option to fix', async () => {
    const server = createSignalingServer({ port: 0, log: () => {}, janus: { url: janus.config.wsUrl, apiSecret: 'not-the-secret-of-this-janus', meshMax: 0 } });
    servers.push(server);
    await assert.rejects(server.listen(), /Janus refused create a session: Unauthorized request \(wrong or missing secret\/token\) \(is --janus-api-secret the api_secret of janus\.jcfg\?\)/);
  });

  test('--mesh-max 0: the welcome says sfu; a mesh room says nothing and refuses SFU frames', async () => {
    const sfu = await sfuServer(0);
    const { welcome } = await member(sfu, 'sfu-welcome', 'Amina');
    assert.equal(welcome.mode, 'sfu');
    const mesh = await sfuServer(4);
    const { client, welcome: meshWelcome } = await member(mesh, 'mesh-room', 'Boris');
    assert.equal(meshWelcome.mode, undefined);
    client.send({ type: 'sfu-publish', jsep: { type: 'offer', sdp: SDP_OFFER } });
    const error = await client.next('error');
    assert.equal(error.code, 'forbidden');
    assert.match(error.message, /not on the media server/);
    assert.equal(mesh.stats().sfu!.janusRequests, 2, 'only the session and the control handle');
  });

  test('forged, oversized and out-of-room frames get an error frame, and nothing reaches Janus', async () => {
    const server = await sfuServer(0);
    const { client: mallory } = await member(server, 'hostile-a', 'Mallory');
    const { welcome: other } = await member(server, 'hostile-b', 'Victim');
    const before = server.stats().sfu!.janusRequests;
    const refused: [unknown, string, RegExp][] = [
      [{ type: 'sfu-publish', jsep: { type: 'answer', sdp: SDP_OFFER } }, 'bad-message', /"jsep.type" must be "offer"/],
      [{ type: 'sfu-publish', jsep: { type: 'offer', sdp: 'hello' } }, 'bad-message', /not a session description/],
      [{ type: 'sfu-publish', jsep: { type: 'offer', sdp: SDP_OFFER, e2ee: true } }, 'bad-message', /unexpected field "e2ee"/],
      [{ type: 'sfu-publish', jsep: { type: 'offer', sdp: SDP_OFFER }, body: { request: 'rtp_forward', host: '10.0.0.1' } }, 'bad-message', /unexpected field "body"/],
      [{ type: 'sfu-publish', jsep: { type: 'offer', sdp: SDP_OFFER + `a=${'x'.repeat(58)}\r\n`.repeat(1000) } }, 'bad-message', /at most 61440 characters/],
      [{ type: 'sfu-publish', jsep: { type: 'offer', sdp: SDP_OFFER + 'm=video 9 UDP/TLS/RTP/SAVPF 96\r\n'.repeat(4) } }, 'bad-message', /5 m-lines; at most 4/],
      [{ type: 'sfu-subscribe', ids: [other.id] }, 'unknown-peer', /no member .* in room "hostile-a"/],
      [{ type: 'sfu-answer', jsep: { type: 'answer', sdp: SDP_OFFER } }, 'bad-message', /no offer to answer/],
      [{ type: 'sfu-candidate', pc: 'sub', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.2 5000 typ host', sdpMid: '0' } }, 'bad-message', /no subscriber connection yet/],
      [{ type: 'sfu-candidate', pc: 'pub', candidate: { candidate: 'a=x\r\nb=y', sdpMid: '0' } }, 'bad-message', /not a candidate line/],
      [{ type: 'janus', janus: 'message', body: { request: 'rtp_forward', room: 1, host: '10.0.0.1', secret: 'x' } }, 'unknown-type', /unknown message type "janus"/],
      [{ type: 'sfu-rtp-forward', host: '10.0.0.1' }, 'unknown-type', /unknown message type/],
    ];
    for (const [frame, code, message] of refused) {
      mallory.send(frame);
      const error = await mallory.next('error');
      assert.equal(error.code, code, JSON.stringify(frame).slice(0, 200));
      assert.match(error.message, message);
    }
    assert.equal(server.stats().sfu!.janusRequests, before, 'no request reached Janus');
    // A flood of candidates is cut by the connection's budget before it reaches anything.
    let limited = 0;
    for (let i = 0; i < 80; i++) mallory.send({ type: 'sfu-candidate', pc: 'sub', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.2 5000 typ host', sdpMid: '0' } });
    await waitFor(() => (limited = mallory.received.filter((m) => m.type === 'error' && m.code === 'rate-limited').length) > 0, 10_000, 'a rate-limited error');
    assert.ok(limited > 0);
    assert.equal(server.stats().sfu!.janusRequests, before, 'still nothing reached Janus');
  });

  test('relay: a peer message goes to one member or to every other, with `from` stamped by the server, never to another room', async () => {
    const server = await sfuServer(0);
    const { client: amina, welcome: a } = await member(server, 'relay-a', 'Amina');
    const { client: boris, welcome: b } = await member(server, 'relay-a', 'Boris');
    const { client: chen, welcome: c } = await member(server, 'relay-a', 'Chen');
    const { client: dana, welcome: d } = await member(server, 'relay-b', 'Dana');
    const chat = JSON.stringify({ type: 'chat', id: 'x-1', text: 'hello', lang: 'en', t: 1 });
    // To everyone else: a `from` the sender writes is ignored (unknown fields are never relayed).
    amina.send({ type: 'relay', data: chat, from: c.id });
    for (const other of [boris, chen]) assert.deepEqual(await other.next('relay'), { type: 'relay', from: a.id, data: chat });
    // To one member.
    const hand = JSON.stringify({ type: 'caption-status', state: 'active' });
    boris.send({ type: 'relay', to: c.id, data: hand });
    assert.deepEqual(await chen.next('relay'), { type: 'relay', from: b.id, data: hand });
    // To someone of another room, or to oneself: refused, nothing delivered.
    amina.send({ type: 'relay', to: d.id, data: chat });
    assert.equal((await amina.next('error')).code, 'unknown-peer');
    amina.send({ type: 'relay', to: a.id, data: chat });
    assert.equal((await amina.next('error')).code, 'unknown-peer');
    await settle(amina, boris, chen, dana);
    assert.deepEqual([amina, boris, chen, dana].map((x) => x.take('relay').length), [0, 0, 0, 0], 'nothing else was delivered, to anyone');
    assert.equal(server.stats().sfu!.relayed, 3);
  });

  test('relay: refused in a mesh room, before joining, malformed or oversized', async () => {
    const mesh = await sfuServer(4);
    const { client: boris } = await member(mesh, 'relay-mesh', 'Boris');
    const { client: amina, welcome: a } = await member(mesh, 'relay-mesh', 'Amina');
    assert.equal(a.mode, undefined);
    amina.send({ type: 'relay', data: '{"type":"chat"}' });
    const forbidden = await amina.next('error');
    assert.equal(forbidden.code, 'forbidden');
    assert.match(forbidden.message, /^"relay" is only for rooms on the media server/);
    const stranger = await TestClient.connect(mesh.wsUrl);
    clients.push(stranger);
    stranger.send({ type: 'relay', data: '{"type":"chat"}' });
    assert.equal((await stranger.next('error')).code, 'not-joined');

    const server = await sfuServer(0);
    const { client: chen } = await member(server, 'relay-shapes', 'Chen');
    const { client: mallory } = await member(server, 'relay-shapes', 'Mallory');
    const refused: [unknown, RegExp][] = [
      [{ type: 'relay' }, /"data" must be a non-empty string/],
      [{ type: 'relay', data: '' }, /"data" must be a non-empty string/],
      [{ type: 'relay', data: { type: 'chat' } }, /"data" must be a non-empty string/],
      [{ type: 'relay', data: 'x', to: 42 }, /"to" must be a non-empty string/],
      [{ type: 'relay', data: 'x'.repeat(MAX_PEER_MESSAGE_BYTES + 1) }, new RegExp(`"data" is longer than ${MAX_PEER_MESSAGE_BYTES} characters`)],
    ];
    for (const [frame, message] of refused) {
      mallory.send(frame);
      const error = await mallory.next('error');
      assert.equal(error.code, 'bad-message', JSON.stringify(frame).slice(0, 100));
      assert.match(error.message, message);
    }
    // The largest allowed goes through.
    const largest = 'y'.repeat(MAX_PEER_MESSAGE_BYTES);
    mallory.send({ type: 'relay', data: largest });
    assert.equal((await chen.next('relay')).data, largest);
    await settle(mallory, chen, boris);
    assert.equal(chen.take('relay').length + boris.take('relay').length, 0, 'nothing refused was delivered');
  });

  test('relay: a flood from a raw socket is capped by the sender\'s budget, told once, and the server stays responsive', async () => {
    const server = await sfuServer(0);
    const { client: victim } = await member(server, 'relay-flood', 'Victim');
    const flooder = async (name: string) => {
      const ws = new WebSocket(server.wsUrl);
      const got: { type: string; code?: string; message?: string }[] = [];
      ws.on('message', (data) => got.push(JSON.parse(data.toString()) as { type: string }));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(JSON.stringify({ type: 'join', room: 'relay-flood', name }));
      await waitFor(() => got.some((m) => m.type === 'welcome'), 10_000, `${name} welcomed`);
      return { ws, got };
    };
    const { ws: raw, got: toFlooder } = await flooder('Flooder');
    const frame = JSON.stringify({ type: 'relay', data: JSON.stringify({ type: 'chat', id: 'f', text: 'x'.repeat(100), lang: 'en', t: 1 }) });

    // A sender that stays under the connection's frame limit (a burst of 200, then 50 a second) but
    // far over the relay budget: 199 at once (the join took one), then 45 a second for 4 s.
    const started = Date.now();
    for (let i = 0; i < 199; i++) raw.send(frame);
    for (let second = 0; second < 4; second++) {
      await new Promise((r) => setTimeout(r, 1000));
      for (let i = 0; i < 45; i++) raw.send(frame);
    }
    const sent = 199 + 4 * 45;
    // A ping answered has gone through the server after every frame before it; then the victim's.
    raw.ping();
    await new Promise((resolve) => raw.once('pong', resolve));
    await settle(victim);
    assert.equal(server.stats().sfu!.relayed + server.stats().sfu!.relayDropped, sent, 'each frame relayed or dropped by the relay budget');
    const seconds = (Date.now() - started) / 1000;
    const delivered = victim.take('relay').length;
    const told = toFlooder.filter((m) => m.type === 'error' && m.code === 'rate-limited');
    console.log(`# relay flood under the connection limit: ${sent} sent in ${seconds.toFixed(1)} s, ${delivered} delivered, ${server.stats().sfu!.relayDropped} dropped, the sender told ${told.length} time(s)`);
    assert.ok(delivered >= RELAY_BUDGET.burst, `the burst went through (${delivered})`);
    assert.ok(delivered <= RELAY_BUDGET.burst + RELAY_BUDGET.perSecond * seconds + 1, `at most the budget reached the victim (${delivered} in ${seconds.toFixed(1)} s)`);
    assert.equal(told.length, 1, `told once, not per frame: ${JSON.stringify(told)}`);
    assert.match(told[0]!.message!, /^"relay" too often/);
    assert.equal(raw.readyState, WebSocket.OPEN, 'a sender over the relay budget only is not cut off');

    raw.close();
    // A blast as fast as a fresh socket goes: the connection's own limits cut it off; meanwhile a
    // newcomer in another room is welcomed promptly.
    const { ws: blaster } = await flooder('Blaster');
    await settle(victim);
    victim.take('peer-joined');
    victim.take('peer-left');
    const before = victim.received.length;
    const dropped = server.stats().sfu!.relayDropped;
    const blast = 20_000;
    const blastStart = Date.now();
    for (let i = 0; i < blast; i++) blaster.send(frame);
    const probeStart = Date.now();
    const probe = await TestClient.connect(server.wsUrl);
    clients.push(probe);
    await probe.join('relay-elsewhere', 'Probe');
    const probeMs = Date.now() - probeStart;
    await new Promise((resolve) => (blaster.readyState === WebSocket.CLOSED ? resolve(null) : blaster.once('close', resolve)));
    const blastSeconds = (Date.now() - blastStart) / 1000;
    await settle(victim);
    const blastDelivered = victim.take('relay').length;
    console.log(`# relay blast: ${blast} frames sent at once, ${blastDelivered} delivered to the victim, ${server.stats().sfu!.relayDropped - dropped} dropped by the relay budget, the flooder disconnected; a newcomer elsewhere welcomed in ${probeMs} ms meanwhile`);
    // One burst, and what the budget refilled while the blast lasted (a fresh sender's).
    assert.ok(blastDelivered <= RELAY_BUDGET.burst + RELAY_BUDGET.perSecond * blastSeconds + 1, `at most one burst reached the victim (${blastDelivered} in ${blastSeconds.toFixed(1)} s)`);
    assert.ok(probeMs < 5000, `the server stayed responsive (${probeMs} ms)`);
    assert.ok(victim.received.length >= before, 'the victim is still connected');
    assert.equal(victim.closeCode, null);
  });

  test('a Janus lost mid-call: members on it are told in words, and later SFU frames are refused as unavailable', async () => {
    const own = await startJanus({ apiSecret: API_SECRET, adminKey: ADMIN_KEY, wsPort: await freePort(), rtpPorts: [32200, 32300] });
    const server = await startTestServer({ janus: { url: own.config.wsUrl, apiSecret: API_SECRET, adminKey: ADMIN_KEY, meshMax: 0 } });
    servers.push(server);
    const { client } = await member(server, 'lost', 'Amina');
    // Makes the member known on the media server (refused: nobody to subscribe to).
    client.send({ type: 'sfu-subscribe', ids: ['nobody'] });
    assert.equal((await client.next('error')).code, 'unknown-peer');
    await own.stop();
    const lost = await client.next('error', 10_000);
    assert.equal(lost.code, 'unavailable');
    assert.match(lost.message, /media server was lost/);
    client.send({ type: 'sfu-publish', jsep: { type: 'offer', sdp: SDP_OFFER } });
    const refused = await client.next('error');
    assert.equal(refused.code, 'unavailable');
    assert.equal(server.stats().sfu!.connected, false);
  });
});
