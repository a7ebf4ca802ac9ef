export const PROGRAMS: Record<string, string>;
export function chromePath(): string;
export function ensureSystemDeps(): void;
