// The CDN entry (dist/un75-meeting.min.js): the one script a partner page loads. It registers no
// element itself: the first time a tag of ours appears in the page, it loads that element's chunk
// from its own folder (chunk URLs are relative to this module's URL, so the same files work from a
// CDN, from un75-signal and from a partner's own static folder). A page that never shows a meeting
// downloads a few hundred bytes, and each element's code comes with its first use.
// npm users import src/index.ts instead, which registers every element at once.

const chunks: Record<string, () => Promise<unknown>> = {
  'un75-meeting': () => import('./components/meeting/un75-meeting.js'),
  'un75-lobby': () => import('./components/lobby/un75-lobby.js'),
  'un75-video-grid': () => import('./components/video-grid/un75-video-grid.js'),
  'un75-participant-tile': () => import('./components/participant-tile/un75-participant-tile.js'),
  'un75-controls': () => import('./components/controls/un75-controls.js'),
  'un75-captions': () => import('./components/captions/un75-captions.js'),
  'un75-language-picker': () => import('./components/language-picker/un75-language-picker.js'),
  'un75-booth': () => import('./components/booth/un75-booth.js'),
  'un75-side-panel': () => import('./components/side-panel/un75-side-panel.js'),
  'un75-toasts': () => import('./components/toasts/un75-toasts.js'),
  'un75-polls': () => import('./components/polls/un75-polls.js'),
  // The organisers' dashboard: a page of its own, never beside a meeting.
  'un75-outcomes': () => import('./components/outcomes/un75-outcomes.js'),
};
const TAGS = Object.keys(chunks);
const started = new Map<string, Promise<unknown>>();

/**
 * The headless core (`Meeting` and its types, docs/headless.md), loaded as a chunk beside this
 * entry: `const { Meeting } = await loadCore();` — for a page that draws its own UI.
 */
export function loadCore(): Promise<typeof import('./core/index.js')> {
  return import('./core/index.js');
}

/** Loads the element `tag` (once); resolves when it is defined. Pages may call it to load ahead of use. */
export function load(tag: string): Promise<unknown> {
  const chunk = chunks[tag];
  if (!chunk) return Promise.reject(new Error(`un75: no element named ${tag}`));
  let loading = started.get(tag);
  if (!loading) {
    loading = chunk().then(() => customElements.whenDefined(tag));
    loading.catch((error: unknown) => {
      // A failed download may be retried when the tag appears again.
      started.delete(tag);
      console.error(`un75: could not load <${tag}>`, error);
    });
    started.set(tag, loading);
  }
  return loading;
}

function discover(root: ParentNode): void {
  for (const element of root.querySelectorAll(TAGS.join(','))) void load(element.localName).catch(() => {});
}

discover(document);
new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (!(node instanceof Element)) continue;
      if (chunks[node.localName]) void load(node.localName).catch(() => {});
      if (node.firstElementChild) discover(node);
    }
  }
}).observe(document.documentElement, { childList: true, subtree: true });
