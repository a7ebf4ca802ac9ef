/**
 * Performance marks on the way into a call (`un75:engine` (the element's call engine is loaded), `un75:join`, `un75:media`, `un75:socket-open`,
 * `un75:welcome`, `un75:offer`, `un75:track`, `un75:connected`), once per join, so that a page's
 * own tools (and bench/join.ts) can see where the time to the first frame goes.
 */
export function mark(name: string): void {
  try {
    globalThis.performance?.mark?.(`un75:${name}`);
  } catch {
    // a page that replaced performance: diagnostics only
  }
}
