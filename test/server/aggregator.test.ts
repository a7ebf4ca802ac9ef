// The aggregator (docs/outcomes.md, "Aggregation"): the real `un75-signal --aggregator` on PGlite in
// a temporary folder and on a PostgreSQL started by the test, taking signed reports once, refusing
// forged and malformed ones whole, superseding, summing with small cells suppressed, exporting CSV;
// and a partner's un75-signal sending its reports there (`--submit-to`) through an outage and a restart.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { newPartnerKeys, privateKeyFrom, signJws } from '../../server/jws.js';
import { compileServer, freePort, spawnServer, startPostgres, startTestServer, TestClient, waitFor, type ServerProcess } from './helpers.js';
import { makeReport } from './reports.js';

const exec = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const TOKEN = 'read-token-0123456789abcdef';
const dir = mkdtempSync(path.join(tmpdir(), 'un75-aggregator-'));
const keys = { lyon: newPartnerKeys('lyon'), nairobi: newPartnerKeys('nairobi'), impostor: newPartnerKeys('lyon') };
const signer = (k: { privateJwk: Record<string, unknown> }) => {
  const key = privateKeyFrom(JSON.stringify(k.privateJwk));
  if (typeof key === 'string') throw new Error(key);
  return key;
};
const sign = (report: unknown, k = keys.lyon) => {
  const { key, kid } = signer(k);
  return signJws(JSON.stringify(report), key, kid);
};

const partnersFile = path.join(dir, 'partners.json');
writeFileSync(
  partnersFile,
  JSON.stringify({
    programmes: { un75: { readToken: TOKEN, origins: ['https://partner.example'] }, other: { readToken: `${TOKEN}-other` } },
    // One as a JWK, one as PEM: the two forms keygen prints.
    partners: { lyon: { key: keys.lyon.publicJwk, programmes: ['un75'] }, nairobi: { key: keys.nairobi.publicPem, programmes: ['un75', 'other'] } },
    rate: { burst: 1000, perSecond: 100 },
    maxReportBytes: 200_000,
  }),
);

let postgres: Awaited<ReturnType<typeof startPostgres>>;
before(async () => {
  await compileServer();
  postgres = await startPostgres();
  const { default: pg } = await import('pg');
  const client = new pg.Client(postgres.url);
  await client.connect();
  for (const db of ['aggregator', 'partner', 'upstream', 'limited']) await client.query(`CREATE DATABASE ${db}`);
  await client.end();
});
after(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});
const database = (name: string) => postgres.url.replace(/\/postgres$/, `/${name}`);

