// Svelte 5 reads element props from svelte/elements' SvelteHTMLElements (un75-meeting/svelte).
import 'un75-meeting/svelte';
import type { SvelteHTMLElements } from 'svelte/elements';

export const meeting: SvelteHTMLElements['un75-meeting'] = {
  room: 'council',
  'listen-language': 'es',
  'floor-volume': 0.3,
  'onun75-joined': (event) => console.log(event.detail.selfId),
};
export const captions: SvelteHTMLElements['un75-captions'] = { for: 'm', lines: 2 };
