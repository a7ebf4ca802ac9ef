import type { IncomingMessage, ServerResponse } from 'node:http';

export const PHRASES: Record<string, Record<string, string>>;
export function translateText(q: string, source: string, target: string): string;
export function handleLibreTranslate(req: IncomingMessage, res: ServerResponse, prefix?: string): Promise<boolean>;
export function mockLibreTranslatePlugin(): { name: string; serve(ctx: unknown): Promise<undefined> };
export function startLibreTranslate(port?: number): Promise<{ url: string; requests: { at: number }[]; readonly maxInFlight: number; close(): Promise<void> }>;
