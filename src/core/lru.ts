/**
 * A Map that keeps at most `max` entries and forgets the least recently used first: for caches
 * keyed by what other people send (language tags, language pairs), which must stay small however
 * many distinct keys arrive. `get` counts as a use; `onEvict` is told about each entry it drops.
 */
export class LruMap<K, V> {
  readonly #map = new Map<K, V>();

  constructor(
    readonly max: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!(max >= 1)) throw new RangeError('an LRU map keeps at least one entry');
  }

  get size(): number {
    return this.#map.size;
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    if (!this.#map.has(key)) return undefined;
    const value = this.#map.get(key)!;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  /** The value without counting a use. */
  peek(key: K): V | undefined {
    return this.#map.get(key);
  }

  set(key: K, value: V): this {
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.max) {
      const [oldest, dropped] = this.#map.entries().next().value!;
      this.#map.delete(oldest);
      this.onEvict?.(oldest, dropped);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }
}
