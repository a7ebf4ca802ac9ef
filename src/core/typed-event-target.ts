/**
 * An EventTarget whose event names and details are checked by the compiler. Core classes extend it
 * so that elements and tests subscribe with `addEventListener` like to any DOM object, typed.
 */
export class TypedEventTarget<Events extends { [K in keyof Events]: Event }> extends EventTarget {
  dispatch<K extends keyof Events & string>(type: K, detail: Events[K] extends CustomEvent<infer D> ? D : never): boolean {
    return this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  on<K extends keyof Events & string>(type: K, listener: (event: Events[K]) => void, options?: AddEventListenerOptions): () => void {
    this.addEventListener(type, listener, options);
    return () => this.removeEventListener(type, listener);
  }

  override addEventListener<K extends keyof Events & string>(type: K, listener: (event: Events[K]) => void, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | ((event: never) => void) | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  override removeEventListener<K extends keyof Events & string>(type: K, listener: (event: Events[K]) => void, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | ((event: never) => void) | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }
}
