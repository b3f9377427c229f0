import { promises as fsp } from 'fs';
import type { CoreFs, DirEntry } from './types';

/** CoreFs over the real disk (CLI, benchmark, and the server's base layer). */
export const nodeFs: CoreFs = {
  readFile: (p) => fsp.readFile(p),
  async readDir(p) {
    const ents = await fsp.readdir(p, { withFileTypes: true });
    const out: DirEntry[] = [];
    for (const e of ents) {
      if (e.isSymbolicLink()) {
        let kind: DirEntry['kind'] = 'other';
        try {
          const st = await fsp.stat(`${p}/${e.name}`);
          kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
        } catch {
          /* dangling link */
        }
        out.push({ name: e.name, kind, symlink: true });
      } else {
        out.push({ name: e.name, kind: e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other' });
      }
    }
    return out;
  },
  realpath: (p) => fsp.realpath(p),
  async kind(p) {
    try {
      const st = await fsp.stat(p);
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    } catch {
      return undefined;
    }
  },
};
