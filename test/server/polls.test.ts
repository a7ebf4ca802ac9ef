// Polls (design §8), server-authoritative: on one process and on two over a real Redis, kept in a
// real PostgreSQL (shared by the processes) and, for one process, in PGlite under --data-dir,
// through a kill. Ballots are anonymous (a per-poll pseudonym in the database), one per member.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { PollResult } from '../../src/protocol/polls.js';
import { SignJWT } from 'jose';
import { DEPLOYMENTS, compileServer, deploy, settle, spawnServer, startPostgres, TestClient } from './helpers.js';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
before(async () => {
  [postgres] = await Promise.all([startPostgres(), compileServer()]);
});
after(async () => {
  await postgres?.stop();
});

/** PGlite makes its database (initdb in WebAssembly) on first start: seconds, more on a loaded machine. */
const PGLITE_START_MS = 240_000;

const FUTURE = {
  id: 'future',
  type: 'single',
  question: { en: 'In 2045, will people be better or worse off than today?', fr: 'En 2045, les gens vivront-ils mieux ou moins bien ?' },
  options: [
    { id: 'better', label: { en: 'Better off', fr: 'Mieux' } },
    { id: 'worse', label: { en: 'Worse off', fr: 'Moins bien' } },
    { id: 'same', label: { en: 'About the same', fr: 'Pareil' } },
  ],
};
const TOGETHER = { id: 'together', type: 'scale', question: { en: 'How important is it that countries work together?' }, results: 'closed' };

