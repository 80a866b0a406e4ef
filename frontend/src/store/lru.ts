/** A least-recently-used map with a fixed capacity; evicted values go to `onEvict` (e.g. bitmap.close). */
export class Lru<K, V> {
  private map = new Map<K, V>();

  constructor(public capacity: number, private onEvict?: (value: V, key: K) => void) {}

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Return the value and mark it most recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  /** Return the value without changing its recency. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      this.map.delete(key);
      if (old !== value) this.onEvict?.(old, key);
    }
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const [oldestKey, oldestValue] = this.map.entries().next().value as [K, V];
      this.map.delete(oldestKey);
      this.onEvict?.(oldestValue, oldestKey);
    }
  }

  delete(key: K): void {
    const value = this.map.get(key);
    if (value === undefined) return;
    this.map.delete(key);
    this.onEvict?.(value, key);
  }

  clear(): void {
    for (const [k, v] of this.map) this.onEvict?.(v, k);
    this.map.clear();
  }
}
