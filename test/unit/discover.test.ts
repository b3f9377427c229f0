import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { discoverSetups, indexWorkspace, nodeFs } from '../../server/src/core';
import { cleanupTmp, migration, tmpDir, writeTree } from '../helpers';

after(cleanupTmp);

const rev = (id: string, down: string | null = null): string => migration({ id, down });

describe('setup discovery', () => {
  it('alembic.ini with %(here)s, and skips node_modules/.venv', async () => {
    const d = writeTree(tmpDir(), {
      'alembic.ini': '[alembic]\nscript_location = %(here)s/db\nsqlalchemy.url = postgresql://me:s3cret@localhost/app\n',
      'db/env.py': '', 'db/versions/a.py': rev('aaaa0001'),
      'node_modules/x/alembic.ini': '[alembic]\nscript_location = x\n',
      '.venv/lib/alembic.ini': '[alembic]\nscript_location = x\n',
    });
    const s = await discoverSetups(nodeFs, d);
    assert.deepStrictEqual(s.map((x) => x.id), ['alembic.ini#alembic']);
    assert.strictEqual(s[0].scriptLocation, path.join(d, 'db'));
    assert.deepStrictEqual(s[0].versionLocations, [path.join(d, 'db/versions')]);
    assert.strictEqual(s[0].sqlalchemyUrl, 'postgresql://me:s3cret@localhost/app');
  });

  it('every section with script_location is a setup (multi-database, alembic -n)', async () => {
    const d = writeTree(tmpDir(), {
      'alembic.ini': '[DEFAULT]\nroot = %(here)s\n[alembic]\n[engine1]\nscript_location = %(root)s/one\n[engine2]\nscript_location = two\n[loggers]\nkeys = root\n',
      'one/env.py': '', 'one/versions/a.py': rev('one00001'), 'two/env.py': '', 'two/versions/b.py': rev('two00001'),
    });
    const ix = await indexWorkspace(nodeFs, d);
    assert.deepStrictEqual(ix.map((x) => [x.setup.section, x.graph.heads]), [['engine1', ['one00001']], ['engine2', ['two00001']]]);
  });

  it('version_locations replaces the default and honours every separator', async () => {
    const files = { 'm/env.py': '', 'm/versions/ignored.py': rev('ignored1'), 'a/x.py': rev('aaaa0001'), 'b c/y.py': rev('bbbb0002', 'aaaa0001') };
    const cases: [string, string][] = [
      ['version_path_separator = os\nversion_locations = %(here)s/a:%(here)s/b c', 'os'],
      ['version_path_separator = ;\nversion_locations = a;b c', ';'],
      ['version_path_separator = :\nversion_locations = a:b c', ':'],
      ['path_separator = newline\nversion_locations =\n    a\n    b c', 'newline (1.16)'],
    ];
    for (const [cfg, name] of cases) {
      const d = writeTree(tmpDir(), { ...files, 'alembic.ini': `[alembic]\nscript_location = m\n${cfg}\n` });
      const [ix] = await indexWorkspace(nodeFs, d);
      assert.deepStrictEqual(ix.graph.order, ['aaaa0001', 'bbbb0002'], name);
    }
    const d = writeTree(tmpDir(), { ...files, 'alembic.ini': '[alembic]\nscript_location = m\nversion_locations = a, b\n' });
    const [legacy] = await indexWorkspace(nodeFs, d);
    assert.deepStrictEqual(legacy.setup.versionLocations, [path.join(d, 'a'), path.join(d, 'b')], 'legacy: commas and spaces');
    const bad = writeTree(tmpDir(), { ...files, 'alembic.ini': '[alembic]\nscript_location = m\nversion_path_separator = pipe\nversion_locations = a|b\n' });
    const [ixBad] = await indexWorkspace(nodeFs, bad);
    assert.ok(ixBad.findings.some((f) => f.code === 'alembic/config-error' && /pipe/.test(f.message)));
  });

  it('a version location that does not exist is skipped; a folder listed twice is loaded once', async () => {
    const d = writeTree(tmpDir(), { 'alembic.ini': '[alembic]\nscript_location = m\nversion_locations = a nothere a %(here)s/a alias\n', 'm/env.py': '', 'a/x.py': rev('aaaa0001') });
    fs.symlinkSync(path.join(d, 'a'), path.join(d, 'alias'));
    fs.appendFileSync(path.join(d, 'alembic.ini'), '');
    const [ix] = await indexWorkspace(nodeFs, d);
    assert.deepStrictEqual(ix.graph.order, ['aaaa0001']);
    assert.deepStrictEqual(ix.findings, []);
  });

  it('recursive_version_locations reads subfolders (not __pycache__)', async () => {
    const d = writeTree(tmpDir(), {
      'alembic.ini': '[alembic]\nscript_location = m\nrecursive_version_locations = true\n', 'm/env.py': '',
      'm/versions/2024/a.py': rev('aaaa0001'), 'm/versions/2025/b.py': rev('bbbb0002', 'aaaa0001'), 'm/versions/__pycache__/c.py': rev('cccc0003'),
    });
    const [ix] = await indexWorkspace(nodeFs, d);
    assert.deepStrictEqual(ix.graph.order, ['aaaa0001', 'bbbb0002']);
  });

  it('pyproject.toml [tool.alembic] (1.16+) with an ini that holds only the URL', async () => {
    const d = writeTree(tmpDir(), {
      'pyproject.toml': '[project]\nname = "x"\n[tool.alembic]\nscript_location = "%(here)s/migrations"\nversion_locations = ["%(here)s/migrations/versions", "%(here)s/more"]\n',
      'alembic.ini': '[alembic]\nsqlalchemy.url = sqlite:///app.db\n[loggers]\nkeys = root\n',
      'migrations/env.py': '', 'migrations/versions/a.py': rev('aaaa0001'), 'more/b.py': rev('bbbb0002', 'aaaa0001'),
    });
    const s = await indexWorkspace(nodeFs, d);
    assert.strictEqual(s.length, 1);
    assert.strictEqual(s[0].setup.kind, 'pyproject');
    assert.strictEqual(s[0].setup.sqlalchemyUrl, 'sqlite:///app.db');
    assert.deepStrictEqual(s[0].graph.heads, ['bbbb0002']);
  });

  it('Flask-Migrate layout: migrations/alembic.ini without script_location', async () => {
    const d = writeTree(tmpDir(), {
      'app.py': '', 'migrations/alembic.ini': '[alembic]\n# template used to generate migration files\n\n[loggers]\nkeys = root\n',
      'migrations/env.py': '', 'migrations/versions/a.py': rev('aaaa0001'),
    });
    const [ix] = await indexWorkspace(nodeFs, d);
    assert.strictEqual(ix.setup.kind, 'flask');
    assert.strictEqual(ix.setup.scriptLocation, path.join(d, 'migrations'));
    assert.deepStrictEqual(ix.graph.heads, ['aaaa0001']);
  });

  it('package:path script_location', async () => {
    const d = writeTree(tmpDir(), {
      'alembic.ini': '[alembic]\nscript_location = myapp:migrations\n', 'src/myapp/__init__.py': '',
      'src/myapp/migrations/env.py': '', 'src/myapp/migrations/versions/a.py': rev('aaaa0001'),
    });
    const [ix] = await indexWorkspace(nodeFs, d);
    assert.deepStrictEqual(ix.graph.heads, ['aaaa0001']);
  });

  it('bare env.py + versions/ without config, and several setups in one workspace', async () => {
    const d = writeTree(tmpDir(), {
      'svc1/alembic.ini': '[alembic]\nscript_location = migrations\n', 'svc1/migrations/env.py': '', 'svc1/migrations/versions/a.py': rev('aaaa0001'),
      'svc2/db/env.py': '', 'svc2/db/versions/b.py': rev('bbbb0001'),
    });
    const ix = await indexWorkspace(nodeFs, d);
    assert.deepStrictEqual(ix.map((x) => [x.setup.id, x.setup.kind, x.graph.heads]), [
      ['svc1/alembic.ini#alembic', 'ini', ['aaaa0001']], ['svc2/db/env.py', 'bare', ['bbbb0001']],
    ]);
  });

  it('the alembic.configs setting replaces discovery and can pick a section', async () => {
    const d = writeTree(tmpDir(), {
      'conf/multi.ini': '[alembic]\nscript_location = %(here)s/../one\n[other]\nscript_location = %(here)s/../two\n',
      'one/env.py': '', 'one/versions/a.py': rev('one00001'), 'two/env.py': '', 'two/versions/b.py': rev('two00001'),
      'alembic.ini': '[alembic]\nscript_location = one\n',
    });
    const ix = await indexWorkspace(nodeFs, d, { configs: ['conf/multi.ini#other'] });
    assert.deepStrictEqual(ix.map((x) => [x.setup.section, x.graph.heads]), [['other', ['two00001']]]);
    const missing = await indexWorkspace(nodeFs, d, { configs: ['nope.ini'] });
    assert.match(missing[0].findings[0].message, /does not exist/);
  });

  it('config problems are findings on the config file, not crashes', async () => {
    const cases: Record<string, string> = {
      'broken interpolation': '[alembic]\nscript_location = %(nothere)s/m\n',
      'no script_location': '[alembic]\nsqlalchemy.url = sqlite://\n',
      'script_location missing on disk': '[alembic]\nscript_location = gone\n',
      'duplicate option': '[alembic]\nscript_location = m\nscript_location = m\n',
    };
    for (const [name, ini] of Object.entries(cases)) {
      const d = writeTree(tmpDir(), { 'alembic.ini': ini, 'm/env.py': '', 'm/versions/a.py': rev('aaaa0001') });
      const ix = await indexWorkspace(nodeFs, d);
      assert.ok(ix.length === 1 && ix[0].findings.some((f) => f.severity === 'error' && f.path.endsWith('alembic.ini')), name);
    }
  });

  it('broken pyproject.toml is a finding with its line', async () => {
    const d = writeTree(tmpDir(), { 'pyproject.toml': '[tool.alembic]\nscript_location = "m\n', 'm/env.py': '', 'm/versions/a.py': rev('aaaa0001') });
    const ix = await indexWorkspace(nodeFs, d);
    const f = ix.flatMap((x) => x.findings).find((x) => x.path.endsWith('pyproject.toml'));
    assert.ok(f && /TOML/.test(f.message));
  });
});

