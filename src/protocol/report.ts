/**
 * The dialogue report (design §8, issue 24 item 5): its shape, as schema/dialogue-report-1.schema.json
 * defines it (the contract with the aggregator: build to that file, field by field), and the
 * validators of what hosts send for it (notes per agenda question, the dialogue's title). Shared by
 * the server and the browser.
 */
import { check, isObject, type Localized } from './agenda.js';
import type { PollState, PollType } from './polls.js';

export const REPORT_SCHEMA = 'un75:dialogue-report/1';

export interface DialogueReport {
  schema: typeof REPORT_SCHEMA;
  reportId: string;
  supersedes?: string;
  generatedAt: string;
  final: boolean;
  dialogue: {
    title: string;
    programme?: string;
    country?: string;
    startedAt: string;
    endedAt?: string;
    durationMinutes: number;
    languages: string[];
    interpretation: { used: boolean; channels: string[] };
  };
  participants: { total: number; peak: number; byLanguage: Record<string, number> };
  demographics?: {
    respondents: number;
    ageBand?: Record<string, number>;
    gender?: Record<string, number>;
    country?: Record<string, number>;
  };
  agenda: Array<{ id: string; prompt: Localized; plannedMinutes: number; spentMinutes: number; notes?: string }>;
  polls: Array<{
    id: string;
    template?: string;
    type: PollType;
    question: Localized;
    options?: Array<{ id: string; label: Localized }>;
    state: PollState;
    voters: number;
    counts: Record<string, number>;
    byLanguage?: Record<string, Record<string, number>>;
  }>;
  ideas: Array<{
    id: string;
    lang: string;
    text: Localized;
    machine?: string[];
    agree: number;
    pass: number;
    disagree: number;
    hidden?: boolean;
    mergedInto?: string;
    consensus?: boolean;
    source?: 'idea' | 'poll';
    pollId?: string;
    /** When it was submitted (an optional field added to the schema for comments.csv's timestamp). */
    created?: string;
  }>;
}

export type ReportFormat = 'json' | 'csv' | 'html';

/** A host's notes on one question: up to 4,000 characters. */
export const MAX_NOTES_LENGTH = 4_000;
export const MAX_TITLE_LENGTH = 200;
/** A report frame may be larger than other frames (notes on 20 questions, 2,000 ideas): up to this many bytes. */
export const MAX_REPORT_FRAME_BYTES = 4 * 1024 * 1024;

/** Control, bidi and invisible format characters, except the line breaks notes keep. */
const UNSAFE_IN_NOTES = /[\p{Cf}\p{Zl}\p{Zp}]|[^\P{Cc}\n]/gu;

/**
 * Notes as everyone shows them: as agenda prompts (src/protocol/agenda.ts cleanText), control and
 * format characters become spaces, except that line breaks stay (at most one empty line in a row).
 */
export function cleanNotes(raw: string): string {
  return raw
    .replace(/\r\n?/g, '\n')
    .replace(UNSAFE_IN_NOTES, ' ')
    .replace(/[^\S\n]+/gu, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Validates a host's notes (empty: none); throws AgendaError. */
export function parseNotes(value: unknown): string {
  check(typeof value == 'string' && value.length <= MAX_NOTES_LENGTH * 2, `"text": at most ${MAX_NOTES_LENGTH} characters`);
  const clean = cleanNotes(value);
  check(clean.length <= MAX_NOTES_LENGTH, `"text": at most ${MAX_NOTES_LENGTH} characters`);
  return clean;
}

/** Validates a dialogue's title: 1–200 characters once cleaned as a prompt is. */
export function parseTitle(value: unknown): string {
  check(typeof value == 'string' && value.length <= MAX_TITLE_LENGTH * 2, `"title": 1 to ${MAX_TITLE_LENGTH} characters`);
  const clean = value.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' ').replace(/\s+/gu, ' ').trim();
  check(clean.length >= 1 && clean.length <= MAX_TITLE_LENGTH, `"title": 1 to ${MAX_TITLE_LENGTH} characters`);
  return clean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * What the browser checks of a report from the server before handing it to the page: its schema
 * and the shape its views read (the server builds it to the JSON Schema; views escape every text).
 */
export function parseReport(value: unknown): DialogueReport {
  check(isObject(value) && value.schema === REPORT_SCHEMA, '"report": not a un75:dialogue-report/1');
  check(typeof value.reportId == 'string' && UUID.test(value.reportId) && typeof value.final == 'boolean', '"report": no reportId');
  check(isObject(value.dialogue) && isObject(value.participants), '"report": no dialogue');
  check(Array.isArray(value.agenda) && Array.isArray(value.polls) && Array.isArray(value.ideas), '"report": no agenda, polls or ideas');
  check(value.agenda.every(isObject) && value.polls.every(isObject) && value.ideas.every(isObject), '"report": not valid');
  return value as unknown as DialogueReport;
}
