import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ViewSize } from '../core/view-hints.js';

/**
 * Reports the size at which an element (a tile's video) is shown, in device pixels, or null while
 * it is not shown: `display: none` or zero size (ResizeObserver), scrolled out of the viewport
 * (IntersectionObserver), or the page in the background (`visibilitychange`). Calls `report` only
 * when that changes; the core debounces and decides what is worth telling the sender.
 */
export class ViewSizeController implements ReactiveController {
  readonly #target: () => Element | null | undefined;
  readonly #report: (size: ViewSize | null) => void;
  #observed: Element | null | undefined;
  #resize: ResizeObserver | undefined;
  #intersection: IntersectionObserver | undefined;
  #box: ViewSize = { width: 0, height: 0 };
  #intersecting = false;
  #last: ViewSize | null | undefined;
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
    this.#observe();
  }

  hostDisconnected(): void {
    this.#resize?.disconnect();
    this.#intersection?.disconnect();
    this.#resize = this.#intersection = undefined;
    this.#observed = undefined;
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#intersecting = false;
    this.#update();
  }

  #observe() {
    const target = this.#target();
    if (target === this.#observed || !this.#resize || !this.#intersection) return;
    this.#resize.disconnect();
    this.#intersection.disconnect();
    this.#observed = target;
    this.#intersecting = false;
    if (target) {
      this.#resize.observe(target);
      this.#intersection.observe(target);
    }
    this.#update();
  }

  #update() {
    const { width, height } = this.#box;
    const shown = this.#observed && this.#intersecting && document.visibilityState !== 'hidden' && width > 0 && height > 0;
    const size = shown ? { width, height } : null;
    const last = this.#last;
    if (last !== undefined && (last === null || size === null ? last === size : last.width === size.width && last.height === size.height)) return;
    this.#last = size;
    this.#report(size);
  }
}
