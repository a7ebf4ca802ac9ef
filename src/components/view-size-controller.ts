import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ViewSize } from '../core/view-hints.js';

/**
 * Reports the size at which an element (a tile's video) is shown, in device pixels, or null while
 * it is not shown: `display: none` or zero size (ResizeObserver), scrolled out of the viewport
 * (IntersectionObserver), or the page in the background (`visibilitychange`). Calls `report` only
 * when that changes; the core debounces and decides what is worth telling the sender.
 *
 * Nothing is reported while the observers have not yet measured the element: they deliver only when
 * the page renders, which a busy or throttled page may not do for a while, and "not measured" must
 * never read as "hidden" (the sender would pause, and the call freeze for a page that is in view).
 * A page that comes back from the background reports its last measured size at once.
 */
export class ViewSizeController implements ReactiveController {
  readonly #target: () => Element | null | undefined;
  readonly #report: (size: ViewSize | null) => void;
  #observed: Element | null | undefined;
  #resize: ResizeObserver | undefined;
  #intersection: IntersectionObserver | undefined;
  /** The element's size and whether it is in the viewport, once the observers have said (undefined before). */
  #box: ViewSize | undefined;
  #intersecting: boolean | undefined;
  #last: ViewSize | null | undefined;
  /** The host has rendered at least once: before that, no element says nothing about the video. */
  #rendered = false;
  readonly #onVisibility = () => this.#update();

  constructor(host: ReactiveControllerHost, target: () => Element | null | undefined, report: (size: ViewSize | null) => void) {
    this.#target = target;
    this.#report = report;
    host.addController(this);
  }

  hostConnected(): void {
    this.#resize = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const ratio = globalThis.devicePixelRatio || 1;
      this.#box = { width: Math.round(entry.contentRect.width * ratio), height: Math.round(entry.contentRect.height * ratio) };
      this.#update();
    });
    this.#intersection = new IntersectionObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (!entry) return;
      this.#intersecting = entry.isIntersecting;
      this.#update();
    });
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#observe();
  }

  /** After each render: the observed element may have been replaced. */
  hostUpdated(): void {
    this.#rendered = true;
    this.#observe();
  }

  hostDisconnected(): void {
    this.#resize?.disconnect();
    this.#intersection?.disconnect();
    this.#resize = this.#intersection = undefined;
    this.#observed = undefined;
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#box = this.#intersecting = undefined;
    // The tile is gone: its video is no longer shown.
    this.#send(null);
  }

  #observe() {
    const target = this.#target();
    if (!this.#rendered || target === this.#observed || !this.#resize || !this.#intersection) return;
    this.#resize.disconnect();
    this.#intersection.disconnect();
    this.#observed = target;
    // A new element: unknown until the observers measure it (each delivers a first entry).
    this.#box = this.#intersecting = undefined;
    if (target) {
      this.#resize.observe(target);
      this.#intersection.observe(target);
    } else this.#update();
  }

  #update() {
    if (document.visibilityState === 'hidden' || !this.#observed) return this.#send(null);
    const box = this.#box;
    if (!box || this.#intersecting === undefined) return; // not measured yet: say nothing
    this.#send(this.#intersecting && box.width > 0 && box.height > 0 ? { width: box.width, height: box.height } : null);
  }

  #send(size: ViewSize | null) {
    const last = this.#last;
    if (last !== undefined && (last === null || size === null ? last === size : last.width === size.width && last.height === size.height)) return;
    this.#last = size;
    this.#report(size);
  }
}
