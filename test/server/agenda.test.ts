// The agenda (design §8), server-authoritative: on one process and on two over a real Redis, kept
// in a real PostgreSQL (shared by the processes) and, for one process, in PGlite under --data-dir,
// through a restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { budgetAnswers, DEPLOYMENTS, compileServer, deploy, settle, spawnServer, startPostgres, TestClient } from './helpers.js';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
before(async () => {
  [postgres] = await Promise.all([startPostgres(), compileServer()]);
});
after(async () => {
  await postgres?.stop();
});

/** PGlite makes its database (initdb in WebAssembly) on first start: seconds, more on a loaded machine. */
const PGLITE_START_MS = 240_000;
const FUTURE = 'What kind of future do we want to create?';

for (const kind of DEPLOYMENTS) {
  describe(`agenda (${kind})`, () => {
    test('a host sets the un75 agenda and moves it on; a participant may not; a newcomer is welcomed with the current item', async () => {
      const deployment = await deploy(kind, { database: postgres.url });
      try {
        const room = `agenda-${kind.length}`;
        const host = await deployment.connect();
        const welcome = await host.join(room, 'Host');
        assert.equal(welcome.self.role, 'host');
        assert.equal(welcome.agenda, undefined, 'no agenda yet');
        const guest = await deployment.connect();
        await guest.join(room, 'Guest');
        await host.next('peer-joined');

        guest.send({ type: 'agenda-set', template: 'un75' });
        assert.equal((await guest.next('error')).code, 'forbidden');
        guest.send({ type: 'agenda-next' });
        assert.equal((await guest.next('error')).code, 'forbidden');

        host.send({ type: 'agenda-set', template: 'un75' });
        for (const client of [host, guest]) {
          const agenda = await client.next('agenda');
          assert.equal(agenda.items.length, 3);
          assert.equal(agenda.current, 0);
          assert.equal(agenda.items[0]!.prompt.en, FUTURE);
          assert.deepEqual(Object.keys(agenda.items[0]!.prompt).sort(), ['ar', 'en', 'es', 'fr', 'ru', 'zh']);
          assert.ok(Math.abs(agenda.startedAt - Date.now()) < 10_000);
        }
        host.send({ type: 'agenda-next' });
        for (const client of [host, guest]) assert.equal((await client.next('agenda')).current, 1);

        // A newcomer, through the other process when there are two, sees where the room is.
        const late = await deployment.connect();
        const lateWelcome = await late.join(room, 'Late');
        assert.equal(lateWelcome.agenda?.current, 1);
        assert.equal(lateWelcome.agenda?.items[1]!.prompt.fr, 'Sommes-nous sur la bonne voie ?');

        // At the last item, "next" changes nothing: the host is told where the room stands.
        host.send({ type: 'agenda-next' });
        for (const client of [host, guest, late]) assert.equal((await client.next('agenda')).current, 2);
        host.send({ type: 'agenda-next' });
        assert.equal((await host.next('agenda')).current, 2);
        await settle(guest, late);
        assert.deepEqual([guest.take('agenda'), late.take('agenda')], [[], []]);

        // A partner's own agenda, with a language missing: kept as written (the reader's view labels it).
        const items = [{ id: 'q1', minutes: 5, prompt: { en: 'Where do we start?', fr: 'Par où commencer ?' } }];
        host.send({ type: 'agenda-set', items });
        for (const client of [host, guest, late]) assert.deepEqual((await client.next('agenda')).items, items);
      } finally {
        await deployment.close();
      }
    });
  });
}

