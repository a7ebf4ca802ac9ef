// The dialogue report (design §8, issue 24 item 5), through the real server: on one process and on
// two over a real Redis, kept in a real PostgreSQL. The report validates against the JSON Schema
// the package ships (ajv, draft 2020-12), holds no member's name or id, and counts right; the final
// one survives a restart; the CSVs have Pol.is's columns.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { DialogueReport } from '../../src/protocol/report.js';
import { DEPLOYMENTS, compileServer, deploy, settle, spawnServer, startPostgres, startTestServer, TestClient, waitFor } from './helpers.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/dialogue-report-1.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

function assertValid(report: unknown): asserts report is DialogueReport {
  assert.ok(validate(report), `the report does not validate: ${JSON.stringify(validate.errors, null, 1)}\n${JSON.stringify(report, null, 1)}`);
}

let postgres: Awaited<ReturnType<typeof startPostgres>>;
before(async () => {
  [postgres] = await Promise.all([startPostgres(), compileServer()]);
});
after(async () => {
  await postgres?.stop();
});

const POLL = {
  id: 'future',
  type: 'single',
  question: { en: 'In 2045, will people be better or worse off?', fr: 'En 2045, vivra-t-on mieux ?', ar: 'هل سيكون الناس في حال أفضل في 2045؟' },
  options: [
    { id: 'better', label: { en: 'Better', fr: 'Mieux', ar: 'أفضل' } },
    { id: 'worse', label: { en: 'Worse', fr: 'Moins bien', ar: 'أسوأ' } },
  ],
};
const NAMES = ['Alice Hostname', 'Françoise Membre', 'أميرة عضو'];

/** The next `report` frame, then checked against the schema. */
async function nextReport(client: TestClient, timeoutMs = 20_000): Promise<DialogueReport> {
  const { report } = await client.next('report', timeoutMs);
  assertValid(report);
  return report;
}

function assertNoNames(report: DialogueReport, secrets: string[]): void {
  const text = JSON.stringify(report);
  for (const secret of secrets) assert.ok(!text.includes(secret), `the report holds "${secret}"`);
}

