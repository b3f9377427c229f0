/**
 * A second thread for large listings: a worker (scanWorker.ts) and the indexing thread claim
 * chunks of the same listing from one shared counter, so each reads and scans about half of the
 * files. The worker hands over what it read (the bytes, transferred, not copied) and, for the
 * files the quick scanner knows, their id and summary; the indexing thread loads everything
 * else itself (see loadListing in project.ts).
 *
 * The indexing thread does not depend on the worker: until the worker runs it claims every
 * chunk itself; at the end it waits only for the chunks the worker has in flight, and when the
 * worker fails, is closed or makes no progress for a while, it loads what is missing itself. A file the worker could not read comes back without bytes and is read again,
 * so errors are reported exactly as without the worker.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { MessagePort, Worker as WorkerType } from 'worker_threads';
import type { FileSummary } from './scriptFile';

/** What the worker read of one file that the quick scanner knows. */
export interface Scanned {
  id?: string;
  idFromFilename?: boolean;
  summary: FileSummary;
}

/** A listing handed to the worker. */
export interface Job {
  job: number;
  paths: string[];
  /** One Int32: the first index of the listing not claimed yet. */
  counter: SharedArrayBuffer;
  chunk: number;
  /** Whether to scan (the fast read mode) or only read. */
  scan: boolean;
}

/** A chunk the worker finished: the bytes of each file (length -1: not read) and what it scanned. */
export interface Batch {
  job: number;
  from: number;
  buf: ArrayBuffer;
  offsets: Int32Array;
  lengths: Int32Array;
  files: (Scanned | null)[];
}

/** One file of the listing, from the worker. */
export interface Loaded {
  i: number;
  /** Undefined when the worker could not read it (the caller reads it again). */
  bytes?: Uint8Array;
  scanned?: Scanned;
}

export interface ReadAhead {
  /** Starts a listing (replaces any earlier one): from now on the worker claims chunks of it. `scan`: the fast read mode. */
  start(paths: string[], scan: boolean): void;
  /** A chunk [from, to) for the caller to load itself; undefined when every chunk is claimed. */
  claim(): { from: number; to: number } | undefined;
  /** The files the worker finished since the last call, without waiting. */
  take(): Loaded[];
  /** False once the worker cannot deliver any more (it failed, exited or was closed). */
  alive(): boolean;
  /** Stops the worker. */
  close(): void;
}

/** Files per claim: small enough that the last chunk in flight is a short wait. */
const CHUNK = 32;

/** The bundled worker beside this bundle (dist/scanWorker.js). */
const DEFAULT_WORKER = path.join(__dirname, 'scanWorker.js');

/**
 * Whether a worker is worth it: one that scans as well as reads, on four or more cores. With two
 * cores V8's own threads (the optimizing compiler, the garbage collector's helpers) already use
 * the second one while the files are scanned: there a scanning worker made the cold index ~10%
 * slower, and so does a worker that only reads (its start-up and hand-over cost more than the
 * reads it takes over): CLI `graph --json` on a 2-core machine, medians of alternating runs,
 * 10,000 files 366 ms with a reading worker, 345 ms without (31 runs); 1,000 files 134 / 121 ms
 * (15 runs).
 */
const SCAN_ON_WORKER = (os.availableParallelism?.() ?? os.cpus().length) >= 4;

/** The reader for a full index: a scanning worker on four or more cores, none below (see SCAN_ON_WORKER). */
export function defaultReadAhead(): ReadAhead | undefined {
  return SCAN_ON_WORKER ? startReadAhead() : undefined;
}

/**
 * A reader with a worker from `workerFile`, started with the first listing (`eager`: at once);
 * without the file, the caller loads everything. `scan` says whether the worker scans
 * (default: on four or more cores).
 */
export function startReadAhead(workerFile: string = DEFAULT_WORKER, opts: { scan?: boolean; eager?: boolean } = {}): ReadAhead {
  const scanning = opts.scan ?? SCAN_ON_WORKER;
  let worker: WorkerType | undefined;
  let port: MessagePort | undefined;
  let receive: ((p: MessagePort) => { message: Batch } | undefined) | undefined;
  let job = 0;
  let size = 0;
  let failed = false;
  let counter = new Int32Array(new SharedArrayBuffer(4));
  const spawn = (): void => {
    try {
      if (!fs.existsSync(workerFile)) throw new Error(`no ${workerFile}`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wt = require('worker_threads') as typeof import('worker_threads');
      const channel = new wt.MessageChannel();
      const w = new wt.Worker(workerFile, { workerData: { port: channel.port2 }, transferList: [channel.port2] });
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
  if (opts.eager) spawn();
  return {
    start(paths, scan) {
      job++;
      size = paths.length;
      counter = new Int32Array(new SharedArrayBuffer(4));
      if (failed) return;
      // started with the first listing (a small project never pays for a thread it does not use)
      if (!worker) spawn();
      const j: Job = { job, paths, counter: counter.buffer as SharedArrayBuffer, chunk: CHUNK, scan: scan && scanning };
      port?.postMessage(j);
    },
    claim() {
      const from = Atomics.add(counter, 0, CHUNK);
      return from < size ? { from, to: Math.min(from + CHUNK, size) } : undefined;
    },
    take() {
      const out: Loaded[] = [];
      if (!port || !receive) return out;
      for (let m = receive(port); m; m = receive(port)) {
        const b = m.message;
        if (b.job !== job) continue;
        for (let k = 0; k < b.lengths.length; k++) {
          const len = b.lengths[k];
          const x: Loaded = { i: b.from + k };
          if (len >= 0) x.bytes = new Uint8Array(b.buf, b.offsets[k], len);
          const s = b.files[k];
          if (s) x.scanned = s;
          out.push(x);
        }
      }
      return out;
    },
    alive() {
      return !failed;
    },
    close() {
      failed = true;
      Atomics.store(counter, 0, 1 << 30); // the worker stops at its next claim (and the caller's claims end)
      port?.close();
      void worker?.terminate();
    },
  };
}
