// Ballots at town-hall scale (issue 24): VOTERS raw clients in one room, each casting one ballot,
// the ballots spread over one second, against real `un75-signal` processes: one process with the
// default store (PGlite in memory), one process on PostgreSQL, and two processes over Redis on one
// PostgreSQL, side by side in one run. Figures only, no assertions:
//   - whether every ballot was counted (the final `voters` every member sees),
//   - the time from the last ballot sent to the moment each member sees the full count (p50/p99),
//   - each voter's acknowledgement (`poll-voted`) time from its own ballot (p50/p99).
//
//   node --import tsx bench/ballots.ts
//
// Env: VOTERS (500), BALLOT_SPREAD_MS (1000), BALLOT_SETUPS (e.g. 0,2: only those deployments),
// BALLOT_PAUSE_MS (a pause between the poll opening and the ballots: lets the writes the joins
// queued land first; without it, on PGlite, the ballots wait behind them). Loopback only; every wait is bounded.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { compileServer, spawnServer, startPostgres, startRedis, type ServerProcess } from '../test/server/helpers.js';

const VOTERS = Number(process.env.VOTERS ?? 500);
const SPREAD_MS = Number(process.env.BALLOT_SPREAD_MS ?? 1000);
const WAIT_MS = Number(process.env.BALLOT_WAIT_MS ?? 120_000);
const OPTIONS = ['better', 'worse', 'same'] as const;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/**
 * A light client: reads only the frames the bench needs (a full parse of the 250,000 presence
 * frames a 500-member room makes would measure the bench, not the server).
 */
class Voter {
  id = '';
  host = false;
  fullAt = 0;
  votedAt = 0;
  error = '';
  readonly #waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"welcome"')) {
        const welcome = JSON.parse(text) as { id: string; self: { role: string } };
        this.id = welcome.id;
        this.host = welcome.self.role === 'host';
      } else if (text.startsWith('{"type":"poll-result"')) {
        const { result } = JSON.parse(text) as { result: { voters: number } };
        if (result.voters >= VOTERS && !this.fullAt) this.fullAt = performance.now();
      } else if (text.startsWith('{"type":"poll-voted"')) {
        this.votedAt = performance.now();
      } else if (text.startsWith('{"type":"error"')) {
        this.error ||= text;
      } else if (!text.startsWith('{"type":"poll"')) return;
      for (const wake of this.#waiters) wake();
    });
    ws.on('error', () => {});
  }

  static async connect(url: string): Promise<Voter> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Voter(ws);
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  async until(ok: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!ok()) {
      if (this.error) throw new Error(`${what}: ${this.error}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: not within ${WAIT_MS} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 1000));
        this.#waiters.add(wake);
      });
    }
  }
}

interface Figures {
  counted: number;
  seeFull: number[];
  acked: number[];
  joinSeconds: number;
}

async function run(processes: ServerProcess[]): Promise<Figures> {
  const room = `ballots-${Math.random().toString(36).slice(2, 8)}`;
  const host = await Voter.connect(processes[0]!.wsUrl);
  host.send({ type: 'join', room, name: 'Host', spokenLanguage: 'en' });
  await host.until(() => host.id !== '', 'host welcome');
  if (!host.host) throw new Error('the first member is not the host');
  const joinStart = performance.now();
  const voters: Voter[] = [];
  // Join in batches of 50 (alternating processes): a realistic arrival, and bounded socket churn.
  for (let i = 0; i < VOTERS; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, VOTERS - i) }, async (_, k) => {
        const v = await Voter.connect(processes[(i + k + 1) % processes.length]!.wsUrl);
        v.send({ type: 'join', room, name: `Voter ${i + k}`, spokenLanguage: ['fr', 'ar', 'es', 'en', 'ru', 'zh'][(i + k) % 6] });
        await v.until(() => v.id !== '', `voter ${i + k} welcome`);
        return v;
      }),
    );
    voters.push(...batch);
  }
  const joinSeconds = (performance.now() - joinStart) / 1000;
  const poll = {
    id: 'future',
    type: 'single',
    question: { en: 'In 2045, will people be better or worse off than today?' },
    options: OPTIONS.map((id) => ({ id, label: { en: id } })),
    results: 'live',
  };
  host.send({ type: 'poll-create', poll });
  host.send({ type: 'poll-open', id: 'future' });
  // Everyone has the poll open before the clock starts.
  let opened = 0;
  const openSeen = new WeakSet<Voter>();
  await Promise.all(
    voters.map(async (v) => {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          const missing = voters.filter((x) => !openSeen.has(x));
          const closed = missing.filter((x) => x.ws.readyState !== WebSocket.OPEN).length;
          const onFirst = missing.filter((x) => (voters.indexOf(x) + 1) % processes.length === 0).length;
          reject(new Error(`${missing.length} of ${VOTERS} never saw the poll open (${closed} of them closed, ${onFirst} on the host's process; first error: ${missing.find((x) => x.error)?.error ?? 'none'})`));
        }, WAIT_MS);
        const look = (data: WebSocket.RawData) => {
          if (data.toString().includes('"state":"open"')) {
            clearTimeout(timer);
            v.ws.off('message', look);
            if (!openSeen.has(v)) opened++;
            openSeen.add(v);
            resolve();
          }
        };
        v.ws.on('message', look);
      });
    }),
  );
  if (opened !== VOTERS) throw new Error(`only ${opened} saw the poll open`);
  if (process.env.BALLOT_PAUSE_MS) await new Promise((r) => setTimeout(r, Number(process.env.BALLOT_PAUSE_MS)));
  const sentAt: number[] = [];
  await Promise.all(
    voters.map(
      (v, i) =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            sentAt[i] = performance.now();
            v.send({ type: 'poll-vote', id: 'future', answer: { optionIds: [OPTIONS[i % OPTIONS.length]] } });
            resolve();
          }, (i * SPREAD_MS) / VOTERS),
        ),
    ),
  );
  const lastSent = Math.max(...sentAt);
  const everyone = [host, ...voters];
  const results = await Promise.allSettled(everyone.map((v, i) => v.until(() => v.fullAt > 0, `member ${i} full count`)));
  await Promise.allSettled(voters.map((v, i) => v.until(() => v.votedAt > 0, `voter ${i} acknowledgement`)));
  const counted = results.filter((r) => r.status === 'fulfilled').length;
  const figures: Figures = {
    counted,
    seeFull: everyone.filter((v) => v.fullAt).map((v) => v.fullAt - lastSent),
    acked: voters.filter((v) => v.votedAt).map((v, i) => v.votedAt - sentAt[i]!),
    joinSeconds,
  };
  for (const v of everyone) v.ws.terminate();
  return figures;
}

