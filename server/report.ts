import { randomUUID } from 'node:crypto';
import type { AgendaState, Localized } from '../src/protocol/agenda.js';
import { OTHER_OPTION, POLL_TEMPLATE_IDS, type PollResult } from '../src/protocol/polls.js';
import { REPORT_SCHEMA, type DialogueReport } from '../src/protocol/report.js';
import type { StoredDialogue, StoredPoll } from './store.js';
import type { IdeaRecord } from '../src/protocol/ideas.js';

/**
 * The dialogue report (design §8, schema/dialogue-report-1.schema.json), built from what the
 * database holds of one room. Counts, never names: nothing here receives a member's name, id or
 * token subject — only counts by language, the room's agenda, polls (counts) and ideas.
 */
export interface ReportInput {
  dialogue: StoredDialogue;
  /** The room's name: the title when neither the host nor the agenda gives one. */
  room: string;
  attendance: { byLanguage: Record<string, number>; channels: string[] };
  agenda: AgendaState | null;
  /** When each item became current (ms), oldest first. */
  agendaLog: Array<{ at: number; item: string }>;
  notes: Record<string, string>;
  polls: Array<{ stored: StoredPoll; result: PollResult | null }>;
  ideas: IdeaRecord[];
  final: boolean;
  now: number;
  /** The final report's id (stable for the dialogue); interim reports get a new one each. */
  reportId?: string;
  supersedes?: string;
}

/** A final report's id: derived from the dialogue's UUID, so two processes ending it agree. */
export function finalReportId(dialogueId: string): string {
  return dialogueId;
}

/** "Other" in the six UN languages, for polls that offer it (the report's options list it). */
const OTHER_LABEL: Localized = { ar: 'أخرى', zh: '其他', en: 'Other', fr: 'Autre', ru: 'Другое', es: 'Otro' };

const LANG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;

/** A spoken language as the schema takes it: the tag, else its primary language, else "und". */
export function reportLang(tag: string): string {
  const lower = tag.toLowerCase();
  if (LANG.test(lower)) return lower;
  const primary = lower.split('-')[0]!;
  return /^[a-z]{2,3}$/.test(primary) ? primary : 'und';
}

const iso = (ms: number) => new Date(ms).toISOString();
const minutes = (ms: number) => Math.round(Math.max(0, ms) / 60) / 1000;

export function buildReport(input: ReportInput): DialogueReport {
  const { dialogue, attendance, agenda, final, now } = input;
  const end = dialogue.endedAt ?? now;
  const byLanguage: Record<string, number> = {};
  for (const [lang, n] of Object.entries(attendance.byLanguage)) byLanguage[reportLang(lang)] = (byLanguage[reportLang(lang)] ?? 0) + n;
  const total = Object.values(byLanguage).reduce((a, b) => a + b, 0);
  const channels = [...new Set(attendance.channels.map(reportLang))].sort();

  // Minutes each item was current, within the dialogue: each entry of the log lasts until the next
  // (the last until the end, or now), clipped to the dialogue's start and end.
  const spent = new Map<string, number>();
  const log = input.agendaLog;
  for (let i = 0; i < log.length; i++) {
    const from = Math.max(log[i]!.at, dialogue.startedAt);
    const to = Math.min(log[i + 1]?.at ?? end, end);
    if (to > from) spent.set(log[i]!.item, (spent.get(log[i]!.item) ?? 0) + (to - from));
  }

  const title = dialogue.title ?? firstPrompt(agenda) ?? input.room;
  const report: DialogueReport = {
    schema: REPORT_SCHEMA,
    reportId: input.reportId ?? (final ? finalReportId(dialogue.id) : randomUUID()),
    ...(input.supersedes ? { supersedes: input.supersedes } : {}),
    generatedAt: iso(now),
    final,
    dialogue: {
      title: title.slice(0, 200),
      startedAt: iso(dialogue.startedAt),
      ...(dialogue.endedAt !== null ? { endedAt: iso(dialogue.endedAt) } : {}),
      durationMinutes: Math.round(Math.max(0, end - dialogue.startedAt) / 60_000),
      languages: Object.keys(byLanguage).sort(),
      interpretation: { used: channels.length > 0, channels },
    },
    participants: { total, peak: Math.max(dialogue.peak, total > 0 ? 1 : 0), byLanguage },
    agenda: (agenda?.items ?? []).map((item) => ({
      id: item.id,
      prompt: item.prompt,
      plannedMinutes: item.minutes,
      spentMinutes: minutes(spent.get(item.id) ?? 0),
      ...(input.notes[item.id] ? { notes: input.notes[item.id]!.slice(0, 4000) } : {}),
    })),
    polls: input.polls.map(({ stored, result }) => {
      const { poll, state } = stored;
      const template = Object.entries(POLL_TEMPLATE_IDS).find(([, ids]) => ids.includes(poll.id))?.[0];
      const options = poll.options ? [...poll.options.map((o) => ({ id: o.id, label: o.label })), ...(poll.other ? [{ id: OTHER_OPTION, label: OTHER_LABEL }] : [])] : undefined;
      const byLang: Record<string, Record<string, number>> = {};
      for (const [lang, counts] of Object.entries(result?.byLanguage ?? {})) byLang[reportLang(lang)] = counts;
      return {
        id: poll.id,
        ...(template ? { template } : {}),
        type: poll.type,
        question: poll.question,
        ...(options ? { options } : {}),
        state,
        voters: result?.voters ?? 0,
        counts: result?.counts ?? {},
        ...(Object.keys(byLang).length ? { byLanguage: byLang } : {}),
      };
    }),
    ideas: input.ideas.map((idea) => ({
      id: idea.id,
      lang: reportLang(idea.lang),
      text: idea.text,
      ...(idea.machine.length ? { machine: [...new Set(idea.machine.map(reportLang))] } : {}),
      agree: idea.agree,
      pass: idea.pass,
      disagree: idea.disagree,
      hidden: idea.hidden,
      ...(idea.mergedInto ? { mergedInto: idea.mergedInto } : {}),
      consensus: idea.consensus,
      source: idea.source,
      ...(idea.pollId ? { pollId: idea.pollId } : {}),
      ...(Number.isFinite(Date.parse(idea.created)) ? { created: new Date(idea.created).toISOString() } : {}),
    })),
  };
  return report;
}

/** The first agenda question, in English, else in its first language: a dialogue's title by default. */
function firstPrompt(agenda: AgendaState | null): string | undefined {
  const prompt = agenda?.items[0]?.prompt;
  if (!prompt) return undefined;
  return prompt.en ?? Object.values(prompt)[0];
}
