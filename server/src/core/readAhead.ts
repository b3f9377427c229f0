/**
 * Reading many migration files ahead of their use on a second thread: a worker opens and reads
 * the files of a listing in order and hands them over in batches (transferred, not copied),
 * while the caller decodes and scans the ones already there. On two cores this takes the
 * system calls (about a third of a cold index) off the thread that scans.
 *
 * The worker starts with the first listing; until it runs, and whenever it falls behind, the
 * caller reads the next file itself: the caller never waits for the worker (on a busy machine
 * the worker may get no time at all). Files are claimed through one shared counter, and
 * batches are taken from the port synchronously when the caller needs them. A file the worker
 * could not read comes back as undefined and the caller reads it itself, so errors are
 * reported exactly as without read-ahead.
 */
import type { MessagePort, Worker as WorkerType } from 'worker_threads';

/** Reads files ahead, in the order given to start(). */
export interface ReadAhead {
  /** Starts reading these files (replaces any earlier listing). */
  start(paths: string[]): void;
  /** The bytes of the i-th file of the listing; undefined when the caller should read it itself. */
  get(i: number): Promise<Uint8Array | undefined>;
  /** How many files of the current listing have arrived from the worker so far. */
  received(): number;
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
const { workerData } = require('worker_threads');
const fs = require('fs');
const port = workerData.port;
port.on('message', ({ job, paths, counter }) => {
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
    port.postMessage({ job, from, buf: out.buffer, offsets, lengths }, [out.buffer]);
  }
});
`;

/** A read-ahead reader (its worker starts with the first listing). */
export function startReadAhead(): ReadAhead {
  let worker: WorkerType | undefined;
  let port: MessagePort | undefined;
  let receive: ((p: MessagePort) => { message: Batch } | undefined) | undefined;
  let job = 0;
  let failed = false;
  let counter = new Int32Array(new SharedArrayBuffer(4));
  let batches: Batch[] = [];
  const spawn = (): void => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wt = require('worker_threads') as typeof import('worker_threads');
      const channel = new wt.MessageChannel();
      const w = new wt.Worker(WORKER, { eval: true, workerData: { port: channel.port2 }, transferList: [channel.port2] });
      w.unref();
      channel.port1.unref();
      const stop = (): void => {
        failed = true;
      };
      w.on('error', stop);
      w.on('exit', stop);
      worker = w;
      port = channel.port1;
      receive = wt.receiveMessageOnPort as typeof receive;
    } catch {
      failed = true;
    }
  };
  /** Takes every batch that has arrived, without waiting. */
  const drain = (): void => {
    if (!port || !receive) return;
    for (let m = receive(port); m; m = receive(port)) if (m.message.job === job) batches.push(m.message);
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
      if (!worker) spawn();
      port?.postMessage({ job, paths, counter: counter.buffer });
    },
    async get(i) {
      // not claimed by the worker yet: the caller reads it
      if (failed || Atomics.compareExchange(counter, 0, i, i + 1) === i) return undefined;
      let b = find(i);
      if (!b) {
        drain();
        b = find(i);
      }
      if (!b) return undefined; // claimed but not here yet: the caller reads it rather than wait
      // batches before this one are done with (files are asked for in order)
      if (batches[0] !== b && i === b.from) batches = batches.filter((x) => x.from >= b!.from);
      const k = i - b.from;
      const len = b.lengths[k];
      return len < 0 ? undefined : Buffer.from(b.buf, b.offsets[k], len);
    },
    received() {
      drain();
      return batches.reduce((n, b) => n + b.lengths.length, 0);
    },
    close() {
      failed = true;
      Atomics.store(counter, 0, 0x7fffffff); // the worker stops at its next claim
      port?.close();
      void worker?.terminate();
    },
  };
}