for (const kind of DEPLOYMENTS) {
  describe(`dialogue report (${kind})`, () => {
    test('a host, fr and ar members: agenda moved on, notes, a poll voted; the report validates, holds no names or ids, counts right; non-hosts forbidden; the final one at the end', async () => {
      const deployment = await deploy(kind, { database: postgres.url });
      try {
        const room = `report-${kind.length}`;
        const host = await deployment.connect();
        const hostWelcome = await host.join(room, NAMES[0]!, { state: { spokenLanguage: 'en' } });
        assert.equal(hostWelcome.self.role, 'host');
        const fr = await deployment.connect();
        const frWelcome = await fr.join(room, NAMES[1]!, { state: { spokenLanguage: 'fr' } });
        let ar = await deployment.connect();
        const arWelcome = await ar.join(room, NAMES[2]!, { state: { spokenLanguage: 'ar' } });
        const secrets = [...NAMES, hostWelcome.id, frWelcome.id, arWelcome.id, arWelcome.resume.split('.')[1]!];

        // Non-hosts may not ask for the report, end the dialogue, write notes or a title.
        for (const type of ['report-request', 'dialogue-end']) {
          fr.send({ type });
          assert.equal((await fr.next('error')).code, 'forbidden', type);
        }
        ar.send({ type: 'agenda-note', item: 'un75-future', text: 'x' });
        assert.equal((await ar.next('error')).code, 'forbidden');
        ar.send({ type: 'dialogue-title', title: 'x' });
        assert.equal((await ar.next('error')).code, 'forbidden');

        host.send({ type: 'dialogue-title', title: 'Youth dialogue, Geneva\u202e' });
        host.send({ type: 'agenda-set', template: 'un75' });
        for (const c of [host, fr, ar]) assert.equal((await c.next('agenda', 10_000)).current, 0);
        // Notes are cleaned (controls, bidi) and kept per question; an unknown question is refused.
        host.send({ type: 'agenda-note', item: 'un75-future', text: 'Jobs, climate.\u0007\nMore \u202Eschools.' });
        assert.deepEqual(await host.next('agenda-note', 10_000), { type: 'agenda-note', item: 'un75-future', text: 'Jobs, climate.\nMore schools.' });
        host.send({ type: 'agenda-note', item: 'nope', text: 'x' });
        assert.equal((await host.next('error', 10_000)).code, 'bad-message');
        host.send({ type: 'agenda-note', item: 'un75-future', text: 'x'.repeat(4001) });
        assert.equal((await host.next('error', 10_000)).code, 'bad-message');

        host.send({ type: 'poll-create', poll: POLL });
        assert.equal((await host.next('poll', 10_000)).state, 'prepared');
        host.send({ type: 'poll-open', id: 'future' });
        for (const c of [host, fr, ar]) assert.equal((await c.next('poll', 10_000)).state, 'open');
        fr.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['better'] } });
        ar.send({ type: 'poll-vote', id: 'future', answer: { optionIds: ['worse'] } });
        await fr.next('poll-voted', 10_000);
        await ar.next('poll-voted', 10_000);

        // Minutes are kept to the thousandth (60 ms): the first question must have lasted more than
        // that, which on a quick machine all the above may not take.
        await new Promise((resolve) => setTimeout(resolve, 120));
        host.send({ type: 'agenda-next' });
        for (const c of [host, fr, ar]) assert.equal((await c.next('agenda', 10_000)).current, 1);
        host.send({ type: 'agenda-note', item: 'un75-on-track', text: 'Not yet.' });
        await host.next('agenda-note', 10_000);

        // ar's socket drops and it resumes (through the other process when there are two): the same member.
        ar.ws.terminate();
        const arBack = await deployment.connect();
        const resumed = await arBack.join(room, NAMES[2]!, { resume: arWelcome.resume, state: { spokenLanguage: 'ar' } });
        assert.equal(resumed.id, arWelcome.id);
        ar = arBack;
        await settle(host, fr, ar);

        host.send({ type: 'report-request' });
        const interim = await nextReport(host);
        assertNoNames(interim, secrets);
        assert.equal(interim.final, false);
        assert.equal(interim.dialogue.endedAt, undefined);
        assert.equal(interim.dialogue.title, 'Youth dialogue, Geneva');
        assert.deepEqual(interim.participants, { total: 3, peak: 3, byLanguage: { ar: 1, en: 1, fr: 1 } });
        assert.deepEqual(interim.dialogue.languages, ['ar', 'en', 'fr']);
        assert.deepEqual(interim.dialogue.interpretation, { used: false, channels: [] });
        assert.deepEqual(
          interim.agenda.map((a) => [a.id, a.notes]),
          [
            ['un75-future', 'Jobs, climate.\nMore schools.'],
            ['un75-on-track', 'Not yet.'],
            ['un75-action', undefined],
          ],
        );
        assert.ok(interim.agenda.every((a) => a.plannedMinutes > 0 && a.prompt.ar && a.prompt.zh));
        assert.ok(interim.agenda[0]!.spentMinutes > 0, 'the first question took some time');
        assert.ok(interim.agenda[1]!.spentMinutes > 0, 'the second question is current');
        assert.equal(interim.agenda[2]!.spentMinutes, 0);
        const poll = interim.polls.find((p) => p.id === 'future')!;
        assert.equal(poll.state, 'open');
        assert.equal(poll.voters, 2);
        assert.deepEqual(poll.counts, { better: 1, worse: 1 });
        assert.deepEqual(poll.byLanguage, { fr: { better: 1, worse: 0 }, ar: { better: 0, worse: 1 } });
        assert.deepEqual(interim.ideas, []);
        // Another interim report is another report.
        host.send({ type: 'report-request' });
        const interim2 = await nextReport(host);
        assert.notEqual(interim2.reportId, interim.reportId);

        // The end: every host gets the final report (ar, made host, through the other process when
        // there are two); asked again, it is the same report.
        host.send({ type: 'poll-close', id: 'future' });
        await host.next('poll', 10_000);
        host.send({ type: 'set-role', id: arWelcome.id, role: 'host' });
        await waitFor(() => ar.received.some((m) => m.type === 'peer-updated' && m.peer.id === arWelcome.id && m.peer.role === 'host'), 10_000, 'ar made host');
        // Made host, ar's page gets the notes kept so far (its notes field shows them).
        const kept = [await ar.next('agenda-note', 10_000), await ar.next('agenda-note', 10_000)].map((m) => [m.item, m.text]).sort();
        assert.deepEqual(kept, [
          ['un75-future', 'Jobs, climate.\nMore schools.'],
          ['un75-on-track', 'Not yet.'],
        ]);
        assert.deepEqual(fr.take('agenda-note'), [], 'notes go to hosts only');
        host.send({ type: 'dialogue-end' });
        const final = await nextReport(host);
        assert.deepEqual(await nextReport(ar), final);
        assertNoNames(final, secrets);
        assert.equal(final.final, true);
        assert.ok(final.dialogue.endedAt);
        assert.equal(final.supersedes, interim2.reportId);
        assert.deepEqual(final.participants, { total: 3, peak: 3, byLanguage: { ar: 1, en: 1, fr: 1 } });
        assert.equal(final.polls[0]!.state, 'closed');
        host.send({ type: 'report-request' });
        assert.equal((await nextReport(host)).reportId, final.reportId);
        host.send({ type: 'dialogue-end' });
        assert.equal((await nextReport(host)).reportId, final.reportId);
        await settle(fr);
        assert.deepEqual(fr.take('report'), [], 'only hosts get the report');
      } finally {
        await deployment.close();
      }
    });
  });
}