/** Waits for a `poll-result` of `pollId` that satisfies `ok` (live counts may come in several steps). */
async function resultWhere(client: TestClient, pollId: string, ok: (r: PollResult) => boolean, timeoutMs = 10_000): Promise<PollResult> {
  const deadline = Date.now() + timeoutMs;
  let last: PollResult | undefined;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no matching result for "${pollId}"; last: ${JSON.stringify(last)}`);
    const { result } = await client.next('poll-result', left).catch(() => {
      throw new Error(`no matching result for "${pollId}"; last: ${JSON.stringify(last)}`);
    });
    if (result.pollId !== pollId) continue;
    last = result;
    if (ok(result)) return result;
  }
}

async function pollState(client: TestClient, id: string, timeoutMs = 10_000): Promise<string> {
  const msg = await client.next('poll', timeoutMs);
  assert.equal(msg.poll.id, id);
  return msg.state;
}

for (const kind of DEPLOYMENTS) {
  describe(`polls (${kind})`, () => {
    test('a host prepares, opens and closes polls; members vote once each (a second ballot replaces the first); live and at-close counts, by language; a participant may not run a poll', async () => {
      const deployment = await deploy(kind, { database: postgres.url });
      try {
        const room = `polls-${kind.length}`;
        const host = await deployment.connect();
        assert.equal((await host.join(room, 'Host', { state: { spokenLanguage: 'en' } })).self.role, 'host');
        const fr = await deployment.connect();
        const frWelcome = await fr.join(room, 'Fr', { state: { spokenLanguage: 'fr' } });
        assert.equal(frWelcome.polls, undefined, 'no polls yet');
        const ar = await deployment.connect();
        const arWelcome = await ar.join(room, 'Ar', { state: { spokenLanguage: 'ar' } });
        const fr2 = await deployment.connect();
        const fr2Welcome = await fr2.join(room, 'Fr2', { state: { spokenLanguage: 'fr-CA' } });
        const members = [fr, ar, fr2];
        const everyone = [host, ...members];

        // A participant may not prepare, open or close a poll.
        fr.send({ type: 'poll-create', poll: FUTURE });
        assert.equal((await fr.next('error')).code, 'forbidden');

        // Prepared: the hosts hear of it, nobody else; it cannot be voted on yet.
        host.send({ type: 'poll-create', poll: FUTURE });
        assert.equal(await pollState(host, 'future'), 'prepared');
        fr.send({ type: 'poll-open', id: 'future' });
        assert.equal((await fr.next('error')).code, 'forbidden');
        fr.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['better'] } });
        assert.equal((await fr.next('error')).code, 'forbidden');
        await settle(...members);
        for (const m of members) assert.deepEqual(m.take('poll'), []);

        host.send({ type: 'poll-open', id: 'future' });
        for (const c of everyone) assert.equal(await pollState(c, 'future'), 'open');

        // Live: counts after the ballots; fr changes its mind, which replaces its first ballot.
        fr.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['better'] } });
        ar.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['worse'] } });
        fr2.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['better'] } });
        await resultWhere(host, 'future', (r) => r.voters === 3);
        fr.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['same'] } });
        for (const c of everyone) {
          const result = await resultWhere(c, 'future', (r) => r.counts.same === 1);
          assert.deepEqual(result.counts, { better: 1, worse: 1, same: 1 });
          assert.equal(result.voters, 3);
          assert.deepEqual(result.byLanguage, { fr: { better: 0, worse: 0, same: 1 }, ar: { better: 0, worse: 1, same: 0 }, 'fr-ca': { better: 1, worse: 0, same: 0 } });
        }

        // Results at close: nothing while it is open, everything when it closes.
        host.send({ type: 'poll-create', poll: TOGETHER });
        assert.equal(await pollState(host, 'together'), 'prepared');
        host.send({ type: 'poll-open', id: 'together' });
        for (const c of everyone) assert.equal(await pollState(c, 'together'), 'open');
        fr.send({ type: 'poll-vote', id: 'together', answer: { value: 5 } });
        ar.send({ type: 'poll-vote', id: 'together', answer: { value: 4 } });
        fr2.send({ type: 'poll-vote', id: 'together', answer: { value: 5 } });
        host.send({ type: 'poll-vote', id: 'together', answer: { value: 1 } });
        host.send({ type: 'poll-vote', id: 'together', answer: { value: 3 } });
        await settle(...everyone);
        await new Promise((r) => setTimeout(r, 700));
        for (const c of everyone) assert.deepEqual(c.take('poll-result').filter((m) => m.result.pollId === 'together'), []);
        host.send({ type: 'poll-close', id: 'together' });
        for (const c of everyone) {
          assert.equal(await pollState(c, 'together'), 'closed');
          const result = await resultWhere(c, 'together', () => true);
          assert.deepEqual(result.counts, { 1: 0, 2: 0, 3: 1, 4: 1, 5: 2 });
          assert.equal(result.voters, 4);
          assert.deepEqual(result.byLanguage?.en, { 1: 0, 2: 0, 3: 1, 4: 0, 5: 0 });
        }

        // Closed: no more ballots, stored or counted.
        ar.send({ type: 'poll-vote', id: 'together', answer: { value: 1 } });
        assert.equal((await ar.next('error')).code, 'forbidden');
        host.send({ type: 'poll-open', id: 'together' });
        assert.equal((await host.next('error')).code, 'forbidden');

        // A newcomer (through the other process when there are two) sees the polls opened so far,
        // with their counts; the prepared one only a host sees.
        host.send({ type: 'poll-create', poll: { ...FUTURE, id: 'later' } });
        assert.equal(await pollState(host, 'later'), 'prepared');
        const late = await deployment.connect();
        const welcome = await late.join(room, 'Late');
        assert.deepEqual(
          welcome.polls?.map((p) => [p.poll.id, p.state, p.result?.voters]),
          [
            ['future', 'open', 3],
            ['together', 'closed', 4],
          ],
        );

        // A member made host sees the prepared poll then.
        host.send({ type: 'set-role', id: frWelcome.self.id, role: 'host' });
        const promoted = await fr.next('poll');
        assert.deepEqual([promoted.poll.id, promoted.state], ['later', 'prepared']);

        // In the database: pseudonyms, never a member's id or name.
        const { default: pg } = await import('pg');
        const db = new pg.Client({ connectionString: postgres.url });
        await db.connect();
        try {
          const { rows } = await db.query<{ voter: string }>('SELECT voter FROM poll_ballots WHERE room = $1', [room]);
          assert.equal(rows.length, 7);
          const ids = [frWelcome, arWelcome, fr2Welcome].map((w) => w.self.id).concat(arWelcome.peers.map((p) => p.id));
          for (const row of rows) {
            assert.match(row.voter, /^[A-Za-z0-9_-]{43}$/);
            assert.ok(!ids.includes(row.voter) && !['Host', 'Fr', 'Ar', 'Fr2'].includes(row.voter));
          }
        } finally {
          await db.end();
        }
      } finally {
        await deployment.close();
      }
    });
  });
}

test('polls and ballots are validated: types, options, limits, answers, other rooms', async () => {
  const deployment = await deploy('one process', { database: postgres.url });
  try {
    const host = await deployment.connect();
    await host.join('polls-limits', 'Host');
    const poll = (over: Record<string, unknown> = {}) => ({ id: 'p', type: 'single', question: { en: 'Which?' }, options: [{ id: 'a', label: { en: 'A' } }, { id: 'b', label: { en: 'B' } }], ...over });
    const options = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `o${i}`, label: { en: `Option ${i}` } }));
    const bad: unknown[] = [
      poll({ type: 'poll' }),
      poll({ id: 'a b' }),
      poll({ question: {} }),
      poll({ question: { en: 'x'.repeat(501) } }),
      poll({ question: { 'not a tag!': 'x' } }),
      poll({ question: { en: '\u202e\u200b ' } }),
      poll({ options: options(13) }),
      poll({ options: options(1) }),
      poll({ options: [{ id: 'a', label: { en: 'A' } }, { id: 'a', label: { en: 'B' } }] }),
      poll({ options: [{ id: 'a', label: { en: 'A' } }, { id: 'b', label: { en: '' } }] }),
      poll({ type: 'multiple', min: 2, max: 1 }),
      poll({ type: 'multiple', max: 3 }),
      poll({ type: 'multiple', min: 0 }),
      poll({ type: 'scale', options: undefined, min: 0 }),
      poll({ type: 'scale', options: undefined, max: 6 }),
      poll({ type: 'scale', options: undefined, min: 3, max: 3 }),
      poll({ type: 'scale' }),
      poll({ type: 'open', options: undefined, max: 281 }),
      poll({ type: 'open', options: undefined, max: 0 }),
      poll({ type: 'open', options: undefined, min: 1, max: 10 }),
      poll({ results: 'never' }),
      poll({ ends: { min: { en: 'Low' }, max: { en: 'High' } } }),
      poll({ type: 'scale', options: undefined, ends: { min: { en: 'Low' } } }),
      poll({ shuffle: false }),
      poll({ shuffle: 'yes' }),
      poll({ type: 'open', options: undefined, shuffle: true }),
      poll({ type: 'ranking', other: true }),
      poll({ other: 'yes' }),
      poll({ other: true, options: [{ id: 'other', label: { en: 'A' } }, { id: 'b', label: { en: 'B' } }] }),
      'poll',
    ];
    for (const p of bad) {
      host.send({ type: 'poll-create', poll: p });
      assert.equal((await host.next('error')).code, 'bad-message', JSON.stringify(p).slice(0, 100));
    }

    // The bidi override is taken out of a question; a poll without an id gets one.
    host.send({ type: 'poll-create', poll: poll({ id: undefined, question: { en: 'a\u202eb', ar: 'ب'.repeat(500) } }) });
    const named = await host.next('poll');
    assert.deepEqual(named.poll.question, { en: 'a b', ar: 'ب'.repeat(500) });
    assert.match(named.poll.id, /^p[0-9a-f]{12}$/);
    // Shuffled for each reader: said in the poll as everyone gets it.
    host.send({ type: 'poll-create', poll: poll({ id: 'shuffled', type: 'ranking', shuffle: true }) });
    assert.equal((await host.next('poll')).poll.shuffle, true);

    host.send({ type: 'poll-create', poll: poll({ type: 'multiple', min: 1, max: 2, options: options(3) }) });
    await host.next('poll');
    host.send({ type: 'poll-vote', id: 'p', answer: { optionIds: ['o0'] } });
    assert.equal((await host.next('error')).code, 'forbidden', 'not open yet');
    host.send({ type: 'poll-open', id: 'p' });
    await host.next('poll');
    host.send({ type: 'poll-create', poll: poll() });
    assert.equal((await host.next('error')).code, 'bad-message', 'an open poll is not prepared again');

    const badAnswers: unknown[] = [
      { optionIds: ['o0', 'o1', 'o2'] },
      { optionIds: ['zz'] },
      { optionIds: [] },
      { optionIds: ['o0', 'o0'] },
      { optionIds: 'o0' },
      { value: 3 },
      { optionIds: ['o0'], text: 'also' },
      { text: 'hello' },
      'o0',
      null,
    ];
    for (const answer of badAnswers) {
      host.send({ type: 'poll-vote', id: 'p', answer });
      assert.equal((await host.next('error')).code, 'bad-message', JSON.stringify(answer));
    }
    host.send({ type: 'poll-vote', id: 'nope', answer: { optionIds: ['o0'] } });
    assert.equal((await host.next('error')).code, 'bad-message', 'no such poll');

    // Another room's poll, by its id, is no poll of this room.
    const stranger = await deployment.connect();
    await stranger.join('polls-elsewhere', 'Stranger');
    stranger.send({ type: 'poll-vote', id: 'p', answer: { optionIds: ['o0'] } });
    assert.equal((await stranger.next('error')).code, 'bad-message');
    stranger.send({ type: 'poll-close', id: 'p' });
    assert.equal((await stranger.next('error')).code, 'bad-message');

    host.send({ type: 'poll-vote', id: 'p', answer: { optionIds: ['o2', 'o0'] } });
    const counted = await resultWhere(host, 'p', (r) => r.voters === 1);
    assert.deepEqual(counted.counts, { o0: 1, o1: 0, o2: 1 });
    assert.equal((await host.next('poll-voted')).id, 'p', 'the voter is told its ballot is stored');

    // Open and word answers: lengths, word counts; words counted lower-cased, each once a ballot.
    const words = await deployment.connect();
    await words.join('polls-words', 'Words');
    words.send({ type: 'poll-create', poll: { id: 'w', type: 'words', question: { en: 'One word?' } } });
    await words.next('poll');
    words.send({ type: 'poll-create', poll: { id: 'o', type: 'open', question: { en: 'Advice?' } } });
    await words.next('poll');
    for (const id of ['w', 'o']) {
      words.send({ type: 'poll-open', id });
      await words.next('poll');
    }
    for (const [id, text] of [
      ['w', 'one two three four'],
      ['w', 'x'.repeat(41)],
      ['w', ' \u200b '],
      ['o', 'x'.repeat(281)],
      ['o', '\u202e'],
    ] as const) {
      words.send({ type: 'poll-vote', id, answer: { text } });
      assert.equal((await words.next('error')).code, 'bad-message', `${id}: ${text.slice(0, 20)}`);
    }
    words.send({ type: 'poll-vote', id: 'w', answer: { text: 'Peace  PEACE\u202e climate' } });
    assert.deepEqual((await resultWhere(words, 'w', (r) => r.voters === 1)).counts, { climate: 1, peace: 1 });
    // Words that are names of Object's own properties count like any other.
    const other = await deployment.connect();
    await other.join('polls-words', 'Other');
    other.send({ type: 'poll-vote', id: 'w', answer: { text: 'constructor __proto__ toString' } });
    assert.deepEqual(
      Object.entries((await resultWhere(words, 'w', (r) => r.voters === 2)).counts).sort(),
      [['__proto__', 1], ['climate', 1], ['constructor', 1], ['peace', 1], ['tostring', 1]],
    );
    words.send({ type: 'poll-vote', id: 'o', answer: { text: `${'y'.repeat(278)}\u200bz` } });
    assert.deepEqual((await resultWhere(words, 'o', (r) => r.voters === 1)).counts, {}, 'open texts stay out of the counts');
    // An open answer may be kept shorter than 280 characters (the UN75 survey's advice: 140).
    const brief = await deployment.connect();
    await brief.join('polls-brief', 'Brief');
    brief.send({ type: 'poll-create', poll: { id: 's', type: 'open', max: 10, question: { en: 'In ten characters?' } } });
    assert.equal((await brief.next('poll')).poll.max, 10);
    brief.send({ type: 'poll-open', id: 's' });
    await brief.next('poll');
    brief.send({ type: 'poll-vote', id: 's', answer: { text: 'x'.repeat(11) } });
    assert.equal((await brief.next('error')).code, 'bad-message');
    brief.send({ type: 'poll-vote', id: 's', answer: { text: 'x'.repeat(10) } });
    assert.equal((await brief.next('poll-voted')).id, 's');

    // "Other": one more choice, with one's own words (1–280 characters), counted as "other" and the
    // words kept out of the counts.
    words.send({ type: 'poll-create', poll: { id: 'm', type: 'multiple', max: 2, other: true, question: { en: 'Priorities?' }, options: [{ id: 'a', label: { en: 'A' } }, { id: 'b', label: { en: 'B' } }] } });
    assert.equal((await words.next('poll')).poll.other, true);
    words.send({ type: 'poll-open', id: 'm' });
    await words.next('poll');
    for (const answer of [{ optionIds: ['other'] }, { optionIds: ['other'], text: ' \u200b ' }, { optionIds: ['other'], text: 'x'.repeat(281) }, { optionIds: ['a'], text: 'not other' }, { optionIds: ['a', 'b', 'other'], text: 'three' }]) {
      words.send({ type: 'poll-vote', id: 'm', answer });
      assert.equal((await words.next('error')).code, 'bad-message', JSON.stringify(answer).slice(0, 60));
    }
    words.send({ type: 'poll-vote', id: 'm', answer: { optionIds: ['other', 'a'], text: 'Clean water' } });
    assert.deepEqual((await resultWhere(words, 'm', (r) => r.voters === 1)).counts, { a: 1, b: 0, other: 1 });

    // The un75-survey template: five polls prepared in order, in the six UN languages; the scale has end labels.
    const survey = await deployment.connect();
    await survey.join('polls-survey', 'Survey');
    survey.send({ type: 'poll-create', template: 'nope' });
    assert.equal((await survey.next('error')).code, 'bad-message');
    survey.send({ type: 'poll-create', template: 'un75-survey' });
    const prepared = [];
    for (let i = 0; i < 5; i++) prepared.push(await survey.next('poll'));
    assert.deepEqual(
      prepared.map((m) => [m.poll.id, m.poll.type, m.state]),
      [
        ['un75-2045', 'single', 'prepared'],
        ['un75-priorities', 'multiple', 'prepared'],
        ['un75-trends', 'multiple', 'prepared'],
        ['un75-together', 'scale', 'prepared'],
        ['un75-advice', 'open', 'prepared'],
      ],
    );
    for (const m of prepared) assert.deepEqual(Object.keys(m.poll.question).sort(), ['ar', 'en', 'es', 'fr', 'ru', 'zh']);
    assert.deepEqual(prepared[3]!.poll.ends?.max.en, 'Very important');
    assert.equal(prepared[4]!.poll.max, 140, 'advice in 140 characters, as in 2020');

    // A room holds at most ten polls.
    const many = await deployment.connect();
    await many.join('polls-many', 'Many');
    for (let i = 0; i < 10; i++) {
      many.send({ type: 'poll-create', poll: poll({ id: `m${i}` }) });
      await many.next('poll');
    }
    many.send({ type: 'poll-create', poll: poll({ id: 'm10' }) });
    assert.equal((await many.next('error')).code, 'bad-message');
  } finally {
    await deployment.close();
  }
});

test('a raw socket stuffing 200 ballots counts as one voter, and is refused past its budget', async () => {
  const deployment = await deploy('one process', { database: postgres.url });
  try {
    const host = await deployment.connect();
    await host.join('polls-stuffing', 'Host');
    host.send({ type: 'poll-create', poll: FUTURE });
    await host.next('poll');
    host.send({ type: 'poll-open', id: 'future' });
    await host.next('poll');
    const stuffer = await deployment.connect();
    assert.equal((await stuffer.join('polls-stuffing', 'Stuffer')).polls?.[0]?.state, 'open');
    const ids = ['better', 'worse', 'same'];
    for (let i = 0; i < 200; i++) stuffer.ws.send(JSON.stringify({ type: 'poll-vote', id: 'future', answer: { optionIds: [ids[i % 3]] } }));
    await settle(stuffer);
    // Ballots still queued behind the database writes: give them time to be answered.
    await new Promise((r) => setTimeout(r, 1500));
    const refused = stuffer.take('error');
    assert.ok(refused.length >= 150, `${refused.length} refused`);
    assert.ok(refused.every((e) => e.code === 'rate-limited'), JSON.stringify(refused.find((e) => e.code !== 'rate-limited')));
    host.take('poll-result');
    host.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['better'] } });
    const result = await resultWhere(host, 'future', (r) => r.voters === 2);
    assert.equal(Object.values(result.counts).reduce((a, b) => a + b, 0), 2);
    assert.equal(stuffer.closeCode, null, 'refused, not disconnected');
  } finally {
    await deployment.close();
  }
});

test('with join tokens, a person who leaves and comes back (same subject, new member) still has one ballot', async () => {
  const secret = 'a-test-secret-that-is-long-enough-for-hs256!';
  const key = new TextEncoder().encode(secret);
  const token = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
  const deployment = await deploy('one process', { database: postgres.url, jwtSecret: secret });
  try {
    const host = await deployment.connect();
    await host.join('polls-jwt', 'H', { token: await token({ room: 'polls-jwt', role: 'host', sub: 'chair' }) });
    host.send({ type: 'poll-create', poll: FUTURE });
    await host.next('poll');
    host.send({ type: 'poll-open', id: 'future' });
    await host.next('poll');
    const pat = await deployment.connect();
    const first = await pat.join('polls-jwt', 'P', { token: await token({ room: 'polls-jwt', sub: 'pat' }) });
    pat.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['worse'] } });
    await resultWhere(host, 'future', (r) => r.voters === 1);
    pat.send({ type: 'leave' });
    await host.next('peer-left');
    const again = await deployment.connect();
    const second = await again.join('polls-jwt', 'P', { token: await token({ room: 'polls-jwt', sub: 'pat' }) });
    assert.notEqual(second.self.id, first.self.id);
    again.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['better'] } });
    const result = await resultWhere(host, 'future', (r) => r.counts.better === 1);
    assert.deepEqual([result.voters, result.counts.worse], [1, 0]);
  } finally {
    await deployment.close();
  }
});

test('a server killed mid-poll and started again on the same --data-dir (PGlite) still has every ballot', async () => {
  const dir = mkdtempSync(`${tmpdir()}/un75-data-`);
  let server = await spawnServer(['--data-dir', dir], PGLITE_START_MS);
  try {
    const host = await TestClient.connect(server.wsUrl);
    await host.join('kept-poll', 'Host', { state: { spokenLanguage: 'en' } });
    host.send({ type: 'poll-create', poll: FUTURE });
    await host.next('poll', 30_000);
    host.send({ type: 'poll-open', id: 'future' });
    await host.next('poll', 30_000);
    const voters = [host];
    for (const [name, lang] of [
      ['Fr', 'fr'],
      ['Ar', 'ar'],
    ]) {
      const c = await TestClient.connect(server.wsUrl);
      await c.join('kept-poll', name!, { state: { spokenLanguage: lang } });
      voters.push(c);
    }
    voters[0]!.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['better'] } });
    voters[1]!.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['better'] } });
    voters[2]!.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['worse'] } });
    await resultWhere(host, 'future', (r) => r.voters === 3, 30_000);
    await server.stop('SIGKILL');

    server = await spawnServer(['--data-dir', dir], PGLITE_START_MS);
    const back = await TestClient.connect(server.wsUrl);
    const welcome = await back.join('kept-poll', 'Back', { state: { spokenLanguage: 'es' } });
    assert.equal(welcome.self.role, 'host');
    const [view] = welcome.polls ?? [];
    assert.equal(view?.state, 'open');
    assert.deepEqual(view?.result?.counts, { better: 2, worse: 1, same: 0 });
    back.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['same'] } });
    assert.equal((await resultWhere(back, 'future', (r) => r.voters === 4, 30_000)).byLanguage?.es?.same, 1);
    back.send({ type: 'poll-close', id: 'future' });
    assert.equal((await back.next('poll', 30_000)).state, 'closed');
    back.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
