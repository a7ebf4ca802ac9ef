/**
 * An EventTarget whose event names and details are checked by the compiler. Core classes extend it
 * so that elements and tests subscribe with `addEventListener` like to any DOM object.
 */
export class TypedEventTarget<Events extends { [K in keyof Events]: CustomEvent<unknown> }> extends EventTarget {
  dispatch<K extends keyof Events & string>(type: K, detail: Events[K] extends CustomEvent<infer D> ? D : never): boolean {
    return this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  on<K extends keyof Events & string>(type: K, listener: (event: Events[K]) => void, options?: AddEventListenerOptions): () => void {
    this.addEventListener(type, listener as EventListener, options);
    return () => this.removeEventListener(type, listener as EventListener);
  }
}
