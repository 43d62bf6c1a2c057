const INITIAL_SLOTS = 16;

/**
 * A bounded FIFO of entries with their byte sizes. Storage grows by doubling up to the capacity,
 * so a large capacity costs nothing until it is used.
 *
 * Sizes are kept as running totals (each slot holds the bytes pushed up to and including its
 * entry), so removing the n oldest entries costs O(1) whatever n is. The slots they leave are
 * *released* — overwritten with `undefined`, so the entries can be garbage-collected — either at
 * once (`clear`, `resize`, `releaseAll`) or a bounded number at a time (`release`), which spreads
 * a large eviction over the calls that follow it. A slot dropped by a full push is overwritten by
 * the new entry there and then.
 */
export class Ring<T> {
  /** Entries by slot; `undefined` where no entry lives and none awaits release. */
  private slots: (T | undefined)[];
  /** Running total of bytes pushed, up to and including the entry in the same slot. */
  private ends: Float64Array;
  /** Slot of the oldest entry. */
  private head = 0;
  private length = 0;
  private limit: number;
  /** Bytes pushed over the ring's life (rebased now and then, see `rebase`). */
  private pushed = 0;
  /** Bytes pushed before the oldest entry held: everything up to here has left. */
  private left = 0;
  /** Removed entries still referenced: `pending` slots from `releaseFrom`, ending right before `head`. */
  private releaseFrom = 0;
  private pending = 0;

  constructor(capacity: number) {
    this.limit = capacity;
    const slots = Math.min(capacity, INITIAL_SLOTS);
    this.slots = new Array<T | undefined>(slots).fill(undefined);
    this.ends = new Float64Array(slots);
  }

  get count(): number {
    return this.length;
  }

  get capacity(): number {
    return this.limit;
  }

  /** Sum of the sizes of the entries held. */
  get bytes(): number {
    return this.pushed - this.left;
  }

  /** Removed entries whose slots still reference them. */
  get pendingRelease(): number {
    return this.pending;
  }

  /**
   * Appends one entry. When the ring is at capacity the oldest entry is dropped to make room;
   * the return value is the dropped entry's size, or -1 when nothing was dropped.
   */
  push(entry: T, size: number): number {
    if (this.length === this.slots.length && this.length < this.limit) this.grow(Math.min(this.limit, this.length * 2));
    // Running totals stay exact integers: start again from the oldest entry before they could not.
    if (this.pushed > Number.MAX_SAFE_INTEGER - size) this.rebase();
    const slots = this.slots;
    const allocated = slots.length;
    const end = this.pushed + size;
    this.pushed = end;
    if (this.length < allocated) {
      let tail = this.head + this.length;
      if (tail >= allocated) tail -= allocated;
      // Once the clean free slots are used up, the tail moves into the slots awaiting release.
      if (this.pending > 0 && tail === this.releaseFrom) {
        this.releaseFrom = tail + 1 === allocated ? 0 : tail + 1;
        this.pending -= 1;
      }
      slots[tail] = entry;
      this.ends[tail] = end;
      this.length += 1;
      return -1;
    }
    // Full: the new entry takes the oldest entry's slot.
    const head = this.head;
    const droppedEnd = this.ends[head] as number;
    const dropped = droppedEnd - this.left;
    this.left = droppedEnd;
    slots[head] = entry;
    this.ends[head] = end;
    this.head = head + 1 === allocated ? 0 : head + 1;
    return dropped;
  }

  /** The size of the entry the next push would drop to make room, or 0 when it drops none. */
  wouldDrop(): number {
    return this.length === this.limit ? (this.ends[this.head] as number) - this.left : 0;
  }

  /**
   * Removes the `n` oldest entries (fewer when it holds fewer) and returns the bytes removed, in
   * O(1): their slots await release.
   */
  removeOldest(n: number): number {
    const removing = n < this.length ? n : this.length;
    if (removing <= 0) return 0;
    const allocated = this.slots.length;
    let last = this.head + removing - 1;
    if (last >= allocated) last -= allocated;
    const end = this.ends[last] as number;
    const removed = end - this.left;
    this.left = end;
    if (this.pending === 0) this.releaseFrom = this.head;
    this.pending += removing;
    const next = this.head + removing;
    this.head = next >= allocated ? next - allocated : next;
    this.length -= removing;
    return removed;
  }

  /** Releases up to `max` slots of removed entries, oldest first; returns how many. */
  release(max: number): number {
    const releasing = max < this.pending ? max : this.pending;
    const slots = this.slots;
    const allocated = slots.length;
    let slot = this.releaseFrom;
    for (let i = 0; i < releasing; i += 1) {
      slots[slot] = undefined;
      slot = slot + 1 === allocated ? 0 : slot + 1;
    }
    this.releaseFrom = slot;
    this.pending -= releasing;
    return releasing;
  }

  releaseAll(): void {
    this.release(this.pending);
  }

  /** Removes every entry, releasing them at once, and returns the bytes removed. */
  clear(): number {
    const removed = this.removeOldest(this.length);
    this.releaseAll();
    return removed;
  }

  /**
   * Changes the capacity. Shrinking below the number of entries held drops the oldest ones,
   * as appending would; returns how many were dropped. Everything removed is released.
   */
  resize(capacity: number): number {
    const dropping = this.length > capacity ? this.length - capacity : 0;
    if (dropping > 0) this.removeOldest(dropping);
    this.limit = capacity;
    const allocated = this.slots.length;
    if (allocated > capacity || allocated < Math.min(capacity, INITIAL_SLOTS)) {
      this.grow(Math.max(this.length, Math.min(capacity, INITIAL_SLOTS)));
    } else {
      this.releaseAll();
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

  /** The entry sizes, oldest first (for checking the running totals). */
  sizesInOrder(): number[] {
    const out = new Array<number>(this.length);
    let index = this.head;
    let previous = this.left;
    for (let i = 0; i < this.length; i += 1) {
      const end = this.ends[index] as number;
      out[i] = end - previous;
      previous = end;
      index = index + 1 === this.slots.length ? 0 : index + 1;
    }
    return out;
  }

  /** How many slots hold a reference, in use or awaiting release (for leak checks). */
  referencedSlots(): number {
    let referenced = 0;
    for (const slot of this.slots) if (slot !== undefined) referenced += 1;
    return referenced;
  }

  /** Counts from the oldest entry again: O(entries held), once per 2^53 bytes pushed. */
  private rebase(): void {
    const allocated = this.slots.length;
    let index = this.head;
    for (let i = 0; i < this.length; i += 1) {
      this.ends[index] = (this.ends[index] as number) - this.left;
      index = index + 1 === allocated ? 0 : index + 1;
    }
    this.pushed -= this.left;
    this.left = 0;
  }

  /** Moves the entries, oldest first, into fresh storage of `slots` slots; removed ones stay behind. */
  private grow(slots: number): void {
    const nextSlots = new Array<T | undefined>(slots).fill(undefined);
    const nextEnds = new Float64Array(slots);
    const allocated = this.slots.length;
    let index = this.head;
    for (let i = 0; i < this.length; i += 1) {
      nextSlots[i] = this.slots[index];
      nextEnds[i] = this.ends[index] as number;
      index = index + 1 === allocated ? 0 : index + 1;
    }
    this.slots = nextSlots;
    this.ends = nextEnds;
    this.head = 0;
    this.releaseFrom = 0;
    this.pending = 0;
  }
}
