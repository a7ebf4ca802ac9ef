// Ideas (design §8, issue 24 item 3), server-authoritative: on one process and on two over a real
// Redis, kept in a real PostgreSQL (shared by the processes) and, for one process, in PGlite under
// --data-dir, through a kill. Machine translation through the LibreTranslate mock (the real API);
// hostile input refused, counted, never stored half.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { Idea } from '../../src/protocol/ideas.js';
import { Store } from '../../server/store.js';
import { startLibreTranslate } from '../mocks/libretranslate.mjs';
import { DEPLOYMENTS, compileServer, deploy, settle, spawnServer, startPostgres, startTestServer, TestClient, waitFor } from './helpers.js';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let translator: Awaited<ReturnType<typeof startLibreTranslate>>;
before(async () => {
  [postgres, translator] = await Promise.all([startPostgres(), startLibreTranslate(0), compileServer()]);
});
after(async () => {
  await translator?.close();
  await postgres?.stop();
});

/** PGlite makes its database (initdb in WebAssembly) on first start: seconds, more on a loaded machine. */
const PGLITE_START_MS = 240_000;
const WAIT_MS = 30_000;

/** Waits for an `idea` frame about `id` (any id when undefined) that satisfies `ok`; ideas come in several steps (translations, counts). */
async function ideaWhere(client: TestClient, id: string | undefined, ok: (idea: Idea) => boolean, timeoutMs = WAIT_MS): Promise<Idea> {
  const deadline = Date.now() + timeoutMs;
  let last: Idea | undefined;
  for (;;) {
    const left = deadline - Date.now();
    const fail = () => new Error(`no matching idea${id ? ` "${id}"` : ''}; last: ${JSON.stringify(last)}`);
    if (left <= 0) throw fail();
    const { idea } = await client.next('idea', left).catch(() => {
      throw fail();
    });
    if (id !== undefined && idea.id !== id) continue;
    last = idea;
    if (ok(idea)) return idea;
  }
}

async function submitted(client: TestClient, text: string): Promise<string> {
  client.send({ type: 'idea-submit', text });
  const ok = await client.next('idea-ok', WAIT_MS);
  return ok.id;
}

async function errorCode(client: TestClient, message: unknown): Promise<string> {
  client.send(message);
  return (await client.next('error', WAIT_MS)).code;
}

const TREES = 'Planter des arbres dans chaque école';
const WATER = "L'eau potable pour tous avant 2030";

