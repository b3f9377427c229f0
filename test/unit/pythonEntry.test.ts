/**
 * The runner's check that env.py connects to the selected database (client/src/features/pythonEntry.ts),
 * run in the real Python with the real SQLAlchemy.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import { SAME_DATABASE_PY } from '../../client/src/features/pythonEntry';
import { findPython } from '../python';

/** Runs _same in the real Python and SQLAlchemy, with host names resolved from `hosts` (no DNS: the same on every machine). */
function same(pairs: [string, string][], hosts: Record<string, string[]>): boolean[] {
  const harness = [
    SAME_DATABASE_PY,
    'import json, socket, sys',
    'data = json.load(sys.stdin)',
    'def _lookup(host, port, *args, **kw):',
    '    try: __import__("ipaddress").ip_address(host); return [(0, 0, 0, "", (host, 0))]',
    '    except ValueError: pass',
    '    if host not in data["hosts"]: raise socket.gaierror("unknown")',
    '    return [(0, 0, 0, "", (a, 0)) for a in data["hosts"][host]]',
    'socket.getaddrinfo = _lookup',
    'print(json.dumps([_same(a, b) for a, b in data["pairs"]]))',
  ].join('\n');
  const r = spawnSync(findPython(), ['-c', harness], { input: JSON.stringify({ pairs, hosts }), encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as boolean[];
}

describe('the database env.py connects to is the selected one', () => {
  it('a name and its address, or two names of this machine, are the same server; two remote names sharing a proxy are not; other ports, users or databases are not', () => {
    const hosts = {
      localhost: ['127.0.0.1', '::1'], vm: ['127.0.0.1'], debianhost: ['127.0.1.1'],
      'db.internal': ['10.0.0.5'], 'ep-main.pooler.example': ['3.3.3.3', '3.3.3.4'], 'ep-dev.pooler.example': ['3.3.3.3', '3.3.3.4'],
    };
    const cases: [string, string, boolean][] = [
      ['postgresql://app@localhost/prod', 'postgresql://app@127.0.0.1:5432/prod', true],
      ['postgresql://app@vm/prod', 'postgresql://app@localhost/prod', true],
      ['postgresql+psycopg2://app:pw@vm:5432/prod', 'postgresql://app@[::1]/prod', true],
      ['postgresql://app@debianhost/prod', 'postgresql://app@localhost/prod', false],
      ['postgresql://app@db.internal/prod', 'postgresql://app@10.0.0.5/prod', true],
      ['postgresql://app@10.0.0.5:5432/prod', 'postgresql://app@db.internal/prod', true],
      ['postgresql://app@10.0.0.6/prod', 'postgresql://app@db.internal/prod', false],
      ['postgresql://app@ep-main.pooler.example/neondb', 'postgresql://app@ep-dev.pooler.example/neondb', false],
      ['postgresql://app@vm:5433/prod', 'postgresql://app@localhost/prod', false],
      ['postgresql://app@vm/prod', 'postgresql://other@localhost/prod', false],
      ['postgresql://app@vm/prod', 'postgresql://app@localhost/staging', false],
      ['postgresql://app@db-one.invalid/prod', 'postgresql://app@db-two.invalid/prod', false],
      ['postgresql://app@db-one.invalid/prod', 'postgresql://app@db-one.invalid/prod', true],
      ['postgresql://app@/prod?host=/var/run/postgresql', 'postgresql://app@localhost/prod', false],
      ['sqlite:///one.db', 'sqlite:///two.db', false],
    ];
    assert.deepStrictEqual(same(cases.map(([a, b]) => [a, b]), hosts), cases.map(([, , want]) => want), cases.map(([a, b, w]) => `${a} ~ ${b}: ${w}`).join('\n'));
  });
});
