const INITIAL_SLOTS = 16;

/**
 * A bounded FIFO of entries with their byte sizes. Storage grows by doubling up to the capacity,
 * so a large capacity costs nothing until it is used. Every slot an entry leaves (dropped,
 * evicted, cleared) is overwritten with `undefined` at once, so the ring never keeps a removed
 * entry reachable.
 */
export class Ring<T> {
  /** Entries by slot; `undefined` where no entry lives. */
  private slots: (T | undefined)[];
  /** Byte size of the entry in the same slot. */
  private sizes: Float64Array;
  /** Slot of the oldest entry. */
  private head = 0;
  private length = 0;
  private limit: number;
  /** Sum of the sizes of the entries held. */
  bytes = 0;

  constructor(capacity: number) {
    this.limit = capacity;
    const slots = Math.min(capacity, INITIAL_SLOTS);
    this.slots = new Array<T | undefined>(slots).fill(undefined);
    this.sizes = new Float64Array(slots);
  }

  get count(): number {
    return this.length;
  }

  get capacity(): number {
    return this.limit;
  }

  /**
   * Appends one entry. When the ring is at capacity the oldest entry is dropped to make room;
   * the return value is the dropped entry's size, or -1 when nothing was dropped.
   */
  push(entry: T, size: number): number {
    const slots = this.slots;
    const allocated = slots.length;
    if (this.length < allocated) {
      let tail = this.head + this.length;
      if (tail >= allocated) tail -= allocated;
      slots[tail] = entry;
      this.sizes[tail] = size;
      this.length += 1;
      this.bytes += size;
      return -1;
    }
    if (allocated < this.limit) {
      this.grow(Math.min(this.limit, allocated * 2));
      return this.push(entry, size);
    }
    // Full: the new entry takes the oldest entry's slot.
    const head = this.head;
    const dropped = this.sizes[head] as number;
    slots[head] = entry;
    this.sizes[head] = size;
    this.head = head + 1 === allocated ? 0 : head + 1;
    this.bytes += size - dropped;
    return dropped;
  }

  /** The size of the entry the next push would drop to make room, or 0 when it drops none. */
  wouldDrop(): number {
    return this.length === this.limit ? (this.sizes[this.head] as number) : 0;
  }

  /** Removes the `n` oldest entries (fewer when it holds fewer) and returns the bytes removed. */
  removeOldest(n: number): number {
    const removing = n < this.length ? n : this.length;
    const slots = this.slots;
    const sizes = this.sizes;
    const allocated = slots.length;
    let head = this.head;
    let removed = 0;
    for (let i = 0; i < removing; i += 1) {
      removed += sizes[head] as number;
      slots[head] = undefined;
      head = head + 1 === allocated ? 0 : head + 1;
    }
    this.head = this.length === removing ? 0 : head;
    this.length -= removing;
    this.bytes = this.length === 0 ? 0 : this.bytes - removed;
    return removed;
  }

  /** Removes every entry and returns the bytes removed. */
  clear(): number {
    return this.removeOldest(this.length);
  }

  /**
   * Changes the capacity. Shrinking below the number of entries held drops the oldest ones,
   * as appending would; returns how many were dropped.
   */
  resize(capacity: number): number {
    const dropping = this.length > capacity ? this.length - capacity : 0;
    if (dropping > 0) this.removeOldest(dropping);
    this.limit = capacity;
    const allocated = this.slots.length;
    if (allocated > capacity || allocated < Math.min(capacity, INITIAL_SLOTS)) {
      this.grow(Math.max(this.length, Math.min(capacity, INITIAL_SLOTS)));
    }
    return dropping;
  }

  /** The entries, oldest first, as a new array. */
  toArray(): T[] {
    const out = new Array<T>(this.length);
    const slots = this.slots;
    const allocated = slots.length;
    let index = this.head;
    for (let i = 0; i < this.length; i += 1) {
      out[i] = slots[index] as T;
      index = index + 1 === allocated ? 0 : index + 1;
    }
    return out;
  }

  /** The entry sizes, oldest first (for checking the running sum). */
  sizesInOrder(): number[] {
    const out = new Array<number>(this.length);
    let index = this.head;
    for (let i = 0; i < this.length; i += 1) {
      out[i] = this.sizes[index] as number;
      index = index + 1 === this.slots.length ? 0 : index + 1;
    }
    return out;
  }

  /** How many slots hold a reference, whether or not they are in use (for leak checks). */
  referencedSlots(): number {
    let referenced = 0;
    for (const slot of this.slots) if (slot !== undefined) referenced += 1;
    return referenced;
  }

  /** Moves the entries, oldest first, into fresh storage of `slots` slots. */
  private grow(slots: number): void {
    const nextSlots = new Array<T | undefined>(slots).fill(undefined);
    const nextSizes = new Float64Array(slots);
    const allocated = this.slots.length;
    let index = this.head;
    for (let i = 0; i < this.length; i += 1) {
      nextSlots[i] = this.slots[index];
      nextSizes[i] = this.sizes[index] as number;
      index = index + 1 === allocated ? 0 : index + 1;
    }
    this.slots = nextSlots;
    this.sizes = nextSizes;
    this.head = 0;
  }
}
