// The storage layer on both of its backends: the same schema, migrations and statements on an
// embedded PGlite (in memory and in a folder) and on a real PostgreSQL server started for the test.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { AgendaItem } from '../../src/protocol/agenda.js';
import type { Poll } from '../../src/protocol/polls.js';
import { Store, type StoreTarget } from '../../server/store.js';
import { startPostgres } from './helpers.js';

const items: AgendaItem[] = [
  { id: 'a', minutes: 10, prompt: { en: 'First?', ar: 'الأول؟' } },
  { id: 'b', minutes: 5, prompt: { en: 'Second?' } },
];

let postgres: Awaited<ReturnType<typeof startPostgres>>;
const dir = mkdtempSync(`${tmpdir()}/un75-store-`);
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const backends: Array<[string, () => StoreTarget]> = [
  ['PGlite', () => ({ kind: 'pglite', dataDir: dir })],
  ['PostgreSQL', () => ({ kind: 'postgres', url: postgres.url })],
];

for (const [name, target] of backends) {
  describe(`store on ${name}`, () => {
    test('migrates once, keeps an agenda across a reopen, advances atomically and stops at the last item', async () => {
      let store = await Store.open(target());
      try {
        assert.deepEqual(await store.migrations(), [1, 2, 5]);
        assert.equal(await store.agenda('r1'), null);
        const set = await store.setAgenda('r1', items, 1000);
        assert.deepEqual(set, { items, current: 0, startedAt: 1000, version: 1 });
      } finally {
        await store.close();
      }
      // Opened again (a restarted server): migrations are not applied twice, the agenda is there.
      store = await Store.open(target());
      try {
        assert.deepEqual(await store.migrations(), [1, 2, 5]);
        assert.deepEqual(await store.agenda('r1'), { items, current: 0, startedAt: 1000, version: 1 });
        const [x, y] = await Promise.all([store.nextItem('r1', 2000), store.nextItem('r1', 2001)]);
        // Two hosts at once: one moves to the last item, the other finds nothing after it.
        assert.deepEqual([x, y].filter(Boolean).map((a) => a!.current), [1]);
        assert.equal(await store.nextItem('r1', 3000), null);
        assert.equal(await store.nextItem('nobody', 3000), null);
        const reset = await store.setAgenda('r1', items.slice(0, 1), 4000);
        assert.deepEqual([reset.current, reset.startedAt, reset.version, reset.items.length], [0, 4000, 3, 1]);
      } finally {
        await store.close();
      }
    });

    test('polls: prepared, replaced while prepared, opened, closed; one ballot per pseudonym, only while open; limits under concurrency; a secret that stays', async () => {
      const poll: Poll = { id: 'q', type: 'single', question: { en: 'Which?' }, options: [{ id: 'a', label: { en: 'A' } }, { id: 'b', label: { en: 'B' } }], results: 'live' };
      const limits = { polls: 3, characters: 100 };
      let store = await Store.open(target());
      let secret;
      try {
        const first = await store.preparePoll('r2', poll, 8, 1000, limits);
        assert.deepEqual(first, { poll, state: 'prepared', version: 1, created: 1000 });
        const replaced = await store.preparePoll('r2', { ...poll, question: { en: 'Which one?' } }, 12, 2000, limits);
        assert.deepEqual(typeof replaced != 'string' && [replaced.version, replaced.created, replaced.poll.question.en], [2, 1000, 'Which one?']);
        assert.equal(await store.castBallot('r2', 'q', 'v1', { optionIds: ['a'] }, 'en'), false, 'not open yet');
        assert.equal((await store.movePoll('r2', 'q', 'prepared', 'open'))?.state, 'open');
        assert.equal(await store.movePoll('r2', 'q', 'prepared', 'open'), null);
        assert.equal(await store.preparePoll('r2', poll, 8, 3000, limits), 'not-prepared');
        assert.equal(await store.castBallot('r2', 'q', 'v1', { optionIds: ['a'] }, 'en'), true);
        assert.equal(await store.castBallot('r2', 'q', 'v1', { optionIds: ['b'] }, 'fr'), true);
        assert.equal(await store.castBallot('r2', 'q', 'v2', { optionIds: ['b'] }, 'ar'), true);
        assert.equal(await store.castBallot('r3', 'q', 'v3', { optionIds: ['b'] }, 'ar'), false, 'another room');
        // Two hosts at once past the room's limit: one of the two is refused.
        const racing = await Promise.all([0, 1, 2].map((i) => store.preparePoll('r2', { ...poll, id: `x${i}` }, 8, 4000, limits)));
        assert.deepEqual(racing.filter((r) => r === 'full').length, 1);
        assert.equal(await store.preparePoll('r2', { ...poll, id: 'big' }, 101, 5000, { polls: 10, characters: 100 }), 'full');
        secret = await store.secret('poll-pseudonyms');
        assert.equal(secret.length, 32);
      } finally {
        await store.close();
      }
      store = await Store.open(target());
      try {
        assert.deepEqual((await store.ballots('r2', poll)).sort((x, y) => x.lang.localeCompare(y.lang)), [
          { answer: { optionIds: ['b'] }, lang: 'ar' },
          { answer: { optionIds: ['b'] }, lang: 'fr' },
        ]);
        assert.equal((await store.movePoll('r2', 'q', 'open', 'closed'))?.version, 4);
        assert.equal(await store.castBallot('r2', 'q', 'v1', { optionIds: ['a'] }, 'en'), false, 'closed');
        const listed = (await store.polls('r2')).map((p) => p.poll.id);
        assert.equal(listed.length, 3);
        assert.equal(listed[0], 'q', 'in the order they were first prepared');
        assert.deepEqual(await store.secret('poll-pseudonyms'), secret);
      } finally {
        await store.close();
      }
    });
  });
}
