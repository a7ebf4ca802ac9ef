export const PROGRAMS: Record<string, string>;
export const FILES: Record<string, string>;
export const SYSTEM_PYTHON: string;
export const CALL_FLAGS: string[];
export function chromePath(): string;
export function ensureSystemDeps(): void;
export function postgresBin(): string | null;
