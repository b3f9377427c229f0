/** Finds a Python interpreter for the tests (the first on PATH may lack Debian's alembic). */
import { spawnSync } from 'child_process';

const cache = new Map<boolean, string>();

export function findPython(opts: { needAlembic: boolean } = { needAlembic: true }): string {
  const hit = cache.get(opts.needAlembic);
  if (hit) return hit;
  const candidates = [process.env.ALEMBIC_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((c): c is string => !!c);
  for (const c of candidates) {
    const r = spawnSync(c, ['-c', opts.needAlembic ? 'import alembic' : 'import configparser'], { encoding: 'utf8' });
    if (r.status === 0) {
      cache.set(opts.needAlembic, c);
      return c;
    }
  }
  throw new Error(`No Python ${opts.needAlembic ? 'with alembic ' : ''}found (tried ${candidates.join(', ')}). Install Debian's python3-alembic (apt-get install python3-alembic) or set ALEMBIC_PYTHON.`);
}
