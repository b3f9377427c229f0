/**
 * Reading many migration files ahead of their use on a second thread: a worker opens and reads
 * the files of a listing in order and hands them over in batches (transferred, not copied),
 * while the caller decodes and scans the ones already there. On two cores this takes the
 * system calls (about a third of a cold index) off the thread that scans.
 *
 * The worker starts with the first listing; until it runs, and whenever it falls behind, the
 * caller reads the next file itself. Both claim files through one shared counter, so each file
 * is read once. A file the worker could not read comes back as undefined and the caller reads
 * it itself, so errors are reported exactly as without read-ahead.
 */
import type { Worker as WorkerType } from 'worker_threads';

/** Reads files ahead, in the order given to start(). */
export interface ReadAhead {
  /** Starts reading these files (replaces any earlier listing). */
  start(paths: string[]): void;
  /** The bytes of the i-th file of the listing; undefined when the caller should read it itself. */
  get(i: number): Promise<Uint8Array | undefined>;
  /** Stops the worker. */
  close(): void;
}

interface Batch {
  job: number;
  from: number;
  buf: ArrayBuffer;
  offsets: Int32Array;
  lengths: Int32Array;
}

/** The worker: plain JavaScript evaluated in the thread (no bundle to load). */
const WORKER = `
const { parentPort } = require('worker_threads');
const fs = require('fs');
parentPort.on('message', ({ job, paths, counter }) => {
  const next = new Int32Array(counter);
  for (let size = 8; ; size = Math.min(size * 2, 256)) {
    const from = Atomics.add(next, 0, size);
    if (from >= paths.length) break;
    const n = Math.min(size, paths.length - from);
    const parts = [];
    const lengths = new Int32Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) {
      try {
        const b = fs.readFileSync(paths[from + k]);
        parts.push(b);
        lengths[k] = b.length;
        total += b.length;
      } catch {
        parts.push(null);
        lengths[k] = -1;
      }
    }
    const out = Buffer.allocUnsafeSlow(total);
    const offsets = new Int32Array(n);
    let at = 0;
    for (let k = 0; k < n; k++) {
      offsets[k] = at;
      if (parts[k]) { parts[k].copy(out, at); at += parts[k].length; }
    }
    parentPort.postMessage({ job, from, buf: out.buffer, offsets, lengths }, [out.buffer]);
  }
});
`;

/** A read-ahead reader (its worker starts with the first listing). */
export function startReadAhead(): ReadAhead {
  let worker: WorkerType | undefined;
  let job = 0;
  let failed = false;
  let counter = new Int32Array(new SharedArrayBuffer(4));
  let batches: Batch[] = [];
  let waiting: (() => void)[] = [];
  const wake = (): void => {
    const w = waiting;
    waiting = [];
    for (const f of w) f();
  };
  const spawn = (): WorkerType | undefined => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Worker } = require('worker_threads') as typeof import('worker_threads');
      const w = new Worker(WORKER, { eval: true });
      w.unref();
      w.on('message', (b: Batch) => {
        if (b.job !== job) return;
        batches.push(b);
        wake();
      });
      const stop = (): void => {
        failed = true;
        wake();
      };
      w.on('error', stop);
      w.on('exit', stop);
      return w;
    } catch {
      failed = true;
      return undefined;
    }
  };
  const find = (i: number): Batch | undefined => {
    for (const b of batches) if (i >= b.from && i < b.from + b.lengths.length) return b;
    return undefined;
  };
  return {
    start(paths) {
      job++;
      batches = [];
      counter = new Int32Array(new SharedArrayBuffer(4));
      if (failed) return;
      worker ??= spawn();
      worker?.postMessage({ job, paths, counter: counter.buffer });
    },
    async get(i) {
      // not claimed by the worker yet: the caller reads it
      if (failed || Atomics.compareExchange(counter, 0, i, i + 1) === i) return undefined;
      let b = find(i);
      if (!b && !failed && worker) {
        worker.ref(); // keep the process alive while it waits for the worker
        try {
          while (!b && !failed) {
            await new Promise<void>((resolve) => waiting.push(resolve));
            b = find(i);
          }
        } finally {
          worker.unref();
        }
      }
      if (!b) return undefined;
      // batches before this one are done with (files are asked for in order)
      if (batches[0] !== b && i === b.from) batches = batches.filter((x) => x.from >= b!.from);
      const k = i - b.from;
      const len = b.lengths[k];
      return len < 0 ? undefined : Buffer.from(b.buf, b.offsets[k], len);
    },
    close() {
      failed = true;
      Atomics.store(counter, 0, 0x7fffffff); // the worker stops at its next claim
      void worker?.terminate();
    },
  };
}
