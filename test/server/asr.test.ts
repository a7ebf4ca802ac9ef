// Server speech recognition through un75-signal (design §5.1): the real server, real `ws` clients
// on /asr, the real pocketsphinx recogniser for speech, and small Vosk-speaking stand-ins only for
// recognisers that misbehave (one that hangs, one that answers garbage); the same recogniser behind the
// OpenAI-compatible transcription API, with an HTTP stand-in for a wrong key, garbage and silence.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import WebSocket, { WebSocketServer } from 'ws';
import { parseAsrServerMessage, type AsrServerMessage } from '../../src/protocol/asr.js';
import { PHRASE, speech, startPocketsphinx, type Recogniser } from '../asr/speech.js';
import { budgetAnswers, compileServer, freePort, spawnServer, startRedis, startTestServer, TestClient, waitFor } from './helpers.js';

/** A browser's socket on /asr, recording what the server says. */
class Stream {
  readonly received: AsrServerMessage[] = [];
  closeCode: number | null = null;
  readonly closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      assert.equal(isBinary, false, 'the server sends text frames only');
      const message = parseAsrServerMessage(data.toString());
      assert.ok(message, `a frame the browser can read: ${data.toString()}`);
      this.received.push(message);
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve((this.closeCode = code))));
  }

  static async open(server: { address: { port: number } | null }, token?: string): Promise<Stream> {
    const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
    const ws = new WebSocket(`ws://127.0.0.1:${server.address!.port}/asr${query}`);
    const stream = new Stream(ws);
    await once(ws, 'open');
    return stream;
  }

  /** The close code, or a failure after `ms`: for closes that depend on news from elsewhere. */
  closedWithin(ms: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.closed.finally(() => clearTimeout(timer)),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the stream was not closed within ${ms} ms`)), ms))),
    ]);
  }

  error(): Extract<AsrServerMessage, { type: 'error' }> | undefined {
    return this.received.find((m) => m.type === 'error') as Extract<AsrServerMessage, { type: 'error' }> | undefined;
  }

  finals(): string[] {
    return this.received.filter((m) => m.type === 'final').map((m) => m.text);
  }

  /** Sends `pcm` in 100 ms frames at `speed` × real time, until done or the socket closes. */
  async play(pcm: Buffer, speed = 1): Promise<void> {
    const frame = 3200;
    const start = Date.now();
    for (let i = 0, n = 0; i < pcm.length && this.ws.readyState === WebSocket.OPEN; i += frame, n++) {
      this.ws.send(pcm.subarray(i, i + frame));
      const due = start + ((n + 1) * 100) / speed;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
  }

  eof(): void {
    this.ws.send(JSON.stringify({ type: 'eof' }));
  }
}

/** A Vosk-protocol stand-in that accepts connections and then never answers. */
async function hangingRecogniser(): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`, close: () => closeWss(wss) };
}

