// The built-in STUN server (RFC 8489 Binding) over real UDP on loopback, and what welcome hands out.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { crc32 } from 'node:zlib';
import { DEFAULT_STUN_LIMITS, MAX_ANSWER_BYTES, bindingSuccess, parseBindingRequest, sourceKey } from '../../server/stun.js';
import { compileServer, spawnServer, startTestServer, TestClient } from './helpers.js';

const COOKIE = 0x2112a442;

/** A Binding request as a browser sends it; `fingerprint` appends a FINGERPRINT attribute. */
function bindingRequest(transactionId = randomBytes(12), fingerprint = false): Buffer {
  const msg = Buffer.alloc(20 + (fingerprint ? 8 : 0));
  msg.writeUInt16BE(0x0001, 0);
  msg.writeUInt16BE(msg.length - 20, 2);
  msg.writeUInt32BE(COOKIE, 4);
  transactionId.copy(msg, 8);
  if (fingerprint) {
    msg.writeUInt16BE(0x8028, 20);
    msg.writeUInt16BE(4, 22);
    msg.writeUInt32BE((crc32(msg.subarray(0, 20)) ^ 0x5354554e) >>> 0, 24);
  }
  return msg;
}

interface Decoded {
  type: number;
  transactionId: Buffer;
  address: string;
  port: number;
  fingerprintOk: boolean | null;
}

/** Decodes a Binding response the way a client does, independently of the server's code. */
function decode(msg: Buffer): Decoded {
  assert.equal(msg.readUInt32BE(4), COOKIE);
  assert.equal(msg.readUInt16BE(2), msg.length - 20, 'the length field covers the attributes');
  let address = '';
  let port = -1;
  let fingerprintOk: boolean | null = null;
  for (let at = 20; at < msg.length; ) {
    const type = msg.readUInt16BE(at);
    const size = msg.readUInt16BE(at + 2);
    const value = msg.subarray(at + 4, at + 4 + size);
    if (type === 0x0020) {
      port = value.readUInt16BE(2) ^ (COOKIE >>> 16);
      const mask = msg.subarray(4, 20);
      const raw = Buffer.from(value.subarray(4).map((b, i) => b ^ mask[i]!));
      address =
        value[1] === 0x01
          ? [...raw].join('.')
          : (raw.toString('hex').match(/.{4}/g) ?? []).map((g) => g.replace(/^0+(?=.)/, '')).join(':');
    }
    if (type === 0x8028) fingerprintOk = value.readUInt32BE(0) === ((crc32(msg.subarray(0, at)) ^ 0x5354554e) >>> 0);
    at += 4 + Math.ceil(size / 4) * 4;
  }
  return { type: msg.readUInt16BE(0), transactionId: msg.subarray(8, 20), address, port, fingerprintOk };
}

/**
 * Sends datagrams, then a well-formed probe, and returns the answers that came before the probe's
 * (there may rightly be none): the probe's answer marks the end of the exchange, no timer does.
 */
