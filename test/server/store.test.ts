// The storage layer on both of its backends: the same schema, migrations and statements on an
// embedded PGlite (in memory and in a folder) and on a real PostgreSQL server started for the test.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { AgendaItem } from '../../src/protocol/agenda.js';
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
        assert.deepEqual(await store.migrations(), [1]);
        assert.equal(await store.agenda('r1'), null);
        const set = await store.setAgenda('r1', items, 1000);
        assert.deepEqual(set, { items, current: 0, startedAt: 1000, version: 1 });
      } finally {
        await store.close();
      }
      // Opened again (a restarted server): migrations are not applied twice, the agenda is there.
      store = await Store.open(target());
      try {
        assert.deepEqual(await store.migrations(), [1]);
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
  });
}