/** A stand-in that answers every frame with something that is not the Vosk protocol. */
async function garbageRecogniser(): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws) => ws.on('message', () => ws.send('{"hello": [1, 2, 3]}')));
  await once(wss, 'listening');
  return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`, close: () => closeWss(wss) };
}

function closeWss(wss: WebSocketServer): Promise<void> {
  for (const ws of wss.clients) ws.terminate();
  return new Promise((resolve) => wss.close(() => resolve()));
}

describe('server speech recognition (/asr)', () => {
  let recogniser: Recogniser;
  let hanging: { url: string; close(): Promise<void> };
  let garbage: { url: string; close(): Promise<void> };
  let pcm: Buffer;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const clients: TestClient[] = [];

  before(async () => {
    [recogniser, hanging, garbage, { pcm }] = await Promise.all([startPocketsphinx(), hangingRecogniser(), garbageRecogniser(), speech(PHRASE)]);
    const nobody = await freePort();
    server = await startTestServer({
      asr: {
        backends: { en: recogniser.url, de: hanging.url, es: garbage.url, it: `ws://127.0.0.1:${nobody}` },
        backendTimeoutMs: 1000,
        maxStreamsPerRoom: 3,
      },
    });
  });

  after(async () => {
    for (const c of clients) c.close();
    await server?.close();
    await Promise.all([recogniser?.stop(), hanging?.close(), garbage?.close()]);
  });

  async function member(room: string, name: string, spokenLanguage: string) {
    const client = await TestClient.connect(server.wsUrl);
    clients.push(client);
    const welcome = await client.join(room, name, { state: { spokenLanguage } });
    return { client, welcome };
  }

  async function token(client: TestClient): Promise<string> {
    client.send({ type: 'asr-token' });
    return (await client.next('asr-token')).token;
  }

  test('a socket is told the languages as it opens (hello), the welcome offers a token and them; a server without recognisers offers nothing', async () => {
    const early = await TestClient.connect(server.wsUrl);
    clients.push(early);
    // Before any join: what a pre-join screen needs to say that speech would go to the server.
    const hello = await early.next('hello');
    assert.deepEqual(hello.asr?.languages.sort(), ['de', 'en', 'es', 'it']);
    assert.ok(!JSON.stringify(hello).includes('ws://'), 'no recogniser address reaches a browser');
    const { welcome } = await member('offer', 'Ann', 'en');
    assert.ok(welcome.asr?.token);
    assert.deepEqual(welcome.asr.languages.sort(), ['de', 'en', 'es', 'it']);
    assert.ok(!JSON.stringify(welcome).includes('ws://127.0.0.1'), 'no recogniser address reaches a browser');

    const plain = await startTestServer();
    try {
      const client = await TestClient.connect(plain.wsUrl);
      const bare = await client.join('offer', 'Bob');
      assert.equal(bare.asr, undefined);
      assert.deepEqual(client.take('hello'), [], 'no hello from a server without recognisers');
      client.send({ type: 'asr-token' });
      assert.equal((await client.next('error')).code, 'unavailable');
      client.close();
    } finally {
      await plain.close();
    }
  });

  test('speech streamed at real time comes back as partials and the final text; eof closes cleanly', async () => {
    const { welcome } = await member('speech', 'Ann', 'en-US');
    const stream = await Stream.open(server, welcome.asr!.token);
    await stream.play(pcm);
    await waitFor(() => stream.finals().length > 0, 10_000, 'a final');
    stream.eof();
    assert.equal(await stream.closed, 1000);
    assert.deepEqual(stream.finals(), [PHRASE]);
    assert.ok(stream.received.some((m) => m.type === 'partial' && PHRASE.startsWith(m.text)), 'partials on the way');
    assert.equal(stream.error(), undefined);
  });

  test('tokens asked for in a loop: the burst is signed, the rest refused with rate-limited', async () => {
    const { client } = await member('token-flood', 'Tom', 'en');
    for (let i = 0; i < 40; i++) client.send({ type: 'asr-token' });
    const { ok: signed, refused } = await budgetAnswers(client, 'asr-token', 40);
    assert.ok(signed >= 20 && signed <= 21, `the burst (COSTLY_REQUESTS) is signed (${signed})`);
    assert.equal(refused, 40 - signed);
  });

  test('no token, a forged one, a used one and an expired one are refused with a reason', async () => {
    const { client, welcome } = await member('tokens', 'Ann', 'en');
    for (const bad of [undefined, 'abc.def', `${welcome.asr!.token.split('.')[0]}.${'A'.repeat(43)}`]) {
      const stream = await Stream.open(server, bad);
      assert.equal(await stream.closed, 4401);
      assert.equal(stream.error()?.code, 'unauthorized');
    }
    const first = await Stream.open(server, welcome.asr!.token);
    const again = await Stream.open(server, welcome.asr!.token);
    assert.equal(await again.closed, 4401);
    assert.match(again.error()!.message, /used already/);
    first.ws.close();
    await first.closed;

    const quick = await startTestServer({ asr: { backends: { en: recogniser.url }, tokenTtlMs: 50 } });
    try {
      const c = await TestClient.connect(quick.wsUrl);
      const w = await c.join('tokens', 'Bob', { state: { spokenLanguage: 'en' } });
      await new Promise((r) => setTimeout(r, 100)); // past the token's lifetime
      const late = await Stream.open(quick, w.asr!.token);
      assert.equal(await late.closed, 4401);
      assert.match(late.error()!.message, /expired/);
      c.close();
    } finally {
      await quick.close();
    }
    client.close();
  });

  test('a token is for the language spoken when it was issued; a language without a recogniser is refused', async () => {
    const { client } = await member('languages', 'Ann', 'en');
    client.send({ type: 'update', spokenLanguage: 'ja' });
    const stream = await Stream.open(server, await token(client));
    assert.equal(await stream.closed, 4400);
    assert.equal(stream.error()?.code, 'unsupported-language');
  });

  test('audio at ten times real time is cut; frames that are not PCM16 are refused', async () => {
    const { client } = await member('abuse', 'Ann', 'en');
    const fast = await Stream.open(server, await token(client));
    await fast.play(Buffer.concat([pcm, pcm, pcm, pcm]), 10);
    assert.equal(await fast.closed, 4429);
    assert.equal(fast.error()?.code, 'too-fast');

    for (const frame of [Buffer.alloc(3201), JSON.stringify({ type: 'start' }), Buffer.alloc(64 * 1024 - 100)]) {
      const bad = await Stream.open(server, await token(client));
      bad.ws.send(frame);
      assert.equal(await bad.closed, 4400, `refused: ${typeof frame === 'string' ? frame : frame.length + ' bytes'}`);
      assert.equal(bad.error()?.code, 'bad-frame');
    }
    const huge = await Stream.open(server, await token(client));
    huge.ws.send(Buffer.alloc(1024 * 1024));
    assert.equal(await huge.closed, 1009, 'a frame over the socket limit is not even read');
  });

  test('a speaker who leaves, or is removed by the host, has their stream ended with them', async () => {
    const host = await member('leavers', 'Hana', 'en');
    const ann = await member('leavers', 'Ann', 'en');
    const mine = await Stream.open(server, await token(host.client));
    const hers = await Stream.open(server, await token(ann.client));
    hers.ws.send(pcm.subarray(0, 3200));
    mine.ws.send(pcm.subarray(0, 3200));
    host.client.send({ type: 'remove', id: ann.welcome.self.id });
    assert.equal(await hers.closedWithin(10_000), 1000);
    assert.equal(hers.error()?.code, 'left');
    assert.equal(mine.closeCode, null, "the host's own stream goes on");
    host.client.send({ type: 'leave' });
    assert.equal(await mine.closedWithin(10_000), 1000);
    assert.equal(mine.error()?.code, 'left');
  });

  test('streams per person and per room are capped', async () => {
    const ann = await member('caps', 'Ann', 'en');
    const bob = await member('caps', 'Bob', 'en');
    const a1 = await Stream.open(server, await token(ann.client));
    const a2 = await Stream.open(server, await token(ann.client));
    const a3 = await Stream.open(server, await token(ann.client));
    assert.equal(await a3.closed, 4429);
    assert.match(a3.error()!.message, /per person/);
    const b1 = await Stream.open(server, await token(bob.client));
    const b2 = await Stream.open(server, await token(bob.client));
    assert.equal(await b2.closed, 4429);
    assert.match(b2.error()!.message, /per room/);
    for (const s of [a1, a2, b1]) s.ws.close();
    await Promise.all([a1.closed, a2.closed, b1.closed]);
    await waitFor(() => server.stats().asr!.streams === 0, 5000, 'the streams to end');
    const again = await Stream.open(server, await token(bob.client));
    assert.equal(again.error(), undefined);
    again.ws.close();
    await again.closed;
  });

  test('a recogniser that hangs, answers garbage or is down: that speaker is told, another speaker carries on', async () => {
    const [hung, junk, down, fine] = await Promise.all([
      member('mixed', 'Hans', 'de'),
      member('mixed-2', 'Elena', 'es'),
      member('mixed-3', 'Ivo', 'it'),
      member('mixed-4', 'Ann', 'en'),
    ]);
    const streams = await Promise.all([hung, junk, down, fine].map(async (m) => Stream.open(server, m.welcome.asr!.token)));
    const [hs, js, ds, fs] = streams;
    await Promise.all(streams.map((s) => s.play(pcm)));
    // A ceiling, not an expectation: four streams at once, and the recogniser shares two busy cores with the other suites.
    await waitFor(() => fs!.finals().length > 0, 30_000, 'the final of the speaker whose recogniser works');
    for (const [s, why] of [
      [hs!, /stopped answering/],
      [js!, /not the Vosk protocol/],
      [ds!, /stopped|did not answer/],
    ] as const) {
      assert.equal(await s.closed, 4502);
      assert.equal(s.error()?.code, 'backend');
      assert.match(s.error()!.message, why);
      assert.ok(!s.error()!.message.includes('127.0.0.1'), 'the recogniser address is not told');
    }
    assert.deepEqual(fs!.finals(), [PHRASE]);
    assert.equal(fs!.error(), undefined);
    fs!.eof();
    assert.equal(await fs!.closed, 1000);
  });

  test('nothing piles up: streams, counters and used tokens are gone once streams end and tokens expire', async () => {
    const quick = await startTestServer({ asr: { backends: { en: recogniser.url, de: hanging.url }, tokenTtlMs: 300, backendTimeoutMs: 500 } });
    try {
      // Three speakers, ten streams each: within what one connection may ask (COSTLY_REQUESTS).
      const speakers = await Promise.all(['Ann', 'Ben', 'Cai'].map(async (name) => {
        const client = await TestClient.connect(quick.wsUrl);
        await client.join('churn', name, { state: { spokenLanguage: 'en' } });
        return client;
      }));
      const c = speakers[0]!;
      for (let i = 0; i < 30; i++) {
        const speaker = speakers[i % 3]!;
        speaker.send({ type: 'asr-token' });
        const s = await Stream.open(quick, (await speaker.next('asr-token')).token);
        s.ws.send(pcm.subarray(0, 3200));
        if (i % 2) s.ws.terminate();
        else s.ws.close();
        await s.closed;
      }
      c.send({ type: 'update', spokenLanguage: 'de' });
      c.send({ type: 'asr-token' });
      const hung = await Stream.open(quick, (await c.next('asr-token')).token);
      hung.ws.send(pcm.subarray(0, 3200));
      await hung.closed;
      await waitFor(() => quick.stats().asr!.streams === 0, 5000, 'every stream to end');
      await new Promise((r) => setTimeout(r, 350)); // past the tokens' lifetime
      assert.deepEqual(quick.stats().asr, { streams: 0, usedTokens: 0 });
      for (const speaker of speakers) speaker.close();
    } finally {
      await quick.close();
    }
  });
});

