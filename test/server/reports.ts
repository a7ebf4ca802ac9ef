// Dialogue reports (un75:dialogue-report/1) for the aggregator's tests, its component test and its
// bench: valid by the committed schema, with the numbers a test chooses.
import { randomUUID } from 'node:crypto';

export interface ReportShape {
  reportId?: string;
  supersedes?: string;
  country?: string;
  startedAt?: string;
  /** Members by spoken language; the total is their sum. */
  byLanguage?: Record<string, number>;
  /** Counts of the un75-survey poll "future" by option id. */
  future?: Record<string, number>;
  ideas?: Array<{ lang: string; text: Record<string, string>; agree: number; machine?: string[] }>;
  programme?: string;
}

export function makeReport(shape: ReportShape = {}): Record<string, unknown> & { reportId: string } {
  const byLanguage = shape.byLanguage ?? { en: 6, fr: 4 };
  const total = Object.values(byLanguage).reduce((a, b) => a + b, 0);
  const future = shape.future ?? { better: 6, same: 3, worse: 1 };
  const startedAt = shape.startedAt ?? '2026-03-10T14:00:00.000Z';
  return {
    schema: 'un75:dialogue-report/1',
    reportId: shape.reportId ?? randomUUID(),
    ...(shape.supersedes ? { supersedes: shape.supersedes } : {}),
    generatedAt: '2026-03-10T16:00:00.000Z',
    final: true,
    dialogue: {
      title: 'Dialogue',
      programme: shape.programme ?? 'un75',
      country: shape.country ?? 'FR',
      startedAt,
      endedAt: new Date(Date.parse(startedAt) + 90 * 60_000).toISOString(),
      durationMinutes: 90,
      languages: Object.keys(byLanguage),
      interpretation: { used: false, channels: [] },
    },
    participants: { total, peak: total, byLanguage },
    demographics: { respondents: total, gender: { female: Math.ceil(total / 2), male: Math.floor(total / 2) } },
    agenda: [{ id: 'q1', prompt: { en: 'What kind of future do we want to create?' }, plannedMinutes: 30, spentMinutes: 31.5 }],
    polls: [
      {
        id: 'future',
        template: 'un75-survey',
        type: 'single',
        question: { en: 'Will people be better off in 2045?', fr: 'Les gens vivront-ils mieux en 2045 ?', ar: 'هل سيكون حال الناس أفضل في عام 2045؟' },
        options: [
          { id: 'better', label: { en: 'Better off', fr: 'Mieux', ar: 'أفضل' } },
          { id: 'same', label: { en: 'About the same', fr: 'Pareil', ar: 'كما هو' } },
          { id: 'worse', label: { en: 'Worse off', fr: 'Moins bien', ar: 'أسوأ' } },
        ],
        state: 'closed',
        voters: Object.values(future).reduce((a, b) => a + b, 0),
        counts: future,
      },
      // Not from a template: counted in its own dialogue's report, not across dialogues.
      { id: 'p1', type: 'scale', question: { en: 'How hopeful are you?' }, state: 'closed', voters: 3, counts: { '4': 2, '5': 1 } },
    ],
    ideas: (shape.ideas ?? [{ lang: 'en', text: { en: 'Teach climate in every school' }, agree: 7 }]).map((idea, i) => ({
      id: `i${i}`,
      lang: idea.lang,
      text: idea.text,
      ...(idea.machine ? { machine: idea.machine } : {}),
      agree: idea.agree,
      pass: 1,
      disagree: 0,
    })),
  } as Record<string, unknown> & { reportId: string };
}