async function post(base: string, programme: string, body: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}/v1/programmes/${programme}/reports`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body });
  return { status: response.status, body: await response.json() };
}

async function get(base: string, pathname: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }): Promise<Response> {
  return fetch(`${base}/v1/programmes/${pathname}`, { headers });
}

async function stats(base: string): Promise<any> {
  return (await get(base, 'un75/stats')).json();
}

/** Every count of people, votes or points in an outcomes answer: a number only from 5 up. */
function assertNoSmallCell(value: unknown, where = ''): void {
  if (Array.isArray(value)) return value.forEach((v, i) => assertNoSmallCell(v, `${where}[${i}]`));
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (['participants', 'count', 'voters', 'agree', 'pass', 'disagree'].includes(k) || where.includes('demographics')) {
      if (typeof v === 'number') assert.ok(v >= 5, `${where}.${k} = ${v} is a cell under 5`);
    }
    assertNoSmallCell(v, `${where}.${k}`);
  }
}

const backends: Array<[string, () => string[]]> = [
  ['PGlite', () => ['--data-dir', path.join(dir, 'pglite')]],
  ['PostgreSQL', () => ['--database', database('aggregator')]],
];

for (const [name, storage] of backends) {
  describe(`un75-signal --aggregator on ${name}`, { timeout: 600_000 }, () => {
    let server: ServerProcess;
    let base: string;
    const r1 = makeReport();
    before(async () => {
      server = await spawnServer(['--aggregator', '--partners', partnersFile, ...storage()], 300_000);
      base = `http://127.0.0.1:${server.port}`;
    });
    after(() => server?.stop());

    test('takes a signed report once: the same again gets the same receipt and stores nothing more', async () => {
      const first = await post(base, 'un75', sign(r1));
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.reportId, r1.reportId);
      assert.equal(first.body.programme, 'un75');
      assert.equal(first.body.partner, 'lyon');
      assert.equal(first.body.status, 'accepted');
      assert.match(first.body.receiptId, /^[0-9a-f-]{36}$/);
      assert.match(first.body.sha256, /^[0-9a-f]{64}$/);
      assert.ok(Math.abs(Date.parse(first.body.receivedAt) - Date.now()) < 120_000);
      const again = await post(base, 'un75', sign(r1));
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, first.body);
      const s = await stats(base);
      assert.deepEqual(s.reports, { held: 1, counted: 1 });
      assert.equal(s.accepted, 1);
      assert.equal(s.duplicates, 1);
    });

    test('refuses forged, unknown, misdirected, malformed, oversized and conflicting reports whole, and counts each reason', async () => {
      const good = sign(makeReport());
      const [header, , signature] = good.split('.');
      const tampered = makeReport();
      const forged = `${header}.${Buffer.from(JSON.stringify(tampered)).toString('base64url')}.${signature}`;
      const refusals: Array<[string, string, number, string]> = [
        ['a payload changed after signing', forged, 401, 'bad-signature'],
        ['a report signed with another key under the same partner id', sign(makeReport(), keys.impostor), 401, 'bad-signature'],
        ['an unknown partner', sign(makeReport(), newPartnerKeys('mallory')), 403, 'unknown-partner'],
        ['not a JWS', JSON.stringify(makeReport()), 400, 'bad-request'],
      ];
      for (const [what, body, status, code] of refusals) {
        const answer = await post(base, 'un75', body);
        assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error.code, code, what);
        assert.ok(answer.body.error.message.length > 10, what);
      }
      const misdirected = await post(base, 'other', sign(makeReport()));
      assert.equal(misdirected.status, 403);
      assert.equal(misdirected.body.error.code, 'forbidden-programme');

      // Per-person data: the schema has no place for it, so the whole report is refused.
      const perPerson = makeReport() as any;
      perPerson.participants.members = [{ name: 'Ana', lang: 'fr' }, { name: 'Omar', lang: 'ar' }];
      const people = await post(base, 'un75', sign(perPerson));
      assert.equal(people.status, 422, JSON.stringify(people.body));
      assert.equal(people.body.error.code, 'invalid-report');
      assert.ok(people.body.error.details.some((d: any) => d.path === '/participants' && d.message.includes('members')), JSON.stringify(people.body.error.details));
      const extra = { ...makeReport(), attendees: ['Ana'] };
      const extraAnswer = await post(base, 'un75', sign(extra));
      assert.equal(extraAnswer.status, 422);
      assert.ok(extraAnswer.body.error.details.some((d: any) => d.message.includes('attendees')));
      const wrongProgramme = await post(base, 'un75', sign(makeReport({ programme: 'another' })));
      assert.equal(wrongProgramme.status, 422);
      const twice = makeReport() as any;
      twice.polls[1].id = twice.polls[0].id;
      const twiceAnswer = await post(base, 'un75', sign(twice));
      assert.equal(twiceAnswer.status, 422);
      assert.match(twiceAnswer.body.error.message, /two polls have the id "future"/);

      const large = makeReport({ ideas: Array.from({ length: 200 }, () => ({ lang: 'en', text: { en: 'x'.repeat(1500) }, agree: 9 })) });
      const big = await post(base, 'un75', sign(large));
      assert.equal(big.status, 413);
      assert.equal(big.body.error.code, 'too-large');

      const conflict = await post(base, 'un75', sign(makeReport({ reportId: r1.reportId, byLanguage: { en: 7, fr: 4 } })));
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body.error.code, 'conflict');

      const s = await stats(base);
      assert.deepEqual(s.reports, { held: 1, counted: 1 }, 'nothing of a refused report is stored');
      assert.deepEqual(s.refused, { 'bad-signature': 2, 'unknown-partner': 1, 'bad-request': 1, 'invalid-report': 4, 'too-large': 1, conflict: 1 });
      // Counted under the programme it was sent to.
      const other = await (await get(base, 'other/stats', { authorization: `Bearer ${TOKEN}-other` })).json();
      assert.deepEqual(other.refused, { 'forbidden-programme': 1 });
    });

    test('a report superseding another replaces it in the totals; small cells are suppressed everywhere; filters; CSV', async () => {
      const r2 = makeReport({ country: 'DE', byLanguage: { de: 3 }, future: { better: 2, same: 1 }, ideas: [{ lang: 'de', text: { de: 'Mehr Bäume' }, agree: 2 }] });
      const r3 = makeReport({ country: 'KE', startedAt: '2026-04-02T09:00:00.000Z', byLanguage: { sw: 5, en: 5 }, future: { better: 4, worse: 6 } });
      const r4 = makeReport({ supersedes: r3.reportId, country: 'KE', startedAt: '2026-04-02T09:00:00.000Z', byLanguage: { sw: 8, en: 7 }, future: { better: 9, same: 2, worse: 3 } });
      assert.equal((await post(base, 'un75', sign(r2))).status, 201);
      assert.equal((await post(base, 'un75', sign(r3, keys.nairobi))).status, 201);
      const replaced = await post(base, 'un75', sign(r4, keys.nairobi));
      assert.equal(replaced.status, 201);
      assert.equal(replaced.body.supersedes, r3.reportId);
      // A partner cannot supersede another partner's report.
      const hijack = await post(base, 'un75', sign(makeReport({ supersedes: r1.reportId }), keys.nairobi));
      assert.equal(hijack.status, 409);
      assert.deepEqual((await stats(base)).reports, { held: 4, counted: 3 });

      assert.equal((await get(base, 'un75/outcomes', {})).status, 401);
      assert.equal((await get(base, 'un75/outcomes', { authorization: 'Bearer wrong-token-0123456789' })).status, 401);
      const response = await get(base, 'un75/outcomes', { authorization: `Bearer ${TOKEN}`, origin: 'https://partner.example' });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), 'https://partner.example');
      const o = await response.json();
      assertNoSmallCell(o);
      assert.equal(o.suppressedBelow, 5);
      assert.deepEqual(o.totals, { dialogues: 3, participants: 28, countries: 3, languages: 4 });
      assert.deepEqual(o.byMonth, [
        { month: '2026-03', dialogues: 2, participants: 13 },
        { month: '2026-04', dialogues: 1, participants: 15 },
      ]);
      assert.deepEqual(o.byCountry, [
        { country: 'KE', dialogues: 1, participants: 15 },
        { country: 'FR', dialogues: 1, participants: 10 },
        { country: 'DE', dialogues: 1, participants: '<5' },
      ]);
      assert.deepEqual(o.byLanguage, [
        { language: 'en', dialogues: 2, participants: 13 },
        { language: 'sw', dialogues: 1, participants: 8 },
        { language: 'fr', dialogues: 1, participants: '<5' },
        { language: 'de', dialogues: 1, participants: '<5' },
      ]);
      assert.equal(o.polls.length, 1, 'only template polls add up across dialogues');
      const [future] = o.polls;
      assert.equal(future.template, 'un75-survey');
      assert.equal(future.id, 'future');
      assert.equal(future.dialogues, 3);
      assert.equal(future.voters, 27);
      assert.equal(future.question.ar, 'هل سيكون حال الناس أفضل في عام 2045؟');
      assert.deepEqual(
        future.options.map((x: any) => [x.id, x.count, x.label.en]),
        [
          ['better', 17, 'Better off'],
          ['same', 6, 'About the same'],
          ['worse', '<5', 'Worse off'],
        ],
      );
      assert.deepEqual(o.demographics.gender, { female: 15, male: 13 });
      assert.deepEqual(
        o.ideas.map((i: any) => [i.text[i.lang], i.agree]),
        [
          ['Teach climate in every school', 7],
          ['Teach climate in every school', 7],
          ['Mehr Bäume', '<5'],
        ],
      );
      assert.deepEqual(o.choices, { countries: ['DE', 'FR', 'KE'], languages: ['de', 'en', 'fr', 'sw'], months: ['2026-03', '2026-04'] });

      const de = await (await get(base, 'un75/outcomes?country=DE')).json();
      assert.deepEqual(de.totals, { dialogues: 1, participants: '<5', countries: 1, languages: 1 });
      assert.deepEqual(de.polls[0].options.map((x: any) => x.count), ['<5', '<5']);
      assertNoSmallCell(de);
      const sw = await (await get(base, 'un75/outcomes?language=sw&month=2026-04')).json();
      assert.deepEqual(sw.totals, { dialogues: 1, participants: 15, countries: 1, languages: 2 });
      assert.equal((await get(base, 'un75/outcomes?month=March')).status, 400);
      assert.equal((await get(base, 'nowhere/outcomes')).status, 404);

      const preflight = await fetch(`${base}/v1/programmes/un75/outcomes`, { method: 'OPTIONS', headers: { origin: 'https://partner.example', 'access-control-request-headers': 'authorization' } });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://partner.example');
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
      const elsewhere = await get(base, 'un75/outcomes', { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example' });
      assert.equal(elsewhere.headers.get('access-control-allow-origin'), null);

      const csv = await get(base, 'un75/outcomes.csv');
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
      assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="un75-outcomes\.csv"/);
      const lines = (await csv.text()).split('\r\n');
      assert.equal(lines[0], 'section,key,item,dialogues,count');
      for (const line of ['total,participants,,3,28', 'month,2026-04,,1,15', 'country,DE,,1,<5', 'language,sw,,1,8', 'poll,un75-survey/future,better,3,17', 'poll,un75-survey/future,worse,3,<5', 'demographics,gender,female,,15']) {
        assert.ok(lines.includes(line), `${line} in\n${lines.join('\n')}`);
      }
      for (const line of lines.slice(1).filter(Boolean)) {
        const count = line.split(',').at(-1)!;
        if (/^\d+$/.test(count) && !/^total,(countries|languages)/.test(line)) assert.ok(Number(count) >= 5, `${line}: a cell under 5`);
      }
    });
  });
}