for (const kind of DEPLOYMENTS) {
  describe(`ideas (${kind})`, () => {
    test('an idea in French read in Arabic and English (machine translated, labelled); agree / pass / disagree, a vote replaced; consensus across language groups; a host merges and hides; a newcomer gets the ideas and its language', async () => {
      const deployment = await deploy(kind, { database: postgres.url, translationEndpoint: translator.url });
      try {
        const room = `ideas-${kind.length}`;
        const host = await deployment.connect();
        const hostWelcome = await host.join(room, 'Host', { state: { spokenLanguage: 'en' } });
        assert.equal(hostWelcome.self.role, 'host');
        const fr = await deployment.connect();
        const ids = [hostWelcome.self.id, (await fr.join(room, 'Fr', { state: { spokenLanguage: 'fr' } })).self.id];
        const ar = await deployment.connect();
        ids.push((await ar.join(room, 'Ar', { state: { spokenLanguage: 'ar' } })).self.id);
        const frCa = await deployment.connect();
        ids.push((await frCa.join(room, 'FrCa', { state: { spokenLanguage: 'fr-CA' } })).self.id);
        const everyone = [host, fr, ar, frCa];

        const id = await submitted(fr, TREES);
        for (const c of everyone) {
          const idea = await ideaWhere(c, id, (i) => i.text.ar !== undefined && i.text.en !== undefined);
          assert.equal(idea.lang, 'fr');
          assert.equal(idea.text.fr, TREES);
          assert.equal(idea.text.ar, `[ar] ${TREES}`, 'translated by the LibreTranslate mock from French');
          assert.deepEqual([...idea.machine].sort(), ['ar', 'en']);
          assert.equal(idea.source, 'idea');
          assert.equal(idea.text['fr-ca'], undefined, 'fr-CA reads the French original: one language group');
        }
        assert.ok(translator.requests.length >= 2);

        // Votes: everyone agrees (en, fr with fr-CA, ar: three language groups) → consensus.
        for (const c of everyone) c.send({ type: 'idea-vote', id, vote: 1 });
        for (const c of everyone) assert.equal((await c.next('idea-ok', WAIT_MS)).vote, 1);
        for (const c of everyone) {
          const idea = await ideaWhere(c, id, (i) => i.agree === 4);
          assert.deepEqual([idea.agree, idea.pass, idea.disagree, idea.consensus], [4, 0, 0, true]);
        }
        // fr-CA disagrees after all (its vote replaced, not added): the French group is split → no consensus.
        frCa.send({ type: 'idea-vote', id, vote: -1 });
        for (const c of everyone) {
          const idea = await ideaWhere(c, id, (i) => i.disagree === 1);
          assert.deepEqual([idea.agree, idea.pass, idea.disagree, idea.consensus], [3, 0, 1, false]);
        }
        // A pass is a vote that does not agree: fr-CA passes, French 1 of 2 agree → still none.
        frCa.send({ type: 'idea-vote', id, vote: 0 });
        assert.deepEqual(
          await ideaWhere(host, id, (i) => i.pass === 1).then((i) => [i.agree, i.pass, i.disagree, i.consensus]),
          [3, 1, 0, false],
        );

        // A second idea, merged by the host into the first: shown under it, its votes its own, no more votes.
        const water = await submitted(ar, WATER);
        await ideaWhere(host, water, () => true);
        ar.send({ type: 'idea-vote', id: water, vote: 1 });
        await ideaWhere(host, water, (i) => i.agree === 1);
        fr.send({ type: 'idea-merge', id: water, into: id });
        assert.equal((await fr.next('error', WAIT_MS)).code, 'forbidden', 'only hosts merge');
        host.send({ type: 'idea-merge', id: water, into: id });
        assert.equal((await host.next('idea-ok', WAIT_MS)).id, water);
        for (const c of everyone) assert.equal((await ideaWhere(c, water, (i) => i.mergedInto === id)).agree, 1);
        assert.equal(await errorCode(fr, { type: 'idea-vote', id: water, vote: 1 }), 'forbidden');
        assert.equal(await errorCode(host, { type: 'idea-merge', id, into: id }), 'bad-message');

        // Hidden: hosts still see it (marked), the others are told it is gone; no votes.
        host.send({ type: 'idea-hide', id, hidden: true });
        assert.equal((await ideaWhere(host, id, (i) => i.hidden === true)).hidden, true);
        for (const c of [fr, ar, frCa]) assert.equal((await c.next('idea-gone', WAIT_MS)).id, id);
        assert.equal(await errorCode(ar, { type: 'idea-vote', id, vote: -1 }), 'forbidden');
        assert.equal(await errorCode(ar, { type: 'idea-hide', id, hidden: false }), 'forbidden');
        // Made host, fr sees the hidden idea; host no more, it is gone for fr again.
        host.send({ type: 'set-role', id: ids[1], role: 'host' });
        assert.equal((await ideaWhere(fr, id, (i) => i.hidden === true)).hidden, true);
        host.send({ type: 'set-role', id: ids[1], role: 'participant' });
        assert.equal((await fr.next('idea-gone', WAIT_MS)).id, id);

        // A Spanish newcomer (on the other process, with two) gets the visible ideas after its
        // welcome, not the hidden one; its language is added to them.
        const es = await deployment.connect();
        await es.join(room, 'Es', { state: { spokenLanguage: 'es' } });
        const welcomeIdea = await ideaWhere(es, water, () => true);
        assert.equal(welcomeIdea.mergedInto, id);
        const spanish = await ideaWhere(es, water, (i) => i.text.es !== undefined);
        assert.equal(spanish.text.es, `[es] ${WATER}`);
        assert.equal(spanish.text.ar, WATER, 'the Arabic original');
        assert.ok(spanish.machine.includes('es') && !spanish.machine.includes('ar'));
        await settle(es);
        assert.deepEqual(es.received.filter((m) => m.type === 'idea' && m.idea.id === id), [], 'the hidden idea is not sent');
        assert.deepEqual(es.take('idea-gone').map((m) => m.id), [id], 'only that it is gone (for a member resuming)');

        // Shown again: everyone has it back.
        host.send({ type: 'idea-hide', id, hidden: false });
        for (const c of [fr, ar, frCa, es]) assert.equal((await ideaWhere(c, id, (i) => !i.hidden)).agree, 3);

        // The database: every idea of the room for the report, pseudonyms only.
        const store = await Store.open({ kind: 'postgres', url: postgres.url });
        try {
          const records = await store.listIdeas(room);
          assert.deepEqual(records.map((r) => r.id).sort(), [id, water].sort());
          const trees = records.find((r) => r.id === id)!;
          assert.equal(trees.hidden, false);
          assert.equal(trees.source, 'idea');
          assert.match(trees.created, /^\d{4}-\d\d-\d\dT/);
          assert.deepEqual([trees.agree, trees.pass, trees.disagree, trees.consensus], [3, 1, 0, false]);
          assert.equal(records.find((r) => r.id === water)!.mergedInto, id);
        } finally {
          await store.close();
        }
        // Authors and voters as pseudonyms, never a member's id or name.
        const { default: pg } = await import('pg');
        const db = new pg.Client({ connectionString: postgres.url });
        await db.connect();
        try {
          const votes = await db.query<{ voter: string }>('SELECT voter FROM idea_votes WHERE room = $1', [room]);
          const authors = await db.query<{ author: string }>('SELECT author FROM ideas WHERE room = $1', [room]);
          assert.equal(votes.rows.length, 5);
          const names = [...ids, 'Host', 'Fr', 'Ar', 'FrCa', 'Es'];
          for (const pseudonym of [...votes.rows.map((r) => r.voter), ...authors.rows.map((r) => r.author)]) {
            assert.match(pseudonym, /^[A-Za-z0-9_-]{43}$/);
            assert.ok(!names.includes(pseudonym));
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

test('a failing translator leaves the original, shown at once; the failure is counted and logged once', async () => {
  const lines: string[] = [];
  const server = await startTestServer({ database: postgres.url, translationEndpoint: translator.url, log: (l) => lines.push(l) });
  const deadLines: string[] = [];
  const dead = await startTestServer({ database: postgres.url, translationEndpoint: 'http://127.0.0.1:9/translate', log: (l) => deadLines.push(l) });
  try {
    const en = await TestClient.connect(server.wsUrl);
    await en.join('ideas-failing', 'En', { state: { spokenLanguage: 'en' } });
    const ar = await TestClient.connect(server.wsUrl);
    await ar.join('ideas-failing', 'Ar', { state: { spokenLanguage: 'ar' } });
    // The mock answers 500 to texts with "trigger-500", as a broken LibreTranslate does.
    const id = await submitted(en, 'Fund schools trigger-500');
    const first = await ideaWhere(ar, id, () => true);
    assert.deepEqual([first.text, first.machine], [{ en: 'Fund schools trigger-500' }, []]);
    const again = await submitted(en, 'Fund clinics trigger-500');
    await ideaWhere(ar, again, () => true);
    await waitFor(() => (server.stats().ideas?.translationFailures ?? 0) >= 2, WAIT_MS, 'two failures counted');
    assert.equal(lines.filter((l) => l.includes('machine translation failed')).length, 1, lines.join('\n'));
    // Nothing more came: the ideas stay in English, and the server still answers.
    await settle(ar);
    assert.deepEqual(ar.take('idea').filter((m) => m.idea.machine.length > 0), []);
    const fine = await submitted(en, 'Hello');
    assert.equal((await ideaWhere(ar, fine, (i) => i.text.ar !== undefined)).text.ar, 'مرحبا');

    // A translator that cannot be reached at all: the same.
    const a = await TestClient.connect(dead.wsUrl);
    await a.join('ideas-unreachable', 'A', { state: { spokenLanguage: 'en' } });
    const b = await TestClient.connect(dead.wsUrl);
    await b.join('ideas-unreachable', 'B', { state: { spokenLanguage: 'fr' } });
    const lone = await submitted(a, 'Clean rivers');
    assert.deepEqual((await ideaWhere(b, lone, () => true)).machine, []);
    await waitFor(() => (dead.stats().ideas?.translationFailures ?? 0) >= 1, WAIT_MS, 'the failure counted');
    assert.equal(deadLines.filter((l) => l.includes('machine translation failed')).length, 1, deadLines.join('\n'));
    for (const c of [en, ar, a, b]) c.close();
  } finally {
    await server.close();
    await dead.close();
  }
});

test('a reader who listens in another language than it speaks (idea-language) reads the ideas in it', async () => {
  const server = await startTestServer({ database: postgres.url, translationEndpoint: translator.url });
  try {
    const fr = await TestClient.connect(server.wsUrl);
    await fr.join('ideas-readers', 'Fr', { state: { spokenLanguage: 'fr' } });
    const early = await submitted(fr, 'Des bus gratuits');
    // Speaks English, reads Russian: nobody in the room speaks Russian.
    const reader = await TestClient.connect(server.wsUrl);
    await reader.join('ideas-readers', 'Reader', { state: { spokenLanguage: 'en' } });
    reader.send({ type: 'idea-language', lang: 'ru' });
    assert.equal((await ideaWhere(reader, early, (i) => i.text.ru !== undefined)).text.ru, '[ru] Des bus gratuits', 'an idea already there');
    const later = await submitted(fr, 'Des pistes cyclables');
    const idea = await ideaWhere(reader, later, (i) => i.text.ru !== undefined && i.text.en !== undefined);
    assert.deepEqual([...idea.machine].sort(), ['en', 'ru']);
    assert.equal(await errorCode(reader, { type: 'idea-language', lang: 'not a tag!' }), 'bad-message');
    fr.close();
    reader.close();
  } finally {
    await server.close();
  }
});

test('hostile input: over 280 characters, control and bidi characters, bad ids and votes, another room\'s idea: refused with a clear error, counted, nothing stored', async () => {
  const server = await startTestServer({ database: postgres.url });
  try {
    const host = await TestClient.connect(server.wsUrl);
    await host.join('ideas-hostile', 'Host', { state: { spokenLanguage: 'en' } });
    const other = await TestClient.connect(server.wsUrl);
    await other.join('ideas-elsewhere', 'Other', { state: { spokenLanguage: 'en' } });
    const foreign = await submitted(other, 'An idea of another room');

    const bad: Array<[unknown, string]> = [
      [{ type: 'idea-submit', text: 'x'.repeat(281) }, '280'],
      [{ type: 'idea-submit', text: 'é'.repeat(300) }, '280'],
      [{ type: 'idea-submit', text: 'y'.repeat(5000) }, '280'],
      [{ type: 'idea-submit', text: '   ' }, '280'],
      [{ type: 'idea-submit', text: 'safe \u202Eetirw' }, 'bidi'],
      [{ type: 'idea-submit', text: 'isolate \u2066x\u2069' }, 'bidi'],
      [{ type: 'idea-submit', text: 'bell \u0007' }, 'control'],
      [{ type: 'idea-submit', text: 'nul \u0000' }, 'control'],
      [{ type: 'idea-submit', text: 42 }, '280'],
      [{ type: 'idea-submit' }, '280'],
      [{ type: 'idea-vote', id: '../x', vote: 1 }, 'id'],
      [{ type: 'idea-vote', id: "x'; DROP TABLE ideas; --", vote: 1 }, 'id'],
      [{ type: 'idea-vote', id: foreign, vote: 2 }, 'vote'],
      [{ type: 'idea-vote', id: foreign, vote: '1' }, 'vote'],
      [{ type: 'idea-vote', id: foreign, vote: 1 }, 'no idea'],
      [{ type: 'idea-hide', id: foreign, hidden: 'yes' }, 'hidden'],
      [{ type: 'idea-hide', id: foreign, hidden: true }, 'no idea'],
      [{ type: 'idea-merge', id: foreign, into: 'nope' }, 'no idea'],
    ];
    const before = server.stats().ideas?.refused ?? 0;
    for (const [message, words] of bad) {
      host.send(message);
      const error = await host.next('error', WAIT_MS);
      assert.equal(error.code, 'bad-message', JSON.stringify(message));
      assert.ok(error.message.includes(words), `${JSON.stringify(message).slice(0, 80)}: ${error.message}`);
    }
    assert.equal((server.stats().ideas?.refused ?? 0) - before, bad.length, 'each refusal counted');
    // SQL in a text is text: stored as written, nothing else happens.
    const sql = "Robert'); DROP TABLE ideas;-- <script>alert(1)</script>";
    const kept = await submitted(host, sql);
    assert.equal((await ideaWhere(host, kept, () => true)).text.en, sql);
    const store = await Store.open({ kind: 'postgres', url: postgres.url });
    try {
      assert.deepEqual((await store.listIdeas('ideas-hostile')).map((r) => r.text.en), [sql]);
      assert.deepEqual((await store.listIdeas('ideas-elsewhere')).map((r) => [r.agree, r.pass, r.disagree]), [[0, 0, 0]], 'no vote from another room');
    } finally {
      await store.close();
    }
    assert.equal(host.closeCode, null);
    other.close();
    host.close();
  } finally {
    await server.close();
  }
});

test('a raw socket flooding ideas and votes: a handful stored, the rest refused rate-limited (measured)', async () => {
  const server = await startTestServer({ database: postgres.url });
  try {
    const host = await TestClient.connect(server.wsUrl);
    await host.join('ideas-flood', 'Host', { state: { spokenLanguage: 'en' } });
    const target = await submitted(host, 'The one idea');
    const flooder = await TestClient.connect(server.wsUrl);
    await flooder.join('ideas-flood', 'Flooder', { state: { spokenLanguage: 'fr' } });
    for (let i = 0; i < 100; i++) flooder.ws.send(JSON.stringify({ type: 'idea-submit', text: `Spam ${i}` }));
    // 200 frames: the connection's own frame burst (200), so each is answered by the idea budgets.
    for (let i = 0; i < 100; i++) flooder.ws.send(JSON.stringify({ type: 'idea-vote', id: target, vote: i % 2 ? 1 : -1 }));
    // (`dropped`: frames the connection's own limiter refused before reading them, when the join's
    // frame has not been refilled yet: not idea requests, so not in the ideas' count.)
    const seen = { ok: 0, refused: 0, dropped: 0, other: [] as string[] };
    await waitFor(
      () => {
        seen.ok += flooder.take('idea-ok').length;
        for (const e of flooder.take('error')) {
          if (e.code === 'rate-limited' && e.message.startsWith('"idea-')) seen.refused++;
          else if (e.code === 'rate-limited' && e.message.startsWith('too many frames')) seen.dropped++;
          else seen.other.push(e.message);
        }
        return seen.ok + seen.refused + seen.dropped + seen.other.length >= 200 || flooder.closeCode !== null;
      },
      60_000,
      'an answer to each of the 200',
    );
    const store = await Store.open({ kind: 'postgres', url: postgres.url });
    let stored;
    try {
      stored = await store.listIdeas('ideas-flood');
    } finally {
      await store.close();
    }
    const spam = stored.filter((r) => r.text.fr?.startsWith('Spam'));
    console.log(`flood: ${spam.length} of 100 ideas stored, ${seen.ok - spam.length} of 100 votes taken, ${seen.refused} refused rate-limited`);
    assert.deepEqual(seen.other, []);
    assert.ok(spam.length >= 5 && spam.length <= 7, `${spam.length} ideas stored`);
    assert.ok(seen.refused + seen.dropped >= 95 + 100 - 62 - 5, `${seen.refused} refused`);
    assert.ok(seen.dropped <= 2, `${seen.dropped} frames dropped by the connection's limiter`);
    assert.ok(seen.ok - spam.length <= 62, `${seen.ok - spam.length} votes taken`);
    const one = stored.find((r) => r.id === target)!;
    assert.equal(one.agree + one.disagree, 1, 'the flooder is one voter');
    assert.ok((server.stats().ideas?.refused ?? 0) >= seen.refused);
    assert.equal(flooder.closeCode, null, 'refused, not disconnected');
    flooder.close();
    host.close();
  } finally {
    await server.close();
  }
});

test('open and "other" poll answers become ideas: one per author and poll, replaced with the ballot', async () => {
  const server = await startTestServer({ database: postgres.url, translationEndpoint: translator.url });
  try {
    const host = await TestClient.connect(server.wsUrl);
    await host.join('ideas-polls', 'Host', { state: { spokenLanguage: 'en' } });
    const fr = await TestClient.connect(server.wsUrl);
    await fr.join('ideas-polls', 'Fr', { state: { spokenLanguage: 'fr' } });
    host.send({ type: 'poll-create', poll: { id: 'advice', type: 'open', question: { en: 'Your advice?' } } });
    await host.next('poll', WAIT_MS);
    host.send({ type: 'poll-create', poll: { id: 'priorities', type: 'single', other: true, question: { en: 'First?' }, options: [{ id: 'a', label: { en: 'A' } }, { id: 'b', label: { en: 'B' } }] } });
    await host.next('poll', WAIT_MS);
    for (const id of ['advice', 'priorities']) {
      host.send({ type: 'poll-open', id });
      await host.next('poll', WAIT_MS);
    }
    fr.send({ type: 'poll-vote', id: 'advice', answer: { text: 'Écouter les jeunes' } });
    await fr.next('poll-voted', WAIT_MS);
    const first = await ideaWhere(host, undefined, (i) => i.pollId === 'advice' && i.text.en !== undefined);
    assert.deepEqual([first.source, first.lang, first.text.fr, first.text.en], ['poll', 'fr', 'Écouter les jeunes', '[en] Écouter les jeunes']);
    host.send({ type: 'idea-vote', id: first.id, vote: 1 });
    await ideaWhere(host, first.id, (i) => i.agree === 1);
    // The ballot replaced: the same idea, its new words, its votes gone with the old ones.
    fr.send({ type: 'poll-vote', id: 'advice', answer: { text: 'Écouter les anciens aussi' } });
    const replaced = await ideaWhere(host, first.id, (i) => i.text.fr === 'Écouter les anciens aussi');
    assert.equal(replaced.agree, 0);
    // The same words again change nothing.
    fr.send({ type: 'poll-vote', id: 'advice', answer: { text: 'Écouter les anciens aussi' } });
    await fr.next('poll-voted', WAIT_MS);
    // "Other" with its words.
    fr.send({ type: 'poll-vote', id: 'priorities', answer: { optionIds: ['other'], text: 'La santé' } });
    const other = await ideaWhere(host, undefined, (i) => i.pollId === 'priorities');
    assert.equal(other.text.fr, 'La santé');
    // A plain choice makes no idea.
    host.send({ type: 'poll-vote', id: 'priorities', answer: { optionIds: ['a'] } });
    await host.next('poll-voted', WAIT_MS);
    const store = await Store.open({ kind: 'postgres', url: postgres.url });
    try {
      const records = await store.listIdeas('ideas-polls');
      assert.deepEqual(records.map((r) => [r.source, r.pollId, r.text.fr]).sort(), [
        ['poll', 'advice', 'Écouter les anciens aussi'],
        ['poll', 'priorities', 'La santé'],
      ]);
    } finally {
      await store.close();
    }
    host.close();
    fr.close();
  } finally {
    await server.close();
  }
});

test('a server killed and started again on the same --data-dir (PGlite) still has every idea and vote', async () => {
  const dir = mkdtempSync(`${tmpdir()}/un75-ideas-`);
  let server = await spawnServer(['--data-dir', dir], PGLITE_START_MS);
  try {
    const host = await TestClient.connect(server.wsUrl);
    await host.join('kept-ideas', 'Host', { state: { spokenLanguage: 'en' } });
    const ar = await TestClient.connect(server.wsUrl);
    await ar.join('kept-ideas', 'Ar', { state: { spokenLanguage: 'ar' } });
    const id = await submitted(ar, 'مياه نظيفة لكل قرية');
    host.send({ type: 'idea-vote', id, vote: 1 });
    ar.send({ type: 'idea-vote', id, vote: 1 });
    await ideaWhere(host, id, (i) => i.agree === 2);
    await server.stop('SIGKILL');

    server = await spawnServer(['--data-dir', dir], PGLITE_START_MS);
    const back = await TestClient.connect(server.wsUrl);
    await back.join('kept-ideas', 'Back', { state: { spokenLanguage: 'fr' } });
    const idea = await ideaWhere(back, id, () => true);
    assert.deepEqual([idea.text.ar, idea.agree, idea.consensus], ['مياه نظيفة لكل قرية', 2, true]);
    back.send({ type: 'idea-vote', id, vote: -1 });
    assert.equal((await ideaWhere(back, id, (i) => i.disagree === 1)).consensus, false);
    back.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
