// The protocol of design §6.2 against a real server on loopback with real WebSocket clients.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLES } from '../../src/protocol/signaling.js';
import { settle, startTestServer, TestClient } from './helpers.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

describe('rooms and relaying', () => {
  let server: Server;
  const clients: TestClient[] = [];
  const connect = async () => {
    const client = await TestClient.connect(server.wsUrl);
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startTestServer({ maxRoomSize: 3 });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  test('the first member gets a welcome with an id, a resume token and nobody else', async () => {
    const a = await connect();
    const welcome = await a.join('room-welcome', 'Amina');
    assert.match(welcome.id, /^[A-Za-z0-9_-]{16,}$/);
    assert.ok(welcome.resume.length >= 32, 'the resume token is long enough not to be guessed');
    assert.deepEqual(welcome.peers, []);
    // Only this server's own STUN address (test/server/stun.test.ts checks it answers).
    assert.deepEqual(welcome.iceServers, [{ urls: [`stun:127.0.0.1:${server.address!.port}`] }]);
  });

  test('the welcome describes the member itself as the room sees it: in an open room the first is host, a role asked is not granted', async () => {
    const a = await connect();
    const welcome = await a.join('room-self', '  Amina ', { role: 'interpreter', state: { spokenLanguage: 'ar', micEnabled: true } });
    assert.deepEqual(welcome.self, {
      id: welcome.id,
      name: 'Amina',
      role: 'host',
      spokenLanguage: 'ar',
      micEnabled: true,
      cameraEnabled: false,
      handRaised: false,
    });
    const b = await connect();
    const wb = await b.join('room-self', 'Bruno', { role: 'interpreter' });
    assert.deepEqual(wb.peers, [welcome.self], 'others see exactly what the member was told it is');
    assert.equal(wb.self.role, 'participant', 'asking for the interpreter role does not grant it');
  });

  test('a newcomer sees the members already there, with their state; they see it arrive', async () => {
    const a = await connect();
    const b = await connect();
    const wa = await a.join('room-peers', 'Amina', {
      state: { spokenLanguage: 'ar', micEnabled: true, cameraEnabled: false, handRaised: true },
    });
    const wb = await b.join('room-peers', 'Bruno');
    assert.notEqual(wa.id, wb.id);
    const stamp = wa.self.handRaisedAt;
    assert.ok(typeof stamp === 'number' && Math.abs(stamp - Date.now()) < 60_000, 'a hand raised on joining is stamped by the server');
    assert.deepEqual(wb.peers, [
      { id: wa.id, name: 'Amina', role: 'host', spokenLanguage: 'ar', micEnabled: true, cameraEnabled: false, handRaised: true, handRaisedAt: stamp },
    ]);
    const joined = await a.next('peer-joined');
    assert.equal(joined.peer.id, wb.id);
    assert.equal(joined.peer.name, 'Bruno');
    assert.ok(ROLES.includes(joined.peer.role));
    assert.equal(joined.peer.role, 'participant');
  });

  test('signals reach their target with `from` stamped by the server, whatever the sender claims', async () => {
    const a = await connect();
    const b = await connect();
    const c = await connect();
    const wa = await a.join('room-signal', 'A');
    const wb = await b.join('room-signal', 'B');
    await c.join('room-signal', 'C');
    a.send({ type: 'signal', to: wb.id, sid: 's1', data: { sdp: 'offer' }, from: 'forged' });
    const got = await b.next('signal');
    assert.deepEqual(got, { type: 'signal', from: wa.id, sid: 's1', data: { sdp: 'offer' } });
    await settle(a, b, c);
    assert.equal(c.take('signal').length, 0, 'a third member does not see a signal meant for another');
  });

  test('a signal to someone outside the room is refused and delivered to nobody', async () => {
    const a = await connect();
    const b = await connect();
    const outsider = await connect();
    await a.join('room-x', 'A');
    await b.join('room-x', 'B');
    const wo = await outsider.join('room-y', 'O');
    a.send({ type: 'signal', to: wo.id, sid: 's', data: 'hello' });
    const error = await a.next('error');
    assert.equal(error.code, 'unknown-peer');
    a.send({ type: 'signal', to: 'no-such-id', sid: 's', data: 'hello' });
    assert.equal((await a.next('error')).code, 'unknown-peer');
    await settle(a, b, outsider);
    assert.equal(outsider.take('signal').length + b.take('signal').length, 0);
  });

  test('a member cannot signal itself', async () => {
    const a = await connect();
    const wa = await a.join('room-self', 'A');
    a.send({ type: 'signal', to: wa.id, sid: 's', data: 1 });
    assert.equal((await a.next('error')).code, 'unknown-peer');
    await settle(a);
    assert.equal(a.take('signal').length, 0);
  });

  test('update is announced to the others as peer-updated; unknown fields are not relayed', async () => {
    const a = await connect();
    const b = await connect();
    const wa = await a.join('room-update', 'A');
    await b.join('room-update', 'B');
    a.send({ type: 'update', micEnabled: true, handRaised: true, spokenLanguage: 'fr-CA', role: 'host', evil: 1 });
    const updated = await b.next('peer-updated');
    assert.equal(typeof updated.peer.handRaisedAt, 'number', 'the server stamps when the hand went up');
    assert.deepEqual(updated.peer, {
      id: wa.id,
      name: 'A',
      role: 'host',
      spokenLanguage: 'fr-CA',
      micEnabled: true,
      cameraEnabled: false,
      handRaised: true,
      handRaisedAt: updated.peer.handRaisedAt,
    });
    await settle(a);
    assert.equal(a.take('peer-updated').length, 0, 'the sender is not told its own update');
  });

  test('leave and closing the socket both tell the room at once', async () => {
    const a = await connect();
    const b = await connect();
    const c = await connect();
    await a.join('room-leave', 'A');
    const wb = await b.join('room-leave', 'B');
    const wc = await c.join('room-leave', 'C');
    b.send({ type: 'leave' });
    assert.equal((await a.next('peer-left')).id, wb.id);
    c.close();
    assert.equal((await a.next('peer-left')).id, wc.id);
    // After leave the socket may join again, as somebody new.
    const again = await b.join('room-leave', 'B again');
    assert.notEqual(again.id, wb.id);
  });

  test('a room holds at most max-room-size members', async () => {
    const members = await Promise.all([connect(), connect(), connect()]);
    for (const [i, m] of members.entries()) await m.join('room-full', `M${i}`);
    const late = await connect();
    late.send({ type: 'join', room: 'room-full', name: 'Late' });
    assert.equal((await late.next('error')).code, 'room-full');
    await settle(late, ...members);
    assert.equal(members[0]!.take('peer-joined').length, 2, 'the refused member was never announced');
    members[0]!.send({ type: 'leave' });
    await members[1]!.next('peer-left');
    const w = await late.join('room-full', 'Late');
    assert.equal(w.peers.length, 2);
  });

  test('messages before joining, a second join, and invalid joins are refused', async () => {
    const a = await connect();
    a.send({ type: 'signal', to: 'x', sid: 's', data: 1 });
    assert.equal((await a.next('error')).code, 'not-joined');
    a.send({ type: 'update', micEnabled: true });
    assert.equal((await a.next('error')).code, 'not-joined');
    a.send({ type: 'join', room: 'bad room!', name: 'A' });
    assert.equal((await a.next('error')).code, 'bad-message');
    a.send({ type: 'join', room: 'r'.repeat(65), name: 'A' });
    assert.equal((await a.next('error')).code, 'bad-message');
    a.send({ type: 'join', room: 'ok', name: 'n'.repeat(65) });
    assert.equal((await a.next('error')).code, 'bad-message');
    await a.join('room-twice', 'A');
    a.send({ type: 'join', room: 'room-twice', name: 'A' });
    assert.equal((await a.next('error')).code, 'already-joined');
  });

  test('garbage gets an error frame and the connection stays usable', async () => {
    const a = await connect();
    const b = await connect();
    await a.join('room-garbage', 'A');
    const wb = await b.join('room-garbage', 'B');
    a.send('{not json');
    assert.equal((await a.next('error')).code, 'bad-json');
    a.send({ type: 'launch-missiles' });
    assert.equal((await a.next('error')).code, 'unknown-type');
    a.send('[1,2,3]');
    assert.equal((await a.next('error')).code, 'bad-message');
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await a.next('error')).code, 'bad-message');
    a.send({ type: 'signal', to: wb.id, sid: 's', data: 'x'.repeat(70 * 1024) });
    assert.equal((await a.next('error')).code, 'frame-too-large');
    await settle(a, b);
    assert.equal(b.take('signal').length, 0, 'an oversized signal is not delivered');
    a.send({ type: 'signal', to: wb.id, sid: 's', data: 'fine' });
    assert.equal((await b.next('signal')).data, 'fine');
  });

  test('a frame far beyond the limit closes the socket (ws maxPayload), the server carries on', async () => {
    const a = await connect();
    a.send('x'.repeat(1024 * 1024));
    assert.equal(await a.closed(), 1009);
    const b = await connect();
    const w = await b.join('room-after-huge', 'B');
    assert.ok(w.id);
  });

  test('stats count what is open and forget what has left', async () => {
    const before = server.stats();
    const a = await connect();
    await a.join('room-stats', 'A');
    assert.equal(server.stats().localMembers, before.localMembers + 1);
    a.send({ type: 'leave' });
    await settle(a);
    assert.equal(server.stats().localMembers, before.localMembers);
    assert.equal(server.stats().rooms, before.rooms);
  });
});
