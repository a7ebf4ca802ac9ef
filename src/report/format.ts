/**
 * The dialogue report as files (design §8): Pol.is-compatible CSVs and a printable page. A chunk of
 * its own, loaded when a host first asks for one of them: pages that never do download none of it.
 * Everything here is made from the report's JSON alone (counts, never names).
 */
import { promptFor, type Localized } from '../protocol/agenda.js';
import type { DialogueReport } from '../protocol/report.js';
import { reportStrings, type ReportStrings } from './strings.js';

/** The three files of a Pol.is export (columns as Pol.is writes them). */
export interface ReportCsv {
  'comments.csv': string;
  'votes.csv': string;
  'summary.csv': string;
}

/** A CSV field: quoted when it must be (RFC 4180), and never read as a formula by a spreadsheet. */
function field(value: string | number): string {
  let text = String(value);
  if (typeof value == 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) || typeof value == 'string' ? `"${text.replace(/"/g, '""')}"` : text;
}

const row = (cells: Array<string | number>) => cells.map(field).join(',');
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * Pol.is's three export files from a report. Ideas are Pol.is's comments. comments.csv: `timestamp`
 * and `datetime` (when the idea was submitted, else the report's time), `comment-id`, `author-id`
 * (empty: the report holds nobody), `agrees`, `disagrees`, `moderated` (-1 hidden or merged, 1
 * shown), `comment-body` (the original text). votes.csv: one row per vote, rebuilt from the
 * counts (`vote` 1 agree, 0 pass, -1 disagree) with an empty `voter-id`: ballots are anonymous and
 * the report holds only counts. summary.csv: Pol.is's key,value lines; `voters` the participants,
 * `groups` the language groups, `conversation-description` the agenda's questions in `lang`.
 */
export function reportCsv(report: DialogueReport, lang = 'en'): ReportCsv {
  const generated = report.generatedAt;
  const comments = [row(['timestamp', 'datetime', 'comment-id', 'author-id', 'agrees', 'disagrees', 'moderated', 'comment-body']).replace(/"/g, '')];
  const votes = [row(['timestamp', 'datetime', 'comment-id', 'voter-id', 'vote']).replace(/"/g, '')];
  for (const idea of report.ideas) {
    const when = idea.created ?? generated;
    const body = idea.text[idea.lang] ?? Object.values(idea.text)[0] ?? '';
    comments.push(row([seconds(when), new Date(when).toString(), idea.id, '', idea.agree, idea.disagree, idea.hidden || idea.mergedInto ? -1 : 1, body]));
    for (const [n, vote] of [
      [idea.agree, 1],
      [idea.pass, 0],
      [idea.disagree, -1],
    ] as const) {
      for (let i = 0; i < n; i++) votes.push(row([seconds(generated), new Date(generated).toString(), idea.id, '', vote]));
    }
  }
  const questions = report.agenda.map((item) => promptFor(item.prompt, lang).text).join(' / ');
  const summary = [
    `topic,${field(report.dialogue.title)}`,
    'url,',
    `voters,${report.participants.total}`,
    `voters-in-conv,${report.participants.total}`,
    'commenters,',
    `comments,${report.ideas.length}`,
    `groups,${report.dialogue.languages.length}`,
    `conversation-description,${field(questions)}`,
  ];
  return { 'comments.csv': comments.join('\n') + '\n', 'votes.csv': votes.join('\n') + '\n', 'summary.csv': summary.join('\n') + '\n' };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** A text in the reader's language, with its `lang` and `dir="auto"` (as the agenda strip shows it). */
function localized(text: Localized, lang: string): string {
  const shown = promptFor(text, lang);
  return `<span lang="${esc(shown.lang)}" dir="auto">${esc(shown.text)}</span>`;
}

/**
 * The report as a standalone printable page in `lang` (the host's UI language; Arabic right to
 * left): the dialogue, participants, agenda with the host's notes, each poll's bar chart (SVG,
 * hidden from screen readers) over a table with the same numbers, ideas with their votes. No
 * script, no outside resource: it prints, or saves, as it is.
 */
export function reportHtml(report: DialogueReport, lang = 'en'): string {
  const { code, t } = reportStrings(lang);
  const number = new Intl.NumberFormat(code);
  const n = (x: number) => number.format(x);
  const tenths = new Intl.NumberFormat(code, { maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(code, { style: 'percent', maximumFractionDigits: 0 });
  const names = new Intl.DisplayNames([code], { type: 'language', fallback: 'code' });
  const language = (tag: string) => {
    try {
      return tag === 'und' ? '—' : (names.of(tag) ?? tag);
    } catch {
      return tag;
    }
  };
  const date = new Intl.DateTimeFormat(code, { dateStyle: 'long', timeStyle: 'short' });
  const d = report.dialogue;
  const list = (tags: string[]) => (tags.length ? tags.map((tag) => esc(language(tag))).join(', ') : esc(t.none));
  const byLanguage = Object.entries(report.participants.byLanguage).sort((a, b) => b[1] - a[1]);

  const polls = report.polls
    .map((poll) => {
      const labels = new Map((poll.options ?? []).map((o) => [o.id, o.id === 'other' && !o.label[code] ? { [code]: t.other } : o.label]));
      const rows = Object.entries(poll.counts).map(([key, count]) => ({ key, count, label: labels.get(key) }));
      const total = rows.reduce((a, r) => a + r.count, 0);
      const max = Math.max(1, ...rows.map((r) => r.count));
      const height = 22;
      // Bars grow from the reader's start edge: the SVG is mirrored for right-to-left pages.
      const bars = rows
        .map((r, i) => `<rect x="0" y="${i * height + 4}" width="${((r.count / max) * 100).toFixed(2)}%" height="${height - 8}" rx="2"></rect>`)
        .join('');
      const chart = rows.length
        ? `<svg class="chart" aria-hidden="true" width="100%" height="${rows.length * height}" ${t.dir === 'rtl' ? 'transform="scale(-1 1)"' : ''}>${bars}</svg>`
        : '';
      const table = rows.length
        ? `<table><thead><tr><th scope="col">${esc(t.answer)}</th><th scope="col">${esc(t.votes)}</th><th scope="col">${esc(t.share)}</th></tr></thead><tbody>${rows
            .map(
              (r) =>
                `<tr><th scope="row">${r.label ? localized(r.label, code) : `<span dir="auto">${esc(r.key)}</span>`}</th><td>${n(r.count)}</td><td>${total ? percent.format(r.count / total) : '—'}</td></tr>`,
            )
            .join('')}</tbody></table>`
        : !report.final && poll.state === 'open' && poll.type !== 'open'
          ? `<p>${esc(t.hidden)}</p>`
          : '';
      return `<section class="poll"><h3>${localized(poll.question, code)}</h3><p class="muted">${esc(t.voters(n(poll.voters)))}</p>${chart}${table}</section>`;
    })
    .join('');

  const ideas = report.ideas.filter((idea) => !idea.hidden && !idea.mergedInto).sort((a, b) => b.agree - b.disagree - (a.agree - a.disagree));
  const title = d.title;
  return `<!doctype html>
<html lang="${esc(code)}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t.report)}: ${esc(title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:48rem;padding:0 1rem;color:#111;background:#fff}
h1{font-size:1.6rem;margin:0}h2{font-size:1.25rem;margin-block:2rem .5rem;border-block-end:1px solid #999}h3{font-size:1rem;margin-block:1rem .25rem}
.muted{color:#444}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%;margin-block:.5rem}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:start;vertical-align:top}
td{font-variant-numeric:tabular-nums}.notes{white-space:pre-wrap}.chart rect{fill:#1f5fa8}.poll{break-inside:avoid}
@media print{body{margin:0;max-width:none}a{color:inherit}}
</style>
</head>
<body>
<main>
<h1 dir="auto">${esc(title)}</h1>
<p class="muted">${esc(t.report)} · ${esc(report.final ? t.final : t.interim)}</p>
<dl>
<dt>${esc(t.started)}</dt><dd>${esc(date.format(new Date(d.startedAt)))}</dd>
<dt>${esc(t.duration)}</dt><dd>${esc(t.minutes(n(d.durationMinutes)))}</dd>
<dt>${esc(t.languages)}</dt><dd>${list(d.languages)}</dd>
<dt>${esc(t.interpretation)}</dt><dd>${list(d.interpretation.channels)}</dd>
</dl>
<h2>${esc(t.participants)}</h2>
<dl><dt>${esc(t.total)}</dt><dd>${n(report.participants.total)}</dd><dt>${esc(t.peak)}</dt><dd>${n(report.participants.peak)}</dd></dl>
<table><caption>${esc(t.byLanguage)}</caption><thead><tr><th scope="col">${esc(t.language)}</th><th scope="col">${esc(t.people)}</th></tr></thead><tbody>${byLanguage
    .map(([tag, count]) => `<tr><th scope="row">${esc(language(tag))}</th><td>${n(count)}</td></tr>`)
    .join('')}</tbody></table>
${
  report.agenda.length
    ? `<h2>${esc(t.agenda)}</h2><table><thead><tr><th scope="col">${esc(t.question)}</th><th scope="col">${esc(t.planned)}</th><th scope="col">${esc(t.spent)}</th></tr></thead><tbody>${report.agenda
        .map(
          (item) =>
            `<tr><th scope="row">${localized(item.prompt, code)}${item.notes ? `<p class="notes" dir="auto"><strong>${esc(t.notes)}:</strong> ${esc(item.notes)}</p>` : ''}</th><td>${esc(t.minutes(n(item.plannedMinutes)))}</td><td>${esc(t.minutes(tenths.format(item.spentMinutes)))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : ''
}
${report.polls.length ? `<h2>${esc(t.polls)}</h2>${polls}` : ''}
<h2>${esc(t.ideas)}</h2>
${
  ideas.length
    ? `<table><thead><tr><th scope="col">${esc(t.idea)}</th><th scope="col">${esc(t.agree)}</th><th scope="col">${esc(t.pass)}</th><th scope="col">${esc(t.disagree)}</th></tr></thead><tbody>${ideas
        .map((idea) => `<tr><th scope="row">${localized(idea.text, code)}</th><td>${n(idea.agree)}</td><td>${n(idea.pass)}</td><td>${n(idea.disagree)}</td></tr>`)
        .join('')}</tbody></table>`
    : `<p>${esc(t.noIdeas)}</p>`
}
</main>
<footer><p class="muted">${esc(t.footer)} ${esc(report.reportId)} · ${esc(date.format(new Date(report.generatedAt)))}</p></footer>
</body>
</html>
`;
}

export type { ReportStrings };
