// The aggregator of the component tests: web-test-runner's signaling server runs with
// `aggregator` (web-test-runner.config.mjs), and this plugin seeds it, on request, with four signed
// dialogue reports whose totals test/components/outcomes.test.ts checks:
//   GET /__un75-aggregator/seed → { src, token, reports } once the reports are taken (the same
//   reports every time: a second seed is four duplicates, so the totals never change).
import { newPartnerKeys, signJws } from '../../server/dist/server/jws.js';
import { parseAggregatorConfig } from '../../server/dist/server/aggregator.js';
import { createPrivateKey } from 'node:crypto';

export const TOKEN = 'component-test-read-token-0123';
const keys = newPartnerKeys('cairo');

/** The aggregator's configuration: one programme, one partner (its origins filled in on the first seed). */
export const aggregatorConfig = parseAggregatorConfig(
  JSON.stringify({
    programmes: { un75: { readToken: TOKEN, origins: [] } },
    partners: { cairo: { key: keys.publicJwk, programmes: ['un75'] } },
  }),
);

const survey = (counts) => ({
  id: 'future',
  template: 'un75-survey',
  type: 'single',
  question: { en: 'Will people be better off in 2045?', ar: 'هل سيكون حال الناس أفضل في عام 2045؟' },
  options: [
    { id: 'better', label: { en: 'Better off', ar: 'أفضل' } },
    { id: 'same', label: { en: 'About the same', ar: 'كما هو' } },
    { id: 'worse', label: { en: 'Worse off', ar: 'أسوأ' } },
  ],
  state: 'closed',
  voters: Object.values(counts).reduce((a, b) => a + b, 0),
  counts,
});

const report = (n, country, startedAt, byLanguage, counts, ideas = []) => {
  const total = Object.values(byLanguage).reduce((a, b) => a + b, 0);
  return {
    schema: 'un75:dialogue-report/1',
    reportId: `00000000-0000-4000-8000-00000000000${n}`,
    generatedAt: startedAt,
    final: true,
    dialogue: { title: `Dialogue ${n}`, programme: 'un75', country, startedAt, durationMinutes: 60, languages: Object.keys(byLanguage), interpretation: { used: false, channels: [] } },
    participants: { total, peak: total, byLanguage },
    agenda: [],
    polls: [survey(counts)],
    ideas: ideas.map((idea, i) => ({ id: `i${i}`, pass: 0, disagree: 0, ...idea })),
  };
};

/** 4 dialogues, 27 participants, 3 countries (EG, FR, JO), 3 languages; "better" 14, "same" 7, "worse" 5. */
export const REPORTS = [
  report(1, 'EG', '2026-03-05T10:00:00.000Z', { ar: 8, en: 4 }, { better: 7, same: 3, worse: 2 }, [
    { lang: 'ar', text: { ar: 'التعليم للجميع', en: 'Education for all' }, machine: ['en'], agree: 9 },
  ]),
  report(2, 'FR', '2026-03-20T10:00:00.000Z', { fr: 6, ar: 1 }, { better: 4, same: 2, worse: 1 }, [{ lang: 'fr', text: { fr: 'Plus de parcs en ville' }, agree: 6 }]),
  report(3, 'EG', '2026-04-02T10:00:00.000Z', { ar: 5 }, { better: 1, same: 1, worse: 2 }),
  report(4, 'JO', '2026-04-09T10:00:00.000Z', { ar: 3 }, { better: 2, same: 1 }),
];

/** @param {() => string} signalingHttp the signaling server's http://host:port */
export function aggregatorSeedPlugin(signalingHttp) {
  const key = createPrivateKey({ key: keys.privateJwk, format: 'jwk' });
  return {
    name: 'un75-aggregator-seed',
    async serve(context) {
      if (context.path !== '/__un75-aggregator/seed') return undefined;
      // The test page's origin may read the totals (CORS), as a partner's page would.
      const origin = `${context.protocol}://${context.host}`;
      const origins = aggregatorConfig.programmes.un75.origins;
      if (!origins.includes(origin)) origins.push(origin);
      const src = `${signalingHttp()}/v1/programmes/un75`;
      const receipts = [];
      for (const r of REPORTS) {
        const response = await fetch(`${src}/reports`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: signJws(JSON.stringify(r), key, 'cairo') });
        receipts.push({ status: response.status, body: await response.json() });
      }
      return { body: JSON.stringify({ src, token: TOKEN, receipts }), type: 'application/json' };
    },
  };
}
