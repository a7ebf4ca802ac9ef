// The in-call UI's strings in the six languages, added to LOCALES when the call's code arrives:
// every element shown only in a call imports this module, so its strings are there before it
// renders. The pre-join screen does without them (src/i18n/types.ts, PreJoinKey).
import type { CallStrings, LocaleCode } from './types.js';
import { LOCALES } from './localize.js';
import { ar } from './locales/call/ar.js';
import { en } from './locales/call/en.js';
import { es } from './locales/call/es.js';
import { fr } from './locales/call/fr.js';
import { ru } from './locales/call/ru.js';
import { zh } from './locales/call/zh.js';

const CALL: Record<LocaleCode, CallStrings> = { ar, en, es, fr, ru, zh };
for (const code of Object.keys(CALL) as LocaleCode[]) Object.assign(LOCALES[code], CALL[code]);
