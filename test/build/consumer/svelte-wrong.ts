import 'un75-meeting/svelte';
import type { SvelteHTMLElements } from 'svelte/elements';

// @error the floor volume is a number
export const meeting: SvelteHTMLElements['un75-meeting'] = { 'floor-volume': 'loud' };
// @error the joined detail has no such field
export const joined: SvelteHTMLElements['un75-meeting'] = { 'onun75-joined': (event) => event.detail.nope };