async function exchange(socket: Socket, port: number, host: string, requests: Buffer[]): Promise<Buffer[]> {
  const answers: Buffer[] = [];
  const probe = bindingRequest();
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the probe was not answered; got ${answers.length} answers`)), 10_000);
    socket.on('message', function onMessage(m: Buffer) {
      if (!m.subarray(8, 20).equals(probe.subarray(8, 20))) return void answers.push(m);
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve();
    });
  });
  for (const r of requests) socket.send(r, port, host);
  socket.send(probe, port, host);
  await done;
  return answers;
}

async function udp(type: 'udp4' | 'udp6', address: string, port = 0): Promise<Socket> {
  const socket = createSocket(type);
  socket.bind(port, address);
  await once(socket, 'listening');
  return socket;
}

describe('STUN', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let port: number;
  const sockets: Socket[] = [];
  before(async () => {
    // 30 IPv4 answers at once, one a second.
    server = await startTestServer({ stunLimits: { burstBytes: 30 * 32, bytesPerSecond: 32 } });
    port = server.address!.port;
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  test('a Binding request is answered with the address and port it came from', async () => {
    const client = await udp('udp4', '127.0.0.1');
    sockets.push(client);
    const request = bindingRequest();
    const [answer, ...more] = await exchange(client, port, '127.0.0.1', [request]);
    assert.equal(more.length, 0);
    const decoded = decode(answer!);
    assert.equal(decoded.type, 0x0101, 'Binding success');
    assert.ok(decoded.transactionId.equals(request.subarray(8, 20)), 'the transaction id is echoed');
    assert.equal(decoded.address, '127.0.0.1');
    assert.equal(decoded.port, client.address().port);
    assert.equal(decoded.fingerprintOk, null, 'no FINGERPRINT when the request had none');
    assert.equal(answer!.length, 32, 'header and an IPv4 XOR-MAPPED-ADDRESS: 1.6 times the 20-byte request');
  });

  test('a request with a FINGERPRINT gets one back, valid', async () => {
    const client = await udp('udp4', '127.0.0.1');
    sockets.push(client);
    const [answer] = await exchange(client, port, '127.0.0.1', [bindingRequest(randomBytes(12), true)]);
    const decoded = decode(answer!);
    assert.equal(answer!.length, 40);
    assert.equal(decoded.fingerprintOk, true);
    assert.equal(decoded.port, client.address().port);
  });

  test('IPv6: the XOR-MAPPED-ADDRESS decodes to ::1', async (t) => {
    const v6 = await startTestServer({ host: '::1' }).catch(() => null);
    if (!v6) return t.skip('no IPv6 loopback on this machine');
    try {
      const client = await udp('udp6', '::1');
      sockets.push(client);
      const [answer] = await exchange(client, v6.address!.port, '::1', [bindingRequest()]);
      const decoded = decode(answer!);
      assert.equal(answer!.length, 44, 'the largest bare answer: 2.2 times the request');
      assert.equal(decoded.address, '0:0:0:0:0:0:0:1');
      assert.equal(decoded.port, client.address().port);
    } finally {
      await v6.close();
    }
  });

  test('behind a dual-stack socket an IPv4 client is answered with its IPv4 address, not an IPv4-mapped one', () => {
    // A server on `::` sees IPv4 clients as ::ffff:a.b.c.d. (Tests listen on loopback only, so the
    // answer is built directly here, as the socket handler builds it.)
    const request = bindingRequest();
    const answer = bindingSuccess(parseBindingRequest(request)!, '::ffff:203.0.113.7', 40000);
    const decoded = decode(answer);
    assert.equal(answer[25], 0x01, 'family IPv4');
    assert.equal(decoded.address, '203.0.113.7');
    assert.equal(decoded.port, 40000);
    assert.ok(decoded.transactionId.equals(request.subarray(8, 20)));
  });

  test('malformed packets are dropped without an answer and the server keeps answering', async () => {
    const client = await udp('udp4', '127.0.0.1');
    sockets.push(client);
    const good = bindingRequest();
    const wrongCookie = Buffer.from(good);
    wrongCookie.writeUInt32BE(0xdeadbeef, 4);
    const wrongType = Buffer.from(good);
    wrongType.writeUInt16BE(0x0111, 0);
    const wrongLength = Buffer.from(good);
    wrongLength.writeUInt16BE(8, 2);
    const badFingerprint = bindingRequest(randomBytes(12), true);
    badFingerprint.writeUInt32BE(0, 24);
    const overrun = Buffer.concat([good, Buffer.from([0x80, 0x22, 0x00, 0x40])]);
    overrun.writeUInt16BE(4, 2);
    const unknownRequired = Buffer.concat([good, Buffer.from([0x00, 0x77, 0x00, 0x00])]);
    unknownRequired.writeUInt16BE(4, 2);
    const garbage = [Buffer.alloc(0), Buffer.from('GET / HTTP/1.1\r\n\r\n'), randomBytes(19), randomBytes(600), good.subarray(0, 19)];
    const before = server.stunStats()!.malformed;
    const answers = await exchange(client, port, '127.0.0.1', [
      wrongCookie,
      wrongType,
      wrongLength,
      badFingerprint,
      overrun,
      unknownRequired,
      ...garbage,
    ]);
    assert.equal(answers.length, 0, 'only the probe after them was answered');
    assert.equal(server.stunStats()!.malformed - before, 11);
  });

  test('a source that floods is throttled: no answers beyond its burst', async () => {
    const flooder = await udp('udp4', '127.0.0.1');
    sockets.push(flooder);
    const before = server.stunStats()!;
    // 100 requests against a burst of 30 answers at 1 per second. All loopback sources share the address
    // 127.0.0.1, so the bucket is the same one the earlier tests spent from.
    const answers: Buffer[] = [];
    flooder.on('message', (m) => answers.push(m));
    for (let i = 0; i < 100; i++) flooder.send(bindingRequest(), port, '127.0.0.1');
    const deadline = Date.now() + 5000;
    while (server.stunStats()!.answered + server.stunStats()!.throttled - before.answered - before.throttled < 100) {
      assert.ok(Date.now() < deadline, `only ${JSON.stringify(server.stunStats())} after 5 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const after = server.stunStats()!;
    assert.ok(after.throttled - before.throttled >= 60, `throttled ${after.throttled - before.throttled}`);
    assert.ok(after.answered - before.answered <= 40, `answered ${after.answered - before.answered}`);
  });
});