/**
 * An OpenAI-compatible stand-in for the failures a pocketsphinx server does not make: a wrong key
 * (401 with the API's error body), an answer that is not the API's, and one that never comes.
 */
async function transcriptionStandIn(): Promise<{ url: string; requests: { authorization?: string; model?: string; language?: string }[]; close(): Promise<void> }> {
  const requests: { authorization?: string; model?: string; language?: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      const field = (name: string) => new RegExp(`name="${name}"\\r\\n\\r\\n([^\\r]*)`).exec(body)?.[1];
      requests.push({ authorization: req.headers.authorization, model: field('model'), language: field('language') });
      if (req.url?.startsWith('/hang/')) return; // never answers
      if (req.url?.startsWith('/garbage/')) res.end('<html>not json</html>');
      else if (req.headers.authorization !== 'Bearer sk-right') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ text: ' thank you ' }));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('server speech recognition through an OpenAI-compatible transcription API', () => {
  let recogniser: Recogniser;
  let standIn: Awaited<ReturnType<typeof transcriptionStandIn>>;
  let pcm: Buffer;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const clients: TestClient[] = [];

  before(async () => {
    [recogniser, standIn, { pcm }] = await Promise.all([startPocketsphinx(undefined, 'openai'), transcriptionStandIn(), speech(PHRASE)]);
    server = await startTestServer({
      asr: {
        backends: {
          en: `openai+${recogniser.url}`,
          fr: `openai+${standIn.url}/v1?model=whisper-large-v3`,
          es: `openai+${standIn.url}/garbage/v1`,
        },
        apiKey: 'sk-right',
        // Pocketsphinx decodes a whole utterance at once here: seconds on a loaded machine.
        transcriptionTimeoutMs: 60_000,
      },
    });
  });

  after(async () => {
    for (const c of clients) c.close();
    await server?.close();
    await Promise.all([recogniser?.stop(), standIn?.close()]);
  });

  async function streamFor(room: string, language: string): Promise<Stream> {
    const client = await TestClient.connect(server.wsUrl);
    clients.push(client);
    const welcome = await client.join(room, 'Ann', { state: { spokenLanguage: language } });
    return Stream.open(server, welcome.asr!.token);
  }

  test('an utterance comes back as one final, cut where the speaker pauses; silence is never sent for transcription', async () => {
    const stream = await streamFor('openai', 'en');
    // Two seconds of silence first (sent, as a browser's tail would be): nothing to transcribe.
    await stream.play(Buffer.alloc(2 * 32_000));
    await stream.play(pcm);
    await waitFor(() => stream.finals().length > 0 || stream.closeCode !== null, 90_000, 'a final');
    assert.deepEqual(stream.received, [{ type: 'final', text: PHRASE }], 'one final and nothing else (the API gives no partials)');
    stream.eof();
    assert.equal(await stream.closed, 1000);
  });

  test('the model from the URL, the language and the key are sent; a refused key, garbage or silence end only that stream, with the reason', async () => {
    const fr = await streamFor('openai-fr', 'fr-CA');
    await fr.play(pcm);
    await waitFor(() => fr.finals().length > 0, 30_000, 'a final');
    assert.deepEqual(fr.finals(), ['thank you']);
    assert.deepEqual(standIn.requests.at(-1), { authorization: 'Bearer sk-right', model: 'whisper-large-v3', language: 'fr' });
    fr.eof();
    assert.equal(await fr.closed, 1000);

    const garbage = await streamFor('openai-es', 'es');
    await garbage.play(pcm);
    assert.equal(await garbage.closedWithin(30_000), 4502);
    assert.equal(garbage.error()?.code, 'backend');
    assert.match(garbage.error()!.message, /not the transcription API/);

    // A recogniser that never answers (given 1 s), and one given no key.
    for (const [options, reason] of [
      [{ backends: { fr: `openai+${standIn.url}/hang/v1` }, transcriptionTimeoutMs: 1000 }, /did not answer within 1 s/],
      [{ backends: { fr: `openai+${standIn.url}/v1` } }, /answered 401: Incorrect API key provided/],
    ] as const) {
      const own = await startTestServer({ asr: options });
      try {
        const client = await TestClient.connect(own.wsUrl);
        const welcome = await client.join('own', 'Ann', { state: { spokenLanguage: 'fr' } });
        const stream = await Stream.open(own, welcome.asr!.token);
        await stream.play(pcm);
        assert.equal(await stream.closedWithin(30_000), 4502);
        assert.equal(stream.error()?.code, 'backend');
        assert.match(stream.error()!.message, reason);
        client.close();
      } finally {
        await own.close();
      }
    }
  });
});

