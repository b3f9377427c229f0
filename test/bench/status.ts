// The live status as the extension computes it on a refresh: read the applied versions from
// PostgreSQL (a new connection each time, as the status service does) and compute what is
// pending against the graph the language server already holds. Bundled by run.mjs.
import { readAppliedVersions } from '../../client/src/db/versionTable';
import { indexWorkspace, nodeFs } from '../../server/src/core';
import { computeStatus } from '../../server/src/core/db/status';
import { parseDbUrl } from '../../server/src/core/db/url';

export async function measureStatus(dir: string, url: string, runs: number, wasmDir: string): Promise<{ ms: number; pending: number; applied: string[] }> {
  const [ix] = await indexWorkspace(nodeFs, dir);
  const parsed = parseDbUrl(url);
  if ('error' in parsed) throw new Error(parsed.error);
  const times: number[] = [];
  let last: ReturnType<typeof computeStatus> | undefined;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = process.hrtime.bigint();
    const rows = await readAppliedVersions(parsed.url, dir, { name: 'alembic_version' }, { wasmDir });
    last = computeStatus(ix.graph, rows);
    if (i) times.push(Number(process.hrtime.bigint() - t0) / 1e6); // the first run warms the driver
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], pending: last?.pending?.length ?? -1, applied: last?.applied ?? [] };
}

/** A revision roughly in the middle of the history (what the database is stamped at). */
export async function middleRevision(dir: string): Promise<string> {
  const [ix] = await indexWorkspace(nodeFs, dir);
  const ids = [...ix.graph.nodes.keys()].sort();
  return ids[Math.floor(ids.length / 2)];
}