test('a flood in one address\'s name: that address receives its budget of answer bytes, far less than the flood', async (t) => {
  // The victim of a reflection is the address the requests claim to come from; here the flooding
  // socket is that address, and what it receives is what a victim would. Default limits.
  const server = await startTestServer();
  const victim = await udp('udp4', '127.0.0.1');
  try {
    const port = server.address!.port;
    let received = 0;
    let answers = 0;
    victim.on('message', (m: Buffer) => {
      received += m.length;
      answers++;
    });
    const stats = () => server.stunStats()!;
    const start = Date.now();
    let sent = 0;
    // Batches, each waited for, so that the kernel drops none: every byte sent is one the server read.
    for (let batch = 0; batch < 20; batch++) {
      const before = stats().answered + stats().throttled;
      for (let i = 0; i < 100; i++) {
        const request = bindingRequest();
        victim.send(request, port, '127.0.0.1');
        sent += request.length;
      }
      const deadline = Date.now() + 10_000;
      while (stats().answered + stats().throttled - before < 100) {
        assert.ok(Date.now() < deadline, `batch ${batch}: only ${JSON.stringify(stats())}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const seconds = (Date.now() - start) / 1000;
    const deadline = Date.now() + 10_000;
    while (received < stats().answeredBytes) {
      assert.ok(Date.now() < deadline, `received ${received} of ${stats().answeredBytes} bytes`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const { burstBytes, bytesPerSecond } = DEFAULT_STUN_LIMITS;
    t.diagnostic(`${sent} B in (2,000 requests) over ${seconds.toFixed(2)} s → ${received} B out (${answers} answers): ${(received / sent).toFixed(3)} B out per B in`);
    assert.equal(received, stats().answeredBytes);
    assert.ok(received <= burstBytes + bytesPerSecond * seconds, `${received} B is over the budget of ${burstBytes} B + ${bytesPerSecond} B/s`);
    assert.ok(received / sent < 0.1, `${received} B out for ${sent} B in`);
    assert.ok(answers > 0, 'a flooder is still answered within its budget (a browser behind it is not cut off)');
  } finally {
    victim.close();
    await server.close();
  }
});

test('budgets are per IPv4 address and per IPv6 /64', () => {
  assert.equal(MAX_ANSWER_BYTES, 52, '20 + 24 (IPv6 XOR-MAPPED-ADDRESS) + 8 (FINGERPRINT)');
  assert.equal(sourceKey('203.0.113.7'), '203.0.113.7');
  assert.equal(sourceKey('::ffff:203.0.113.7'), '203.0.113.7', 'a dual-stack socket\'s IPv4 client is its IPv4 address');
  assert.equal(sourceKey('2001:db8:1:2::1'), sourceKey('2001:db8:1:2:ffff:eeee:dddd:cccc'), 'one /64, one budget');
  assert.notEqual(sourceKey('2001:db8:1:2::1'), sourceKey('2001:db8:1:3::1'));
});

describe('STUN in welcome.iceServers', () => {
  test('the server hands out its own STUN address under the name the client used', async () => {
    const server = await startTestServer();
    const { port } = server.address!;
    try {
      const a = await TestClient.connect(`ws://127.0.0.1:${port}/signal`);
      assert.deepEqual((await a.join('stun-a', 'Amina')).iceServers, [{ urls: [`stun:127.0.0.1:${port}`] }]);
      a.close();
      // The Host header is what the browser typed (behind a proxy: the public name).
      const b = await TestClient.connect(`ws://127.0.0.1:${port}/signal`, { host: `meet.example.org` });
      assert.deepEqual((await b.join('stun-b', 'Boris')).iceServers, [{ urls: [`stun:meet.example.org:${port}`] }]);
      b.close();
      // Anything that is not a host name is not echoed into a URL.
      const c = await TestClient.connect(`ws://127.0.0.1:${port}/signal`, { host: 'evil.org/?x=<y>' });
      assert.deepEqual((await c.join('stun-c', 'Chen')).iceServers, []);
      c.close();
    } finally {
      await server.close();
    }
  });

  test('--stun-url replaces it, --no-stun removes it and nothing answers on UDP', async () => {
    const named = await startTestServer({ stunUrls: ['stun:stun.example.org:3478'] });
    const none = await startTestServer({ stun: false });
    try {
      const a = await TestClient.connect(named.wsUrl);
      assert.deepEqual((await a.join('r', 'Amina')).iceServers, [{ urls: ['stun:stun.example.org:3478'] }]);
      a.close();
      const b = await TestClient.connect(none.wsUrl);
      assert.deepEqual((await b.join('r', 'Boris')).iceServers, []);
      b.close();
      assert.equal(named.stunStats(), null);
      assert.equal(none.stunStats(), null);
      // Nothing holds the UDP port: we can bind it ourselves.
      const free = await udp('udp4', '127.0.0.1', none.address!.port);
      free.close();
    } finally {
      await named.close();
      await none.close();
    }
  });

  for (const [flags, outcome, expected] of [
    [[], 'its own STUN address', (port: number) => [{ urls: [`stun:127.0.0.1:${port}`] }]],
    [['--no-stun'], 'no STUN server', () => []],
    [['--stun-url', 'stun:stun.example.org:3478'], 'the named STUN server', () => [{ urls: ['stun:stun.example.org:3478'] }]],
  ] as const) {
    test(`the CLI with ${flags[0] ?? 'no STUN flag'} hands out ${outcome}`, async () => {
      await compileServer();
      const server = await spawnServer([...flags]);
      try {
        const client = await TestClient.connect(server.wsUrl);
        assert.deepEqual((await client.join('cli', 'Amina')).iceServers, expected(server.port));
        client.close();
      } finally {
        await server.stop();
      }
    });
  }
});
