import * as assert from 'assert';
import { spawnSync } from 'child_process';
import { getOption, parseIni } from '../../server/src/core/config/ini';
import { findPython } from '../python';

/** Python's configparser on the same text, with Alembic's `here` default. */
function pythonReads(text: string): Record<string, Record<string, string>> | { error: string } {
  const script = `
import configparser, json, sys
p = configparser.ConfigParser({"here": "/proj"})
try:
    p.read_string(sys.stdin.read())
except configparser.Error as e:
    print(json.dumps({"error": type(e).__name__})); sys.exit(0)
out = {}
for s in p.sections():
    out[s] = {}
    for k in p.options(s):
        try:
            out[s][k] = p.get(s, k)
        except configparser.Error as e:
            out[s][k] = "!" + type(e).__name__
print(json.dumps(out))
`;
  const r = spawnSync(findPython({ needAlembic: false }), ['-c', script], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function oursReads(text: string): Record<string, Record<string, string>> | { error: string } {
  const ini = parseIni(text);
  if (ini.problems.length) return { error: 'problem' };
  const out: Record<string, Record<string, string>> = {};
  for (const [name, sec] of ini.sections) {
    out[name] = {};
    const keys = new Set([...sec.entries.keys(), ...ini.defaults.keys(), 'here']);
    for (const k of [...keys].sort()) {
      const v = getOption(ini, name, k, { here: '/proj' })!;
      out[name][k] = 'value' in v ? v.value : '!error';
    }
  }
  return out;
}

const INIS: [string, string][] = [
  ['alembic template', '[alembic]\nscript_location = %(here)s/alembic\nprepend_sys_path = .\nversion_path_separator = os\nsqlalchemy.url = driver://user:pass@localhost/dbname\n\n[post_write_hooks]\n\n[loggers]\nkeys = root,sqlalchemy,alembic\n'],
  ['%% in a password', '[alembic]\nsqlalchemy.url = postgresql://u:p%%40ss%%25@h/db\n'],
  ['DEFAULT section and references', '[DEFAULT]\nbase = /srv\n[alembic]\nscript_location = %(base)s/mig\n[db2]\nscript_location = %(base)s/db2\n'],
  ['colon delimiter, upper-case keys, spaces', '[alembic]\nScript_Location : migrations\n  key with space  =  value with  spaces  \n'],
  ['multi-line values with blank lines and comments', '[alembic]\nversion_locations =\n    %(here)s/a\n\n    %(here)s/b\n# comment\n    %(here)s/c\nnext = 1\n'],
  ['inline ; and # stay in the value', '[alembic]\nurl = sqlite:///x.db ; not a comment\nother = a # b\n'],
  ['bad interpolation syntax', '[alembic]\nsqlalchemy.url = postgresql://u:p%ss@h/db\nok = fine\n'],
  ['missing reference', '[alembic]\nscript_location = %(nothere)s/m\n'],
  ['recursive reference', '[alembic]\na = %(b)s\nb = %(a)s\n'],
  ['empty value', '[alembic]\nscript_location =\n'],
  ['indented section header', '[alembic]\na = 1\n  [other]\nb = 2\n'],
  ['duplicate option', '[alembic]\na = 1\na = 2\n'],
  ['duplicate section', '[alembic]\na = 1\n[alembic]\nb = 2\n'],
  ['no section header', 'a = 1\n[alembic]\n'],
];

describe('alembic.ini reader matches Python configparser', () => {
  for (const [name, text] of INIS) {
    it(name, () => {
      const py = pythonReads(text);
      const ours = oursReads(text);
      if ('error' in py) {
        assert.ok('error' in ours, `Python refuses (${py.error}); we must report a problem`);
        return;
      }
      const normalize = (o: Record<string, Record<string, string>>): Record<string, Record<string, string>> =>
        Object.fromEntries(Object.entries(o).map(([s, kv]) => [s, Object.fromEntries(Object.entries(kv).map(([k, v]) => [k, v.startsWith('!') ? '!error' : v]).sort())]));
      assert.deepStrictEqual(normalize(ours as Record<string, Record<string, string>>), normalize(py));
    });
  }

  it('gives the line of each key and a readable interpolation error', () => {
    const ini = parseIni('[alembic]\n\nsqlalchemy.url = postgresql://u:p%ss@h/db\n');
    assert.strictEqual(ini.sections.get('alembic')!.entries.get('sqlalchemy.url')!.line, 2);
    const v = getOption(ini, 'alembic', 'sqlalchemy.url')!;
    assert.ok('error' in v && /%%/.test(v.error));
  });
});