test('a partner sending faster than its budget gets 429 with Retry-After, counted, nothing stored', { timeout: 300_000 }, async () => {
  const file = path.join(dir, 'limited.json');
  writeFileSync(file, JSON.stringify({ programmes: { un75: { readToken: TOKEN } }, partners: { lyon: { key: keys.lyon.publicJwk, programmes: ['un75'] } }, rate: { burst: 2, perSecond: 0.01 } }));
  const server = await spawnServer(['--aggregator', '--partners', file, '--database', database('limited')], 120_000);
  try {
    const base = `http://127.0.0.1:${server.port}`;
    assert.equal((await post(base, 'un75', sign(makeReport()))).status, 201);
    assert.equal((await post(base, 'un75', sign(makeReport()))).status, 201);
    const response = await fetch(`${base}/v1/programmes/un75/reports`, { method: 'POST', body: sign(makeReport()) });
    assert.equal(response.status, 429);
    assert.equal(((await response.json()) as any).error.code, 'rate-limited');
    assert.ok(Number(response.headers.get('retry-after')) >= 1);
    // A forged report does not spend the partner's budget, and is refused for what it is.
    assert.equal((await post(base, 'un75', sign(makeReport(), keys.impostor))).status, 401);
    const s = await stats(base);
    assert.deepEqual(s.reports, { held: 2, counted: 2 });
    assert.deepEqual(s.refused, { 'rate-limited': 1, 'bad-signature': 1 });
  } finally {
    await server.stop();
  }
});