test('agendas are validated and budgeted: count, length, minutes, ids, templates', async () => {
  const deployment = await deploy('one process', { database: postgres.url });
  try {
    const host = await deployment.connect();
    await host.join('agenda-limits', 'Host');
    const item = (over: Record<string, unknown> = {}) => ({ id: 'a', minutes: 10, prompt: { en: 'Why?' }, ...over });
    const bad: unknown[] = [
      Array.from({ length: 21 }, (_, i) => item({ id: `i${i}` })),
      [item({ prompt: { en: 'x'.repeat(501) } })],
      [item({ minutes: 0 })],
      [item({ minutes: 241 })],
      [item({ minutes: 2.5 })],
      [item(), item()],
      [item({ id: 'a b' })],
      [item({ prompt: {} })],
      [item({ prompt: { 'not a tag!': 'x' } })],
      [item({ prompt: { en: '\u202e\u200b ' } })],
      'items',
    ];
    for (const items of bad) {
      host.send({ type: 'agenda-set', items });
      assert.equal((await host.next('error')).code, 'bad-message', JSON.stringify(items).slice(0, 80));
    }
    host.send({ type: 'agenda-set', template: '__proto__' });
    assert.equal((await host.next('error')).code, 'bad-message');
    host.send({ type: 'agenda-set', template: 'constructor' });
    assert.equal((await host.next('error')).code, 'bad-message');
    // Twenty items of 500 characters in one language fit; the bidi override is taken out.
    host.send({ type: 'agenda-set', items: [item({ prompt: { en: 'a\u202eb', ar: 'ب'.repeat(500) } })] });
    assert.deepEqual((await host.next('agenda')).items[0]!.prompt, { en: 'a b', ar: 'ب'.repeat(500) });
  } finally {
    await deployment.close();
  }
});

test('a host moving the agenda on in a loop is held to a budget: the database is written a few times, not forty', async () => {
  const deployment = await deploy('one process', { database: postgres.url });
  try {
    const host = await deployment.connect();
    await host.join('agenda-flood', 'Host');
    for (let i = 0; i < 40; i++) host.send({ type: 'agenda-set', items: [{ id: `q${i}`, minutes: 5, prompt: { en: `Question ${i}` } }] });
    const { ok: answered, refused } = await budgetAnswers(host, 'agenda', 40);
    assert.ok(answered >= 20 && answered <= 21, `the burst (COSTLY_REQUESTS) is written (${answered})`);
    assert.equal(answered + refused, 40, `the rest is refused with rate-limited (${refused})`);
  } finally {
    await deployment.close();
  }
});

test('a server killed and started again on the same --data-dir (PGlite) still has the agenda', async () => {
  const dir = mkdtempSync(`${tmpdir()}/un75-data-`);
  let server = await spawnServer(['--data-dir', dir], PGLITE_START_MS);
  try {
    const host = await TestClient.connect(server.wsUrl);
    await host.join('kept', 'Host');
    host.send({ type: 'agenda-set', template: 'un75' });
    await host.next('agenda', 30_000);
    host.send({ type: 'agenda-next' });
    const { startedAt } = await host.next('agenda', 30_000);
    await server.stop('SIGKILL');
    server = await spawnServer(['--data-dir', dir], PGLITE_START_MS);
    const again = await TestClient.connect(server.wsUrl);
    const welcome = await again.join('kept', 'Back');
    assert.equal(welcome.agenda?.current, 1);
    assert.equal(welcome.agenda?.startedAt, startedAt);
    assert.equal(welcome.agenda?.items[1]!.prompt.ar, 'هل نحن على المسار الصحيح؟');
    again.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two processes over Redis, both restarted on the same --database, still have the agenda', async () => {
  const first = await deploy('two processes over Redis', { database: postgres.url });
  let deployment = first;
  try {
    const host = await deployment.connect();
    await host.join('kept-shared', 'Host');
    host.send({ type: 'agenda-set', template: 'un75' });
    assert.equal((await host.next('agenda')).current, 0);
    await deployment.close();
    deployment = await deploy('two processes over Redis', { database: postgres.url });
    const [a, b] = [await deployment.connect(), await deployment.connect()];
    const [wa, wb] = [await a.join('kept-shared', 'A'), await b.join('kept-shared', 'B')];
    assert.equal(wa.agenda?.items[0]!.prompt.en, FUTURE);
    assert.equal(wb.agenda?.items[0]!.prompt.en, FUTURE);
  } finally {
    await deployment.close();
  }
});