describe('dialogue report: the end and a restart', () => {
  test('a room empty for --dialogue-end-ms ends its dialogue: onFinalReport gets the final report once; a new member starts the next dialogue', async () => {
    const finals: DialogueReport[] = [];
    const server = await startTestServer({ database: postgres.url, dialogueEndMs: 300, onFinalReport: (report) => finals.push(report) });
    try {
      const host = await TestClient.connect(server.wsUrl);
      await host.join('report-empty', 'Host', { state: { spokenLanguage: 'es' } });
      host.send({ type: 'agenda-set', template: 'un75' });
      await host.next('agenda', 10_000);
      host.send({ type: 'leave' });
      await waitFor(() => finals.length === 1, 30_000, 'the final report');
      assertValid(finals[0]);
      assert.equal(finals[0]!.final, true);
      assert.deepEqual(finals[0]!.participants.byLanguage, { es: 1 });
      const again = await TestClient.connect(server.wsUrl);
      await again.join('report-empty', 'Host');
      again.send({ type: 'report-request' });
      const next = await nextReport(again);
      assert.equal(next.final, false);
      assert.notEqual(next.reportId, finals[0]!.reportId);
      again.send({ type: 'report-request', last: true });
      assert.equal((await nextReport(again)).reportId, finals[0]!.reportId);
      again.close();
      host.close();
    } finally {
      await server.close();
    }
  });

  test('the final report survives a restart of two processes over Redis (the same PostgreSQL)', async () => {
    const deployment = await deploy('two processes over Redis', { database: postgres.url });
    let final: DialogueReport;
    try {
      const host = await deployment.connect();
      await host.join('report-restart', 'Host', { state: { spokenLanguage: 'en' } });
      const ru = await deployment.connect();
      await ru.join('report-restart', 'Ru', { state: { spokenLanguage: 'ru' } });
      // An interpreter on air in Chinese (trusted roles are off: a host grants the role).
      host.send({ type: 'set-role', id: (await host.next('peer-joined', 10_000)).peer.id, role: 'interpreter' });
      await waitFor(() => ru.received.some((m) => m.type === 'peer-updated' && m.peer.role === 'interpreter'), 10_000, 'the role');
      ru.send({ type: 'on-air', lang: 'zh' });
      // Frames are handled in order: the answer to this one comes once the channel is written.
      ru.send({ type: 'report-request' });
      assert.equal((await ru.next('error', 10_000)).code, 'forbidden');
      host.send({ type: 'on-air', lang: 'fr' });
      assert.equal((await host.next('error', 10_000)).code, 'forbidden', 'only interpreters go on air');
      host.send({ type: 'dialogue-end' });
      final = await nextReport(host);
      assert.deepEqual(final.dialogue.interpretation, { used: true, channels: ['zh'] });
      assert.deepEqual(final.participants.byLanguage, { en: 1, ru: 1 });
      for (const p of deployment.processes) await p.stop('SIGKILL');
    } finally {
      await deployment.close();
    }
    const restarted = await spawnServer(['--database', postgres.url]);
    try {
      const host = await TestClient.connect(restarted.wsUrl);
      await host.join('report-restart', 'Host');
      host.send({ type: 'report-request', last: true });
      assert.deepEqual(await nextReport(host), final);
      host.close();
    } finally {
      await restarted.stop();
    }
  });
});

