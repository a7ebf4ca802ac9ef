// Group 1 of suites.ts, in a process of its own (see there).
import { GROUPS, register } from './suites.js';

await register(GROUPS[0]!);
