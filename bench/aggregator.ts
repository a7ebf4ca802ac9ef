// The aggregator (docs/outcomes.md, "Aggregation"): ingest of synthetic signed dialogue reports into
// PGlite (a temporary folder) and into PostgreSQL (started here, as the tests do), in reports per
// second over loopback HTTP with a few at once; then the dashboard's queries at that size, p50/p95
// per kind (no filter; by country; by language; by month), computed afresh each time (the
// aggregator's answer cache off), then the same reused from its cache. The reports are signed before the clock
// starts (what is measured is the aggregator's work: verify, validate, one transaction).
// `node --import tsx bench/aggregator.ts [count]` (default 10,000). Bounded: each ingest stops at
// INGEST_CEILING_MS and reports how far it got.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAggregatorConfig } from '../server/aggregator.js';
import { createSignalingServer, type SignalingServerOptions } from '../server/index.js';
import { newPartnerKeys, privateKeyFrom, signJws } from '../server/jws.js';
import { startPostgres } from '../test/server/helpers.js';
import { makeReport } from '../test/server/reports.js';

const COUNT = Number(process.argv[2]) || 10_000;
const CONCURRENCY = 8;
const INGEST_CEILING_MS = 15 * 60_000;
const QUERIES_PER_KIND = 40;
const TOKEN = 'bench-read-token-0123456789';

const COUNTRIES = ['FR', 'KE', 'EG', 'BR', 'IN', 'CN', 'RU', 'MX', 'NG', 'JO', 'DE', 'JP', 'AR', 'CA', 'ZA', 'ID', 'PK', 'TR', 'ES', 'CL'];
const LANGS = ['ar', 'zh', 'en', 'fr', 'ru', 'es', 'sw', 'pt', 'hi', 'de'];
const pick = <T>(a: readonly T[], i: number) => a[i % a.length]!;

function synthetic(i: number): Record<string, unknown> {
  const byLanguage: Record<string, number> = {};
  for (let k = 0; k < 1 + (i % 3); k++) byLanguage[pick(LANGS, i * 7 + k * 3)] = 2 + ((i * 13 + k) % 9);
  const month = 1 + (i % 12);
  return makeReport({
    reportId: randomUUID(),
    country: pick(COUNTRIES, i * 11),
    startedAt: `2026-${String(month).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00.000Z`,
    byLanguage,
    future: { better: i % 7, same: i % 5, worse: i % 3 },
    ideas: [0, 1, 2].map((k) => ({ lang: 'en', text: { en: `Idea ${i}-${k} about schools, water and peace` }, agree: (i * 31 + k) % 20 })),
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function run(name: string, storage: Partial<SignalingServerOptions>): Promise<void> {
  const keys = newPartnerKeys('bench');
  const key = privateKeyFrom(JSON.stringify(keys.privateJwk));
  if (typeof key === 'string') throw new Error(key);
  const aggregator = parseAggregatorConfig(
    JSON.stringify({ programmes: { un75: { readToken: TOKEN } }, partners: { bench: { key: keys.publicJwk, programmes: ['un75'] } }, rate: { burst: COUNT, perSecond: 10_000 }, cacheSeconds: 0 }),
  );
  const opened = performance.now();
  const server = createSignalingServer({ port: 0, host: '127.0.0.1', stun: false, aggregator, ...storage, log: () => {} });
  await server.listen();
  const openMs = performance.now() - opened;
  const base = `${server.url}/v1/programmes/un75`;
  try {
    const bodies = Array.from({ length: COUNT }, (_, i) => signJws(JSON.stringify(synthetic(i)), key.key, key.kid));
    let next = 0;
    let taken = 0;
    let refused = 0;
    const start = performance.now();
    const deadline = start + INGEST_CEILING_MS;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length && performance.now() < deadline) {
          const body = bodies[next++]!;
          const response = await fetch(`${base}/reports`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body });
          await response.arrayBuffer();
          if (response.status === 201) taken++;
          else refused++;
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    console.log(`${name}: opened in ${(openMs / 1000).toFixed(1)} s; ingest ${taken} reports in ${seconds.toFixed(1)} s = ${(taken / seconds).toFixed(0)} reports/s (${CONCURRENCY} at once${refused ? `, ${refused} refused` : ''}${taken + refused < COUNT ? `, stopped at the ${INGEST_CEILING_MS / 60_000}-minute ceiling` : ''})`);

    const kinds: Array<[string, string]> = [
      ['no filter', ''],
      ['country', '?country=KE'],
      ['language', '?language=fr'],
      ['month', '?month=2026-06'],
      ['all three', '?country=KE&language=sw&month=2026-06'],
    ];
    const all: number[] = [];
    for (const [kind, query] of kinds) {
      const times: number[] = [];
      for (let q = 0; q < QUERIES_PER_KIND; q++) {
        const t0 = performance.now();
        const response = await fetch(`${base}/outcomes${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
        const data = (await response.json()) as { totals: { dialogues: number } };
        times.push(performance.now() - t0);
        if (q === 0 && response.status !== 200) throw new Error(`outcomes ${query}: HTTP ${response.status}`);
        if (q === 0 && kind === 'no filter' && data.totals.dialogues !== taken) throw new Error(`outcomes counted ${data.totals.dialogues} dialogues, not ${taken}`);
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      console.log(`${name}: dashboard query (${kind}) at ${taken} reports: p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms`);
    }
    all.sort((a, b) => a - b);
    console.log(`${name}: dashboard queries computed afresh, all kinds: p95 ${percentile(all, 95).toFixed(0)} ms (goal on PGlite: ≤ 200 ms)`);
    // The same with the answer cache on (the default: an answer is reused until a report arrives, 30 s at most).
    aggregator.cacheMs = 30_000;
    const cached: number[] = [];
    for (const [, query] of kinds) {
      for (let q = 0; q < QUERIES_PER_KIND; q++) {
        const t0 = performance.now();
        await (await fetch(`${base}/outcomes${query}`, { headers: { authorization: `Bearer ${TOKEN}` } })).arrayBuffer();
        cached.push(performance.now() - t0);
      }
    }
    cached.sort((a, b) => a - b);
    console.log(`${name}: dashboard queries with the answer cache, all kinds: p50 ${percentile(cached, 50).toFixed(0)} ms, p95 ${percentile(cached, 95).toFixed(0)} ms`);
  } finally {
    await server.close();
  }
}

console.log(`Aggregator: ${COUNT} synthetic signed reports (1-3 languages, 1 template poll, 3 ideas each)`);
const dir = mkdtempSync(path.join(tmpdir(), 'un75-bench-aggregator-'));
try {
  await run('PGlite', { dataDir: dir });
  const postgres = await startPostgres();
  try {
    await run('PostgreSQL', { database: postgres.url });
  } finally {
    await postgres.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
