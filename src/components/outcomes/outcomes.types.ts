/** A count of people as the aggregator publishes it: the number from 5 up, "<5" below. */
export type Cell = number | '<5';

export type Localized = Record<string, string>;

/** What `GET {src}/outcomes` answers (`un75:outcomes/1`, docs/outcomes.md "Aggregation"). */
export interface OutcomesData {
  schema: 'un75:outcomes/1';
  programme: string;
  generatedAt: string;
  filters: { country?: string; language?: string; month?: string };
  suppressedBelow: number;
  totals: { dialogues: number; participants: Cell; countries: number; languages: number };
  byMonth: Array<{ month: string; dialogues: number; participants: Cell }>;
  byCountry: Array<{ country: string; dialogues: number; participants: Cell }>;
  byLanguage: Array<{ language: string; dialogues: number; participants: Cell }>;
  polls: Array<{ template: string; id: string; type: string; question: Localized; dialogues: number; voters: Cell; options: Array<{ id: string; label: Localized | null; count: Cell }> }>;
  ideas: Array<{ lang: string; text: Localized; machine: string[]; agree: Cell; pass: Cell; disagree: Cell; consensus: boolean }>;
  demographics: Record<string, Record<string, Cell>>;
  choices: { countries: string[]; languages: string[]; months: string[] };
}

/** The filters the dashboard offers, as `<select>` names and query parameters. */
export const OUTCOME_FILTERS = ['country', 'language', 'month'] as const;
export type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];
