import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/outcomes/un75-outcomes.js';
import type { Un75Outcomes } from '../../src/components/outcomes/outcomes.js';
import { shadow, until } from './helpers.js';

// The dashboard against the real aggregator of web-test-runner's server, seeded with four signed
// reports (test/mocks/aggregator.mjs): 4 dialogues, 27 participants in EG, FR and JO.
interface Seed {
  src: string;
  token: string;
  receipts: Array<{ status: number }>;
}

const ar = (n: number) => new Intl.NumberFormat('ar').format(n);
/** A table's rows as [row header, cells…]: what a screen reader reads. */
const rows = (root: ShadowRoot, section: string) =>
  [...root.querySelectorAll(`[data-section="${section}"] [part="table"] tbody tr`)].map((tr) => [...tr.children].map((c) => c.textContent!.trim()));

describe('<un75-outcomes>', () => {
  it('shows the seeded totals in Arabic, right to left; filters by keyboard; small cells read "fewer than 5"; charts hidden over tables; exports; axe-clean', async function () {
    this.timeout(180_000);
    const seed = (await (await fetch('/__un75-aggregator/seed')).json()) as Seed;
    for (const r of seed.receipts) expect([200, 201]).to.include(r.status);

    const wrapper = await fixture<HTMLElement>(html`<div lang="ar" dir="rtl"></div>`);
    const el = document.createElement('un75-outcomes') as Un75Outcomes;
    el.token = seed.token;
    el.src = seed.src;
    const loaded = oneEvent(el, 'un75-outcomes-load');
    wrapper.append(el);
    await loaded;
    const root = shadow(el);
    const base = root.querySelector<HTMLElement>('[part="base"]')!;
    expect(base.getAttribute('lang')).to.equal('ar');
    expect(getComputedStyle(base).direction).to.equal('rtl');
    expect(root.querySelector('h2')!.textContent).to.equal('نتائج الحوارات');

    const total = (name: string) => root.querySelector(`[data-total="${name}"]`)!.textContent!.trim();
    expect(total('dialogues')).to.equal(ar(4));
    expect(total('participants')).to.equal(ar(27));
    expect(total('countries')).to.equal(ar(3));
    expect(total('languages')).to.equal(ar(3));

    // Participants by month and country: the table's numbers; Jordan's 3 are "fewer than 5".
    expect(rows(root, 'months').map((r) => r.slice(1))).to.deep.equal([
      [ar(2), ar(19)],
      [ar(2), ar(8)],
    ]);
    const countries = rows(root, 'countries');
    expect(countries.map((r) => r.slice(1))).to.deep.equal([
      [ar(2), ar(17)],
      [ar(1), ar(7)],
      [ar(1), 'أقل من 5'],
    ]);
    expect(countries[0]![0]).to.equal(new Intl.DisplayNames(['ar'], { type: 'region' }).of('EG'));

    // The survey's tallies summed by option id across the four dialogues, labelled in Arabic.
    const poll = root.querySelector('[data-poll="un75-survey/future"]')!;
    expect(poll.querySelector('h4')!.textContent).to.equal('هل سيكون حال الناس أفضل في عام 2045؟');
    expect([...poll.querySelectorAll('[part="table"] tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent!.trim()))).to.deep.equal([
      ['أفضل', ar(14)],
      ['كما هو', ar(7)],
      ['أسوأ', ar(5)],
    ]);
    // Charts are for the eyes only, and their bars grow from the right in Arabic.
    const charts = [...root.querySelectorAll('svg')];
    expect(charts.length).to.be.greaterThan(3);
    for (const chart of charts) expect(chart.getAttribute('aria-hidden')).to.equal('true');
    const bar = poll.querySelector('svg rect')!;
    expect(Number(bar.getAttribute('x')) + Number(bar.getAttribute('width'))).to.equal(360);

    // Ideas: the Arabic original; the French one in French, labelled as the original.
    const ideas = [...root.querySelectorAll('[part="ideas"] li')];
    expect(ideas[0]!.querySelector('p')!.textContent).to.equal('التعليم للجميع');
    const french = ideas[1]!.querySelector('p')!;
    expect(french.textContent).to.equal('Plus de parcs en ville');
    expect(french.lang).to.equal('fr');
    expect(getComputedStyle(french).direction).to.equal('ltr');
    expect(ideas[1]!.textContent).to.contain('النص الأصلي');

    // Exports: real links to the CSV and JSON of what is shown.
    const [csv, json] = [...root.querySelectorAll<HTMLAnchorElement>('[part="export"] a')];
    expect(csv!.download).to.equal('un75-outcomes.csv');
    expect(await (await fetch(csv!.href)).text()).to.contain('country,JO,,1,<5');
    expect(JSON.parse(await (await fetch(json!.href)).text()).totals.participants).to.equal(27);

    await expect(el).to.be.accessible();

    // Filter by keyboard: the country list's first country (Egypt), with the arrow key.
    const country = root.querySelector<HTMLSelectElement>('select[name="country"]')!;
    expect(country.labels[0]!.textContent).to.contain('البلد');
    const filtered = oneEvent(el, 'un75-outcomes-load');
    country.focus();
    await sendKeys({ press: 'ArrowDown' });
    await filtered;
    expect(country.value).to.equal('EG');
    expect(el.outcomes!.filters).to.deep.equal({ country: 'EG' });
    expect(total('dialogues')).to.equal(ar(2));
    expect(total('participants')).to.equal(ar(17));
    expect([...root.querySelectorAll('[data-poll="un75-survey/future"] [part="table"] tbody tr td')].map((c) => c.textContent!.trim())).to.deep.equal([ar(8), 'أقل من 5', 'أقل من 5']);
    expect(root.querySelector('.live')!.textContent).to.equal(`عدد الحوارات: ${ar(2)}، عدد المشاركين: ${ar(17)}.`);

    // And by month, with Tab to the next filters.
    const month = root.querySelector<HTMLSelectElement>('select[name="month"]')!;
    const byMonth = oneEvent(el, 'un75-outcomes-load');
    month.focus();
    await sendKeys({ press: 'ArrowDown' });
    await byMonth;
    await until(() => total('dialogues') === ar(1), 'Egypt in March');
    expect(total('participants')).to.equal(ar(12));
    await expect(el).to.be.accessible();
  });

  it('says so when the token is refused', async function () {
    this.timeout(60_000);
    const seed = (await (await fetch('/__un75-aggregator/seed')).json()) as Seed;
    const el = await fixture<Un75Outcomes>(html`<un75-outcomes lang="fr" src=${seed.src} token="wrong-token-0123456789"></un75-outcomes>`);
    await until(() => shadow(el).querySelector('[part="status"]')!.textContent!.includes('refusé'), 'the refusal');
    expect(shadow(el).querySelector('[part="status"]')!.getAttribute('role')).to.equal('alert');
    await expect(el).to.be.accessible();
  });
});