describe('version table from env.py', () => {
  const envWith = (configure: string): string => `from alembic import context\n\ndef run_migrations_online():\n    with connectable.connect() as connection:\n        context.configure(connection=connection, target_metadata=None${configure})\n\n        with context.begin_transaction():\n            context.run_migrations()\n`;
  const run = async (env: string) => {
    const d = writeTree(tmpDir(), { 'alembic.ini': '[alembic]\nscript_location = m\n', 'm/env.py': env, 'm/versions/a.py': rev('aaaa0001') });
    const [ix] = await indexWorkspace(nodeFs, d);
    return ix;
  };
  it('defaults to alembic_version', async () => {
    assert.deepStrictEqual((await run(envWith(''))).setup.versionTable, { name: 'alembic_version', known: true });
  });
  it('reads literal version_table and version_table_schema', async () => {
    const ix = await run(envWith(', version_table="my_versions", version_table_schema=\'ops\''));
    assert.deepStrictEqual([ix.setup.versionTable!.name, ix.setup.versionTable!.schema, ix.setup.versionTable!.known], ['my_versions', 'ops', true]);
  });
  it('says so when the name is computed', async () => {
    const ix = await run(envWith(', version_table=settings.TABLE'));
    assert.strictEqual(ix.setup.versionTable!.known, false);
    assert.ok(ix.findings.some((f) => f.code === 'alembic/version-table-unknown' && /settings\.TABLE/.test(f.message)));
  });
});