describe('server speech recognition across processes over Redis', () => {
  test('a token from one process opens a stream on another; removed on the first, the speaker’s stream on the second ends', async () => {
    const [redis, recogniser, { pcm }] = await Promise.all([startRedis(), startPocketsphinx(), speech(PHRASE), compileServer()]);
    const secret = 'a secret every process shares, long enough';
    const token = (room: string, role: string, sub: string) =>
      new SignJWT({ room, role, sub }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    const args = ['--redis', redis.url, '--heartbeat-ms', '300', '--jwt-secret', secret, '--asr', `en=${recogniser.url}`];
    const processes: Awaited<ReturnType<typeof spawnServer>>[] = [];
    const clients: TestClient[] = [];
    try {
      for (let i = 0; i < 2; i++) processes.push(await spawnServer(args));
      const [one, two] = processes as [Awaited<ReturnType<typeof spawnServer>>, Awaited<ReturnType<typeof spawnServer>>];
      const host = await TestClient.connect(one.wsUrl);
      const ann = await TestClient.connect(one.wsUrl);
      clients.push(host, ann);
      await host.join('cluster-asr', 'Hana', { state: { spokenLanguage: 'en' }, token: await token('cluster-asr', 'host', 'hana') });
      const welcome = await ann.join('cluster-asr', 'Ann', { state: { spokenLanguage: 'en' }, token: await token('cluster-asr', 'participant', 'ann') });
      // The /asr socket reaches the other process, as a load balancer may send it.
      const stream = await Stream.open({ address: { port: two.port } }, welcome.asr!.token);
      await stream.play(pcm);
      await waitFor(() => stream.finals().length > 0, 15_000, 'a final');
      assert.deepEqual(stream.finals(), [PHRASE]);
      host.send({ type: 'remove', id: welcome.self.id });
      assert.equal(await stream.closedWithin(10_000), 1000);
      assert.equal(stream.error()?.code, 'left');
    } finally {
      for (const c of clients) c.close();
      await Promise.all(processes.map((p) => p.stop()));
      await Promise.all([recogniser.stop(), redis.stop()]);
    }
  });
});

describe('un75-signal --asr', () => {
  test('offers the languages given; a malformed LANG=URL stops it with the reason', async () => {
    const { compileServer, spawnServer } = await import('./helpers.js');
    const { execFile } = await import('node:child_process');
    await compileServer();
    const bin = new URL('../../bin/un75-signal.js', import.meta.url).pathname;
    const refused = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(process.execPath, [bin, '--port', '0', '--asr', 'en=http://127.0.0.1:2700'], (err, _out, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      ),
    );
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /must be a ws:\/\/ or wss:\/\/ URL/);

    const server = await spawnServer(['--asr', 'en=ws://127.0.0.1:2700', '--asr', '*=ws://127.0.0.1:2701']);
    try {
      const client = await TestClient.connect(server.wsUrl);
      const welcome = await client.join('cli', 'Ann', { state: { spokenLanguage: 'fr' } });
      assert.deepEqual(welcome.asr?.languages, ['en', '*']);
      client.close();
    } finally {
      await server.stop();
    }
  });
});
