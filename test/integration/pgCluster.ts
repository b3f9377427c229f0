/**
 * A throwaway PostgreSQL cluster with password (scram-sha-256) authentication, for what the
 * machine's trust-auth server cannot show: a refused password, and a server that goes down and
 * comes back. Uses Debian's initdb/pg_ctl; runs them as the postgres user when we are root.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface PgCluster {
  port: number;
  start(): void;
  stop(): void;
  remove(): void;
}

function binDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error('initdb not found under /usr/lib/postgresql (Debian package postgresql): needed for the password and server-down tests');
  return path.join(base, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startPgCluster(password: string): Promise<PgCluster> {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-pg-'));
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    fs.chownSync(dir, uid, gid);
  }
  const as = (cmd: string, args: string[]): void => {
    const [c, a] = root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(c, a, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${path.basename(cmd)} failed: ${r.stderr || r.stdout}`);
  };
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (root) fs.chownSync(pwfile, fs.statSync(dir).uid, fs.statSync(dir).gid);
  as(path.join(bin, 'initdb'), ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync', '--no-instructions']);
  fs.rmSync(pwfile);
  const port = await freePort();
  const ctl = (what: 'start' | 'stop'): void => as(path.join(bin, 'pg_ctl'), what === 'start'
    ? ['-D', path.join(dir, 'data'), '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']
    : ['-D', path.join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
  ctl('start');
  return {
    port,
    start: () => ctl('start'),
    stop: () => ctl('stop'),
    remove: () => {
      try { ctl('stop'); } catch { /* already stopped */ }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