describe('a partner un75-signal sending its reports (--submit-to)', { timeout: 600_000 }, () => {
  test('keeps a report while the aggregator is down, tries again with backoff, survives a restart, and gets it taken once; a dialogue\'s final report is sent by itself', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/v1/programmes/un75/reports`;
    const key = signer(keys.nairobi);
    const lines: string[] = [];
    const options = { database: database('partner'), submitTo: { url, key: key.key, kid: key.kid, retryMs: 200, maxRetryMs: 1000 }, log: (l: string) => lines.push(l) };
    let partner = await startTestServer(options);
    const report = makeReport({ country: 'KE', byLanguage: { sw: 6 } });
    try {
      await assert.rejects(partner.submitReport({ ...makeReport(), attendees: ['Ana'] } as never), /not a un75:dialogue-report\/1/);
      await partner.submitReport(report);
      // The aggregator is not there: the submitter fails and tries again, later each time.
      await waitFor(() => lines.filter((l) => l.includes(`report ${report.reportId} not sent`)).length >= 2, 60_000, 'two failed attempts');
    } finally {
      await partner.close();
    }

    // The partner restarts; then the aggregator comes up.
    lines.length = 0;
    partner = await startTestServer(options);
    const aggregator = await spawnServer(['--port', String(port), '--aggregator', '--partners', partnersFile, '--database', database('upstream')], 120_000);
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(() => lines.some((l) => l.includes(`report ${report.reportId} taken by the aggregator`)), 60_000, 'the report taken');
      const s = await stats(base);
      assert.deepEqual(s.reports, { held: 1, counted: 1 });
      assert.equal(s.accepted, 1);
      // Submitting the same report again is a no-op: it is sent once.
      await partner.submitReport(report);
      assert.equal((await stats(base)).accepted, 1);

      // The command-line helpers: a new key pair, and one report file sent with it.
      const { stdout } = await exec(process.execPath, [`${root}bin/un75-signal.js`, 'keygen', 'lyon']);
      const privateJwk = JSON.parse(stdout.split('\n').find((l) => l.startsWith('{"'))!);
      assert.equal(privateJwk.kid, 'lyon');
      assert.equal(privateJwk.crv, 'Ed25519');
      assert.match(stdout, /"programmes": \[/);
      assert.match(stdout, /BEGIN PUBLIC KEY/);
      writeFileSync(path.join(dir, 'lyon.key.json'), JSON.stringify(keys.lyon.privateJwk));
      const file = makeReport();
      writeFileSync(path.join(dir, 'report.json'), JSON.stringify(file));
      const sent = await exec(process.execPath, [`${root}bin/un75-signal.js`, 'submit-report', path.join(dir, 'report.json'), '--submit-to', url, '--report-key', path.join(dir, 'lyon.key.json')]);
      assert.equal(JSON.parse(sent.stdout).reportId, file.reportId);
      assert.deepEqual((await stats(base)).reports, { held: 2, counted: 2 });

      // A dialogue on the partner's server: once its host ends it, its final report goes upstream by itself.
      const host = await TestClient.connect(partner.wsUrl);
      await host.join('town-hall', 'Host', { state: { spokenLanguage: 'sw' } });
      host.send({ type: 'dialogue-end' });
      const { report: final } = await host.next('report', 20_000);
      assert.equal(final.final, true);
      await waitFor(() => lines.some((l) => l.includes(`report ${final.reportId} taken by the aggregator`)), 60_000, 'the final report taken');
      assert.deepEqual((await stats(base)).reports, { held: 3, counted: 3 });
      host.close();
    } finally {
      await partner.close();
      await aggregator.stop();
    }
  });
});
