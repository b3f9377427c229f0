/**
 * The second thread of a large index (see readAhead.ts). It claims chunks of a listing from the
 * counter it shares with the indexing thread, reads each file, and reads the files the quick
 * scanner knows (what `alembic revision` writes) up to their summary. It hands over the bytes
 * (transferred, not copied) and, for those files, the id and summary; the indexing thread
 * reads anything else itself, so every file is read by the same code either way.
 *
 * Bundled on its own (dist/scanWorker.js): the core's small scanner, not the parser.
 */
import * as fs from 'fs';
import { workerData } from 'worker_threads';
import type { MessagePort } from 'worker_threads';
import { quickFile } from './scriptFile';
import type { Batch, Job, Scanned } from './readAhead';
import { decodeSource } from './text';

const port = (workerData as { port: MessagePort }).port;

port.on('message', (job: Job) => {
  const next = new Int32Array(job.counter);
  for (;;) {
    const from = Atomics.add(next, 0, job.chunk);
    if (from >= job.paths.length) break;
    const n = Math.min(job.chunk, job.paths.length - from);
    const parts: (Buffer | undefined)[] = [];
    const lengths = new Int32Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) {
      try {
        const b = fs.readFileSync(job.paths[from + k]);
        parts.push(b);
        lengths[k] = b.length;
        total += b.length;
      } catch {
        parts.push(undefined); // the indexing thread reads it again and reports the error
        lengths[k] = -1;
      }
    }
    const buf = Buffer.allocUnsafeSlow(total);
    const offsets = new Int32Array(n);
    const files: (Scanned | null)[] = [];
    let at = 0;
    for (let k = 0; k < n; k++) {
      offsets[k] = at;
      const b = parts[k];
      if (!b) {
        files.push(null);
        continue;
      }
      b.copy(buf, at);
      at += b.length;
      files.push(job.scan ? scanned(job.paths[from + k], b) : null);
    }
    const batch: Batch = { job: job.job, from, buf: buf.buffer, offsets, lengths, files };
    port.postMessage(batch, [buf.buffer]);
  }
});

/** The id and summary of a file the quick scanner reads; null for any other file. */
function scanned(path: string, bytes: Buffer): Scanned | null {
  const d = decodeSource(bytes);
  const f = 'error' in d ? undefined : quickFile(path, d.text);
  return f ? { id: f.id, idFromFilename: f.idFromFilename, summary: f.summary! } : null;
}
