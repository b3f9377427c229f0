/**
 * Which folder events the client forwards to the language server (see watchers.ts). Without
 * VS Code, so the unit tests hold the rules.
 */
import * as path from 'path';
import { outsideDiscovery } from '../../../server/src/core/config/skip';
import type { SetupGraph } from '../../../server/src/protocol';

/** Whether path `p` is folder `dir` or lies in it. */
export const within = (p: string, dir: string): boolean => p === dir || p.startsWith(dir + path.sep);

/**
 * Whether a folder that appeared is worth a search by the server: any folder discovery would
 * enter (`rel`: its path relative to its workspace folder), and also a skipped or hidden one
 * (node_modules, .git, .something) that is or holds a setup's version folder, or lies in a
 * version folder Alembic walks recursively (its walk enters such folders too).
 */
export function forwardsFolder(rel: string, dir: string, setups: readonly Pick<SetupGraph, 'versionLocations' | 'recursiveVersionLocations'>[]): boolean {
  if (!outsideDiscovery(rel)) return true;
  return setups.some((s) => (s.versionLocations ?? []).some((v) => within(v, dir) || (!!s.recursiveVersionLocations && within(dir, v))));
}
