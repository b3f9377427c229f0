/**
 * The runner's check that env.py connects to the selected database (client/src/features/pythonEntry.ts),
 * run in the real Python with the real SQLAlchemy.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as os from 'os';
import { SAME_DATABASE_PY } from '../../client/src/features/pythonEntry';
import { findPython } from '../python';

function same(pairs: [string, string][]): boolean[] {
  const harness = `${SAME_DATABASE_PY}\nimport json, sys\nprint(json.dumps([_same(a, b) for a, b in json.load(sys.stdin)]))`;
  const r = spawnSync(findPython(), ['-c', harness], { input: JSON.stringify(pairs), encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as boolean[];
}

describe('the database env.py connects to is the selected one', () => {
  it('the same server under another name (this machine\'s host name, localhost, 127.0.0.1, ::1) is the same; other ports, users, databases or unknown names are not', () => {
    const me = os.hostname(); // resolves to this machine (a loopback address here)
    const cases: [string, string, boolean][] = [
      ['postgresql://app@localhost/prod', 'postgresql://app@127.0.0.1:5432/prod', true],
      [`postgresql://app@${me}/prod`, 'postgresql://app@localhost/prod', true],
      [`postgresql+psycopg2://app:pw@${me}:5432/prod`, 'postgresql://app@[::1]/prod', true],
      [`postgresql://app@${me}:5433/prod`, 'postgresql://app@localhost/prod', false],
      [`postgresql://app@${me}/prod`, 'postgresql://other@localhost/prod', false],
      [`postgresql://app@${me}/prod`, 'postgresql://app@localhost/staging', false],
      ['postgresql://app@192.0.2.1/prod', `postgresql://app@${me}/prod`, false],
      ['postgresql://app@db-one.invalid/prod', 'postgresql://app@db-two.invalid/prod', false],
      ['postgresql://app@db-one.invalid/prod', 'postgresql://app@db-one.invalid/prod', true],
      ['postgresql://app@/prod?host=/var/run/postgresql', 'postgresql://app@localhost/prod', false],
      ['sqlite:///one.db', 'sqlite:///two.db', false],
    ];
    assert.deepStrictEqual(same(cases.map(([a, b]) => [a, b])), cases.map(([, , want]) => want), cases.map(([a, b, w]) => `${a} ~ ${b}: ${w}`).join('\n'));
  });
});
