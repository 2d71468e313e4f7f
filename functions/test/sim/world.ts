/**
 * The simulated world the delivery core runs in: a virtual clock with async processes, a seeded
 * random source, a document store with Firestore's preconditions (a version per document, an
 * update that names the version it read), and a task queue that delays, duplicates, drops and
 * re-dispatches. Nothing here knows about deliveries.
 */

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Discrete-event time. Processes are async functions that `await clock.sleep(ms)`; the loop
 * resolves the earliest timer, lets every continuation it released run to its next sleep, and
 * moves on. Ties run in the order they were set, so a run depends on the seed alone.
 */
export class Clock {
  now = 0;
  private seq = 0;
  private heap: Timer[] = [];

  at(at: number, fn: () => void): void {
    const t = { at: Math.max(at, this.now), seq: this.seq++, fn };
    const h = this.heap;
    h.push(t);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (before(h[p], h[i])) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  sleep(ms: number): Promise<void> {
    return new Promise((r) => this.at(this.now + Math.max(0, ms), r));
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }

  /** Runs until no timer is left before `untilMs`. */
  async run(untilMs: number): Promise<void> {
    for (;;) {
      const next = this.heap[0];
      if (!next || next.at > untilMs) break;
      this.pop();
      this.now = next.at;
      next.fn();
      // Let every continuation released by this timer run up to its next sleep.
      await new Promise((r) => setImmediate(r));
    }
    this.now = Math.max(this.now, untilMs);
  }
}

const before = (a: Timer, b: Timer) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** A document with a version, as Firestore's update time: a precondition names the version read. */
export interface Versioned<T> {
  data: T;
  version: number;
}

let versions = 0;

export class Table<T extends object> {
  readonly docs = new Map<string, Versioned<T>>();
  constructor(private readonly onWrite: (id: string, data: T) => void = () => undefined) {}

  get(id: string): Versioned<T> | undefined {
    const d = this.docs.get(id);
    return d && { data: structuredClone(d.data), version: d.version };
  }

  set(id: string, data: T): number {
    const version = ++versions;
    this.docs.set(id, { data: structuredClone(data), version });
    this.onWrite(id, data);
    return version;
  }

  /** Firestore's update with `lastUpdateTime`: the new version, or undefined when the document changed (or is gone). */
  updateIfUnchanged(id: string, patch: Partial<T>, version: number): number | undefined {
    const d = this.docs.get(id);
    if (!d || d.version !== version) return undefined;
    return this.set(id, { ...d.data, ...patch });
  }

  update(id: string, patch: Partial<T>): number | undefined {
    const d = this.docs.get(id);
    return d ? this.set(id, { ...d.data, ...patch }) : undefined;
  }

  delete(id: string): void {
    this.docs.delete(id);
  }

  where(pred: (data: T, id: string) => boolean): { id: string; data: T; version: number }[] {
    return [...this.docs.entries()].filter(([id, d]) => pred(d.data, id)).map(([id, d]) => ({ id, ...structuredClone(d) }));
  }
}

/** A handler's death between two steps: the queue dispatches the task again, as Cloud Tasks does for a failed handler. */
export class Crash extends Error {}

export interface QueueFaults {
  /** Dispatched twice. */
  pDuplicate: number;
  /** Accepted and never dispatched. */
  pDrop: number;
  /** Dispatched minutes after its time. */
  pLate: number;
}

/**
 * Cloud Tasks as the delivery sees it: a task id is accepted once; a task runs at its schedule time
 * plus a small delay (sometimes minutes late, sometimes twice, sometimes never); a handler that
 * crashes is dispatched again with the queue's own backoff (5 s doubling to 300 s, 10 tries).
 */
export class Queue<T> {
  private ids = new Set<string>();
  enqueued = 0;
  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly faults: QueueFaults,
    private readonly handler: (task: T, retryCount: number) => Promise<void>,
    /** A handler that failed other than by a simulated crash: a bug, reported by the run. */
    private readonly onBug: (err: unknown) => void,
  ) {}

  enqueue(id: string, task: T, scheduleAtMs?: number): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    this.enqueued++;
    if (this.random() < this.faults.pDrop) return true;
    const at = Math.max(this.clock.now, scheduleAtMs ?? 0);
    const delay = () =>
      this.random() < this.faults.pLate ? 60_000 + this.random() * 9 * 60_000 : Math.round(-Math.log(1 - this.random()) * 200);
    this.clock.at(at + delay(), () => this.dispatch(task, 0));
    if (this.random() < this.faults.pDuplicate) this.clock.at(at + delay() + 1000 * this.random(), () => this.dispatch(task, 0));
    return true;
  }

  private dispatch(task: T, retryCount: number): void {
    this.handler(task, retryCount).catch((err: unknown) => {
      if (!(err instanceof Crash)) return this.onBug(err);
      if (retryCount + 1 >= 10) return;
      const backoff = Math.min(300_000, 5_000 * 2 ** Math.min(retryCount, 4));
      this.clock.at(this.clock.now + backoff, () => this.dispatch(task, retryCount + 1));
    });
  }
}