async function main(): Promise<void> {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis(), compileServer()]);
  // The default heartbeat (15 s): a process's members stay present through a busy second or two.
  const common = ['--max-room-size', String(VOTERS + 1)];
  const setups: Array<[string, () => Promise<ServerProcess[]>]> = [
    ['one process, PGlite in memory (default)', async () => [await spawnServer(common, 240_000)]],
    ['one process, PostgreSQL', async () => [await spawnServer([...common, '--database', postgres.url])]],
    [
      'two processes over Redis, PostgreSQL',
      async () => Promise.all([0, 1].map(() => spawnServer([...common, '--database', postgres.url, '--redis', redis.url]))),
    ],
  ];
  const only = process.env.BALLOT_SETUPS?.split(',').map(Number);
  if (only) setups.splice(0, setups.length, ...setups.filter((_, i) => only.includes(i)));
  console.log(`\nBallots: ${VOTERS} raw clients in one room, one ballot each, spread over ${SPREAD_MS} ms`);
  console.log(`${'deployment'.padEnd(42)}${'members seeing all'.padEnd(20)}${'full count, ms after last ballot p50 / p99'.padEnd(44)}${'ack p50 / p99 ms'.padEnd(20)}join s`);
  try {
    for (const [name, start] of setups) {
      const processes = await start();
      try {
        const f = await run(processes);
        console.log(
          `${name.padEnd(42)}${`${f.counted} / ${VOTERS + 1}`.padEnd(20)}${`${pct(f.seeFull, 50).toFixed(0)} / ${pct(f.seeFull, 99).toFixed(0)}`.padEnd(44)}${`${pct(f.acked, 50).toFixed(0)} / ${pct(f.acked, 99).toFixed(0)}`.padEnd(20)}${f.joinSeconds.toFixed(1)}`,
        );
      } catch (err) {
        console.log(`${name.padEnd(42)}failed: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
        process.exitCode = 1;
      } finally {
        await Promise.all(processes.map((p) => p.stop()));
      }
    }
  } finally {
    await Promise.all([postgres.stop(), redis.stop()]);
  }
}

await main();
