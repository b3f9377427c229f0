import * as assert from 'assert';
import { initPythonParser, MAX_FULL_PARSE, parseMigration } from '../../server/src/core/python/parser';
import { valueItems } from '../../server/src/core/python/facts';
import { migration } from '../helpers';

before(() => initPythonParser());

const ids = (text: string, name: 'revision' | 'down_revision' | 'branch_labels' | 'depends_on'): string[] | string =>
  {
    const v = parseMigration(text).headers[name]?.value;
    if (!v) return 'absent';
    if (v.kind === 'unknown') return 'unknown';
    if (v.kind === 'none') return 'None';
    return valueItems(v).map((i) => i.value);
  };

describe('migration parser', () => {
  it('reads the typed header written by alembic revision', () => {
    const text = migration({ id: 'abc123', down: ['p1', 'p2'], labels: 'feat', deps: 'x1', message: 'add users' });
    const f = parseMigration(text);
    assert.deepStrictEqual(ids(text, 'revision'), ['abc123']);
    assert.deepStrictEqual(ids(text, 'down_revision'), ['p1', 'p2']);
    assert.deepStrictEqual(ids(text, 'branch_labels'), ['feat']);
    assert.deepStrictEqual(ids(text, 'depends_on'), ['x1']);
    assert.strictEqual(f.headers.revision!.annotation, 'str');
    assert.strictEqual(f.doc!.message, 'add users');
    assert.strictEqual(f.doc!.createDate, '2024-05-01 12:00:00.000000');
    assert.deepStrictEqual(f.doc!.revises!.ids, ['p1', 'p2']);
    assert.strictEqual(f.upgrade!.empty, false);
    assert.strictEqual(f.downgrade!.empty, false);
    assert.deepStrictEqual(f.syntaxErrors, []);
  });

  it('gives exact spans on the literal (UTF-16 columns, after non-ASCII text)', () => {
    const text = '"""Añadir 😀"""\nrevision = "r1"\ndown_revision = (\n    "p1",\n    \'p2\',\n)\n';
    const f = parseMigration(text);
    const items = valueItems(f.headers.down_revision!.value);
    assert.strictEqual(text.slice(items[1].span.start, items[1].span.end), "'p2'");
    assert.deepStrictEqual([items[1].span.line, items[1].span.column], [4, 4]);
    assert.deepStrictEqual([f.headers.revision!.value.span.line, f.headers.revision!.value.span.column], [1, 11]);
  });

  const valueCases: [string, string, string[] | string][] = [
    ['None', 'down_revision = None', 'None'],
    ['empty tuple', 'down_revision = ()', []],
    ['empty list', 'down_revision = []', []],
    ['1-tuple', "down_revision = ('a',)", ['a']],
    ['bare tuple', "down_revision = 'a', 'b'", ['a', 'b']],
    ['parenthesized string', "down_revision = ('a')", ['a']],
    ['implicit concatenation', "down_revision = 'ab' 'cd'", ['abcd']],
    ['name bound to a literal earlier', "PARENT = 'p9'\ndown_revision = PARENT", ['p9']],
    ['chained assignment', "down_revision = other = 'q1'", ['q1']],
    ['last assignment wins', "down_revision = 'a'\ndown_revision = 'b'", ['b']],
    ['call is unknown', "down_revision = get()", 'unknown'],
    ['imported name is unknown', "from x import P\ndown_revision = P", 'unknown'],
    ['f-string with field is unknown', "down_revision = f'{x}'", 'unknown'],
    ['tuple with a call is unknown', "down_revision = ('a', get())", 'unknown'],
    ['assignment inside if is unknown', "import os\nif os.environ.get('X'):\n    down_revision = 'a'\nelse:\n    down_revision = 'b'", 'unknown'],
    ['assignment inside a function is ignored', "def f():\n    down_revision = 'zz'", 'absent'],
    ['bare annotation assigns nothing', 'down_revision: str', 'absent'],
  ];
  for (const [name, src, want] of valueCases) {
    it(`down_revision: ${name}`, () => assert.deepStrictEqual(ids(`revision = 'r'\n${src}\n`, 'down_revision'), want));
  }

  it('says why a value is unknown', () => {
    const v = parseMigration("revision = 'r'\ndown_revision = compute()\n").headers.down_revision!.value;
    assert.strictEqual(v.kind, 'unknown');
    assert.match((v as { reason: string }).reason, /computed/);
  });

  it('tolerates a half-typed file and still reads the header', () => {
    const f = parseMigration("revision = 'r1'\ndown_revision = 'p0'\n\ndef upgrade():\n    op.add_column('t', sa.Column('x'\n");
    assert.deepStrictEqual(valueItems(f.headers.revision!.value).map((i) => i.value), ['r1']);
    assert.deepStrictEqual(valueItems(f.headers.down_revision!.value).map((i) => i.value), ['p0']);
    assert.ok(f.syntaxErrors.length > 0);
  });

  it('detects empty upgrade/downgrade bodies (pass, ..., docstring, comments)', () => {
    const f = parseMigration('revision = "r"\ndown_revision = None\ndef upgrade() -> None:\n    """doc"""\n    # comment\n    pass\n\ndef downgrade():\n    ...\n');
    assert.strictEqual(f.upgrade!.empty, true);
    assert.strictEqual(f.downgrade!.empty, true);
  });

  it('takes the first paragraph of the docstring as the message, like Script.doc', () => {
    const f = parseMigration('"""\n  Add users\n  and roles\n\nRevision ID: x\n"""\nrevision = "x"\n');
    assert.strictEqual(f.doc!.message, 'Add users\n  and roles');
  });

  it('reads only the header of a very large file', () => {
    const body = '    op.execute("' + 'x'.repeat(100) + '")\n';
    const text = "revision = 'big1'\ndown_revision = None\ndef upgrade():\n" + body.repeat(Math.ceil(MAX_FULL_PARSE / body.length) + 10);
    const t0 = Date.now();
    const f = parseMigration(text);
    assert.strictEqual(f.truncated, true);
    assert.deepStrictEqual(valueItems(f.headers.revision!.value).map((i) => i.value), ['big1']);
    assert.ok(Date.now() - t0 < 5000);
  });
});
