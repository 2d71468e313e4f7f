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

/** Every simulated Firestore and Cloud Tasks operation, counted: the model's cost output. */
export class Ops {
  reads = 0;
  writes = 0;
  deletes = 0;
  /** Cloud Tasks bills the API call that creates a task and each dispatch of it. */
  taskCreates = 0;
  taskDispatches = 0;
  /** The most writes one document took in one WRITE_WINDOW_MS, and which. */
  hottest = { key: "", writes: 0 };
  private windows = new Map<string, { start: number; n: number }>();

  constructor(private readonly now: () => number = () => 0) {}

  /** A write to a document: counted, and its rate watched (Firestore sustains about 1 write/s per document). */
  wrote(key: string): void {
    this.writes++;
    const t = this.now();
    const w = this.windows.get(key);
    if (!w || t - w.start >= WRITE_WINDOW_MS) this.windows.set(key, { start: t, n: 1 });
    else if (++w.n > this.hottest.writes) this.hottest = { key, writes: w.n };
  }
}
/** The window over which a document's write rate is watched. */
export const WRITE_WINDOW_MS = 10_000;

/** A document with a version, as Firestore's update time: a precondition names the version read. */
export interface Versioned<T> {
  data: T;
  version: number;
}

let versions = 0;

export class Table<T extends object> {
  readonly docs = new Map<string, Versioned<T>>();
  constructor(
    private readonly onWrite: (id: string, data: T) => void = () => undefined,
    private readonly ops = new Ops(),
    private readonly name = "doc",
  ) {}

  get(id: string): Versioned<T> | undefined {
    this.ops.reads++;
    const d = this.docs.get(id);
    return d && { data: structuredClone(d.data), version: d.version };
  }

  /** The model's own look at a document (an invariant, an admin's action): not a read the product makes, so not billed. */
  peek(id: string): Versioned<T> | undefined {
    const d = this.docs.get(id);
    return d && { data: structuredClone(d.data), version: d.version };
  }

  set(id: string, data: T): number {
    const version = ++versions;
    this.docs.set(id, { data: structuredClone(data), version });
    this.ops.wrote(`${this.name}/${id}`);
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
    this.ops.deletes++;
    this.docs.delete(id);
  }

  /** The model's own search (an admin picking what to redeliver): not billed. */
  scan(pred: (data: T, id: string) => boolean): { id: string; data: T; version: number }[] {
    return [...this.docs.entries()].filter(([id, d]) => pred(d.data, id)).map(([id, d]) => ({ id, ...structuredClone(d) }));
  }

  /** A query: billed a read per document it returns, at least one. */
  where(pred: (data: T, id: string) => boolean): { id: string; data: T; version: number }[] {
    const found = [...this.docs.entries()].filter(([id, d]) => pred(d.data, id)).map(([id, d]) => ({ id, ...structuredClone(d) }));
    this.ops.reads += Math.max(1, found.length);
    return found;
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
export interface QueueLimits {
  /** Cloud Tasks dispatches at most this many tasks a second from one queue (500). */
  perSecond: number;
  /** maxConcurrentDispatches: handlers running at once (the product sets 1,000 a shard). */
  concurrent: number;
}

export class Queue<T> {
  private ids = new Set<string>();
  enqueued = 0;
  private running = 0;
  private waiting: (() => void)[] = [];
  private second = -1;
  private inSecond = 0;
  /** The most handlers that ran at once, and the longest a due task waited for a dispatch slot. */
  mostRunning = 0;
  longestWaitMs = 0;
  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly faults: QueueFaults,
    private readonly handler: (task: T, retryCount: number) => Promise<void>,
    /** A handler that failed other than by a simulated crash: a bug, reported by the run. */
    private readonly onBug: (err: unknown) => void,
    private readonly ops = new Ops(),
    private readonly limits: QueueLimits = { perSecond: 500, concurrent: 1_000 },
  ) {}

  enqueue(id: string, task: T, scheduleAtMs?: number): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    this.enqueued++;
    this.ops.taskCreates++;
    if (this.random() < this.faults.pDrop) return true;
    const at = Math.max(this.clock.now, scheduleAtMs ?? 0);
    const delay = () =>
      this.random() < this.faults.pLate ? 60_000 + this.random() * 9 * 60_000 : Math.round(-Math.log(1 - this.random()) * 200);
    const due = at + delay();
    this.clock.at(due, () => this.dispatch(task, 0, due));
    if (this.random() < this.faults.pDuplicate) {
      const again = at + delay() + 1000 * this.random();
      this.clock.at(again, () => this.dispatch(task, 0, again));
    }
    return true;
  }

  /** A dispatch within the queue's limits: past its rate, at the next second; past its concurrency, when a handler ends. */
  private dispatch(task: T, retryCount: number, dueAt: number): void {
    const second = Math.floor(this.clock.now / 1000);
    if (second !== this.second) [this.second, this.inSecond] = [second, 0];
    if (this.inSecond >= this.limits.perSecond) return this.clock.at((second + 1) * 1000, () => this.dispatch(task, retryCount, dueAt));
    if (this.running >= this.limits.concurrent) return void this.waiting.push(() => this.dispatch(task, retryCount, dueAt));
    this.inSecond++;
    this.running++;
    this.ops.taskDispatches++;
    this.mostRunning = Math.max(this.mostRunning, this.running);
    this.longestWaitMs = Math.max(this.longestWaitMs, this.clock.now - dueAt);
    this.handler(task, retryCount)
      .catch((err: unknown) => {
        if (!(err instanceof Crash)) return this.onBug(err);
        if (retryCount + 1 >= 10) return;
        const backoff = Math.min(300_000, 5_000 * 2 ** Math.min(retryCount, 4));
        const next = this.clock.now + backoff;
        this.clock.at(next, () => this.dispatch(task, retryCount + 1, next));
      })
      .finally(() => {
        this.running--;
        this.waiting.shift()?.();
      });
  }
}
