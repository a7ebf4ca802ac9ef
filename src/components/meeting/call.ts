// What <un75-meeting> needs only once in a call: the call engine (`Meeting`: session, mesh,
// captions, interpretation) and the in-call elements. The pre-join screen does without them, so they
// are loaded apart (in the CDN build: chunks beside the entry, fetched relative to its URL) and
// started as soon as an element is on the page, while the person is still in the pre-join screen,
// so that joining does not wait for the download. See docs/architecture.md ("Loading").

import type { Meeting } from '../../core/meeting.js';

let loading: Promise<typeof Meeting> | undefined;

/** Loads the call engine and the in-call elements (once per page); resolves with `Meeting`. */
export function loadCall(): Promise<typeof Meeting> {
  if (!loading) {
    loading = Promise.all([
      import('../../core/meeting.js'),
      import('../video-grid/un75-video-grid.js'),
      import('../captions/un75-captions.js'),
      import('../booth/un75-booth.js'),
      import('../controls/un75-controls.js'),
      import('../language-picker/un75-language-picker.js'),
      import('../side-panel/un75-side-panel.js'),
      import('../toasts/un75-toasts.js'),
      import('../report/un75-report.js'),
    ]).then(([core]) => core.Meeting);
    // A failed download (offline for a moment) is tried again at the next call.
    loading.catch(() => (loading = undefined));
  }
  return loading;
}

/**
 * Starts `loadCall()` when the page is idle (within a second at most): nothing waits on it.
 * `loaded` is called once it is (at once if it already was).
 */
export function preloadCall(loaded: (engine: typeof Meeting) => void = () => {}): void {
  const start = () => void loadCall().then(loaded, () => {});
  if (loading) start();
  else if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 1000 });
  else setTimeout(start, 0);
}