describe('dialogue report: ideas and the Pol.is CSVs', () => {
  test('ideas (as the ideas store lists them) go into the report valid against the schema; comments.csv, votes.csv and summary.csv have Pol.is columns and the counts', async () => {
    const { buildReport } = await import('../../server/report.js');
    const { reportCsv, reportHtml } = await import('../../src/report/format.js');
    const started = Date.parse('2026-12-07T10:00:00Z');
    const report = buildReport({
      dialogue: { id: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f', room: 'r', startedAt: started, endedAt: started + 50 * 60_000, lastJoin: started, title: null, peak: 3 },
      room: 'r',
      attendance: { byLanguage: { fr: 2, ar: 1, 'zh-hant-tw-x-y': 1 }, channels: ['ar'] },
      agenda: { items: [{ id: 'q1', minutes: 20, prompt: { en: 'Where, "now"?', fr: 'Où, maintenant ?' } }], current: 0, startedAt: started },
      agendaLog: [{ at: started - 5000, item: 'q1' }],
      notes: { q1: 'Water,\nschools' },
      polls: [],
      ideas: [
        { id: 'i1', lang: 'fr', text: { fr: 'Eau potable, "partout"', en: 'Clean water, "everywhere"' }, machine: ['en'], agree: 3, pass: 1, disagree: 0, hidden: false, consensus: true, source: 'idea', created: '2026-12-07T10:05:00Z' },
        { id: 'i2', lang: 'ar', text: { ar: '=SUM(1)' }, machine: [], agree: 0, pass: 0, disagree: 2, hidden: true, mergedInto: 'i1', consensus: false, source: 'poll', pollId: 'p1', created: 'not a date' },
      ],
      final: true,
      now: started + 60 * 60_000,
    });
    assertValid(report);
    assert.equal(report.reportId, '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f');
    assert.equal(report.dialogue.title, 'Where, "now"?');
    assert.equal(report.dialogue.durationMinutes, 50);
    assert.equal(report.agenda[0]!.spentMinutes, 50);
    assert.deepEqual(report.participants, { total: 4, peak: 3, byLanguage: { fr: 2, ar: 1, zh: 1 } });
    assert.equal(report.ideas[1]!.created, undefined);
    const csv = reportCsv(report, 'fr');
    const comments = csv['comments.csv'].trimEnd().split('\n');
    assert.equal(comments[0], 'timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body');
    assert.equal(comments.length, 3);
    assert.match(comments[1]!, /^1796637900,"[^"]+","i1","",3,0,1,"Eau potable, ""partout"""$/);
    assert.match(comments[2]!, /,"i2","",0,2,-1,"'=SUM\(1\)"$/, 'hidden or merged: moderated -1; a formula is not one');
    const votes = csv['votes.csv'].trimEnd().split('\n');
    assert.equal(votes[0], 'timestamp,datetime,comment-id,voter-id,vote');
    assert.deepEqual(
      votes.slice(1).map((line) => line.split(',').slice(2).join(',')),
      ['"i1","",1', '"i1","",1', '"i1","",1', '"i1","",0', '"i2","",-1', '"i2","",-1'],
    );
    assert.deepEqual(csv['summary.csv'].trimEnd().split('\n'), [
      'topic,"Where, ""now""?"',
      'url,',
      'voters,4',
      'voters-in-conv,4',
      'commenters,',
      'comments,2',
      'groups,3',
      'conversation-description,"Où, maintenant ?"',
    ]);
    const page = reportHtml(report, 'ar');
    assert.match(page, /<html lang="ar" dir="rtl">/);
    assert.ok(page.includes('Water,\nschools') && !page.includes('<script'), 'notes kept, no script');
    assert.ok(page.includes('Clean water, &quot;everywhere&quot;') || page.includes('Eau potable, &quot;partout&quot;'), 'texts escaped');
  });
});
