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
        assert.deepEqual(await store.migrations(), [1, 2, 3, 4, 5]);
        assert.equal(await store.agenda('r1'), null);
        const set = await store.setAgenda('r1', items, 1000);
        assert.deepEqual(set, { items, current: 0, startedAt: 1000, version: 1 });
      } finally {
        await store.close();
      }
      // Opened again (a restarted server): migrations are not applied twice, the agenda is there.
      store = await Store.open(target());
      try {
        assert.deepEqual(await store.migrations(), [1, 2, 3, 4, 5]);
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
        assert.equal(await store.castBallots('r2', 'q', [{ voter: 'v1', answer: { optionIds: ['a'] }, lang: 'en' }]), false, 'not open yet');
        assert.equal((await store.movePoll('r2', 'q', 'prepared', 'open'))?.state, 'open');
        assert.equal(await store.movePoll('r2', 'q', 'prepared', 'open'), null);
        assert.equal(await store.preparePoll('r2', poll, 8, 3000, limits), 'not-prepared');
        assert.equal(await store.castBallots('r2', 'q', [{ voter: 'v1', answer: { optionIds: ['a'] }, lang: 'en' }]), true);
        assert.equal(await store.castBallots('r2', 'q', [{ voter: 'v1', answer: { optionIds: ['b'] }, lang: 'fr' }]), true);
        assert.equal(await store.castBallots('r2', 'q', [{ voter: 'v2', answer: { optionIds: ['b'] }, lang: 'ar' }]), true);
        assert.equal(await store.castBallots('r3', 'q', [{ voter: 'v3', answer: { optionIds: ['b'] }, lang: 'ar' }]), false, 'another room');
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
        assert.equal(await store.castBallots('r2', 'q', [{ voter: 'v1', answer: { optionIds: ['a'] }, lang: 'en' }]), false, 'closed');
        const listed = (await store.polls('r2')).map((p) => p.poll.id);
        assert.equal(listed.length, 3);
        assert.equal(listed[0], 'q', 'in the order they were first prepared');
        assert.deepEqual(await store.secret('poll-pseudonyms'), secret);
      } finally {
        await store.close();
      }
    });

    test('ideas: room and author limits under concurrency, one idea per poll answer, translations once and never for an old text, one vote per pseudonym, hidden and merged take none, merges one level deep, every idea listed', async () => {
      const store = await Store.open(target());
      try {
        const idea = (id: string, author: string, text = `Idea ${id}`) => ({ id, lang: 'fr', text, author, source: 'idea' as const });
        const limits = { room: 3, perAuthor: 2 };
        const first = await store.addIdea('i1', idea('a', 'p1'), 1000, limits);
        assert.ok(typeof first != 'string');
        assert.deepEqual(first.stored.idea, { id: 'a', text: { fr: 'Idea a' }, lang: 'fr', machine: [], agree: 0, pass: 0, disagree: 0, consensus: false, source: 'idea', created: 1000 });
        assert.equal(await store.addIdea('i1', idea('b', 'p1'), 1001, limits).then((r) => typeof r), 'object');
        assert.equal(await store.addIdea('i1', idea('c', 'p1'), 1002, limits), 'author-full');
        // Two people at once past the room's limit: one of the two is refused.
        const racing = await Promise.all(['p2', 'p3'].map((p, i) => store.addIdea('i1', idea(`r${i}`, p), 1003, limits)));
        assert.equal(racing.filter((r) => r === 'full').length, 1);

        // An open answer: one idea per author and poll, replaced with its text; the same text changes nothing.
        const answer = { id: 'o1', lang: 'fr', text: 'Écouter', author: 'p4', source: 'poll' as const, pollId: 'advice' };
        const big = { room: 10, perAuthor: 2 };
        const made = await store.addIdea('i2', answer, 2000, big);
        assert.ok(typeof made != 'string' && made.changed);
        assert.ok(await store.voteIdea('i2', 'o1', 'v1', 1, 'en'));
        const same = await store.addIdea('i2', { ...answer, id: 'o2' }, 2001, big);
        assert.ok(typeof same != 'string' && !same.changed && same.stored.idea.id === 'o1');
        const replaced = await store.addIdea('i2', { ...answer, id: 'o3', text: 'Écouter les jeunes' }, 2002, big);
        assert.ok(typeof replaced != 'string' && replaced.changed);
        assert.deepEqual([replaced.stored.idea.id, replaced.stored.idea.text, replaced.stored.idea.agree], ['o1', { fr: 'Écouter les jeunes' }, 0], 'votes for the old words gone');

        // Translations: once per language, never for a text that changed meanwhile.
        assert.equal(await store.addTranslation('i2', 'o1', { lang: 'fr', text: 'Écouter' }, 'en', 'Listen'), null, 'an old text');
        const en = await store.addTranslation('i2', 'o1', { lang: 'fr', text: 'Écouter les jeunes' }, 'en', 'Listen to the young');
        assert.deepEqual([en?.idea.text.en, en?.idea.machine], ['Listen to the young', ['en']]);
        assert.equal(await store.addTranslation('i2', 'o1', { lang: 'fr', text: 'Écouter les jeunes' }, 'en', 'Again'), null, 'once');
        // Never past the 16 languages a text may hold (a browser would refuse the idea).
        const tags = ['ar', 'zh', 'es', 'ru', 'de', 'it', 'pt', 'ja', 'ko', 'hi', 'sw', 'tr', 'pl', 'nl', 'sv'];
        const added = [];
        for (const tag of tags) added.push(await store.addTranslation('i2', 'o1', { lang: 'fr', text: 'Écouter les jeunes' }, tag, `[${tag}]`));
        assert.deepEqual(added.map((a) => a !== null), [...Array(14).fill(true), false]);
        assert.equal(Object.keys((await store.idea('i2', 'o1'))!.idea.text).length, 16);

        // Votes: one per pseudonym (replaced), counted by language group for consensus.
        for (const [voter, vote, lang] of [['v1', 1, 'fr'], ['v2', 1, 'ar'], ['v1', -1, 'fr-CA'], ['v1', 1, 'fr']] as const) assert.ok(await store.voteIdea('i1', 'a', voter, vote, lang));
        assert.equal(await store.voteIdea('i9', 'a', 'v3', 1, 'en'), false, 'another room');
        const counted = await store.idea('i1', 'a');
        assert.deepEqual([counted?.idea.agree, counted?.idea.disagree, counted?.idea.consensus], [2, 0, true]);

        // Hidden and merged: no votes; merges one level deep, never into itself.
        assert.equal((await store.hideIdea('i1', 'b', true))?.hidden, true);
        assert.equal(await store.voteIdea('i1', 'b', 'v1', 1, 'fr'), false);
        assert.equal((await store.hideIdea('i1', 'b', false))?.hidden, false);
        assert.equal(await store.mergeIdea('i1', 'a', 'a'), 'self');
        assert.equal(await store.mergeIdea('i1', 'a', 'nope'), 'unknown');
        const merged = await store.mergeIdea('i1', 'b', 'a');
        assert.deepEqual(typeof merged != 'string' && merged.map((m) => [m.idea.id, m.idea.mergedInto]), [['b', 'a']]);
        assert.equal(await store.voteIdea('i1', 'b', 'v1', 1, 'fr'), false);
        const survivor = racing.map((r) => (typeof r != 'string' ? r.stored.idea.id : '')).find(Boolean)!;
        assert.equal(await store.mergeIdea('i1', survivor, 'b'), 'self', 'not into a merged idea');
        const moved = await store.mergeIdea('i1', 'a', survivor);
        assert.deepEqual(typeof moved != 'string' && moved.map((m) => m.idea.id).sort(), ['a', 'b'], 'what was merged into it follows');

        const records = await store.listIdeas('i1');
        assert.equal(records.length, 3);
        assert.ok(records.every((r) => typeof r.hidden == 'boolean' && !Number.isNaN(Date.parse(r.created))));
      } finally {
        await store.close();
      }
    });
  });
}
