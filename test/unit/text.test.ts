import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { nodeFs } from '../../server/src/core/nodeFs';
import { decodeSource, lfOfCrlf, LineIndex } from '../../server/src/core/text';
import { DocFacts, readDocFacts } from '../../server/src/core/python/facts';
import { spawnSync } from 'child_process';
import { initPythonParser, parseMigration } from '../../server/src/core/python/parser';
import { scanMigration } from '../../server/src/core/python/scan';
import { cleanupTmp, migration, rng, tmpDir } from '../helpers';
import { findPython } from '../python';

before(() => initPythonParser());

after(cleanupTmp);

/** What decodeSource did before its fast path: TextDecoder (fatal), then one more BOM dropped. */
function reference(bytes: Uint8Array): { text: string } | { error: string } {
  if (bytes.includes(0)) return { error: 'nul' };
  try {
    let text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text };
  } catch {
    return { error: 'utf8' };
  }
}

describe('reading source files', () => {
  it('decodes like a fatal TextDecoder (BOMs, invalid and overlong sequences, surrogates, NUL)', () => {
    const cases: number[][] = [
      [], [0x61], [0xef, 0xbb, 0xbf, 0x61], [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x61], [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf],
      [0x63, 0x61, 0x66, 0xc3, 0xa9], [0xf0, 0x9f, 0x98, 0x80], [0xe9], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
      [0x61, 0x00, 0x62], [0xc3], [0x80], [0xe2, 0x82, 0xac, 0x0a],
    ];
    for (const c of cases) {
      for (const bytes of [Buffer.from(c), new Uint8Array(c), new Uint8Array([0x20, ...c]).subarray(1)]) {
        const got = decodeSource(bytes);
        const want = reference(bytes);
        assert.strictEqual('text' in got, 'text' in want, JSON.stringify(c));
        if ('text' in got && 'text' in want) assert.strictEqual(got.text, want.text, JSON.stringify(c));
      }
    }
  });

  it('reads small and large files whole', async () => {
    const d = tmpDir();
    for (const size of [0, 1, 65535, 65536, 65537, 300000]) {
      const p = path.join(d, `f${size}.py`);
      const data = Buffer.alloc(size, 0x61);
      fs.writeFileSync(p, data);
      assert.ok(Buffer.from(await nodeFs.readFile(p)).equals(data), `size ${size}`);
    }
    await assert.rejects(nodeFs.readFile(path.join(d, 'missing.py')), /ENOENT/);
  });
});

/** What readDocFacts did with regular expressions before it searched by hand (but for CR LF line ends). */
function docReference(text: string, raw: string, start: number, end: number, lines: LineIndex): DocFacts {
  const longdoc = raw.trim();
  const para = longdoc.indexOf('\n\n');
  const doc: DocFacts = { span: lines.span(start, end), message: para < 0 ? longdoc : longdoc.slice(0, para) };
  const date = raw.includes('Create Date:') ? /^[ \t]*Create Date:[ \t]*(.*?)[ \t]*$/m.exec(raw) : null;
  if (date) doc.createDate = date[1];
  const revisesAt = text.indexOf('Revises:', start);
  // (since the eighth session the line ends at a CR too, and before the closing quotes)
  const rv = revisesAt >= 0 && revisesAt < end ? /^([ \t]*Revises:)([^\n\r]*)$/m.exec(text.slice(start, end - 3)) : null;
  if (rv) {
    const ids = rv[2].split(',').map((s) => s.trim()).filter(Boolean);
    const at = start + rv.index;
    doc.revises = { ids, span: lines.span(at, at + rv[0].length) };
  }
  return doc;
}

describe('lines', () => {
  it('break at LF, CR LF and a lone CR, as Python and VS Code count them', () => {
    const t = 'a\nb\r\nc\rd\r\r\ne';
    const ix = new LineIndex(t);
    assert.deepStrictEqual([...'abcde'].map((ch) => ix.position(t.indexOf(ch))), [0, 1, 2, 3, 5].map((line) => ({ line, column: 0 })));
    assert.deepStrictEqual(ix.span(t.indexOf('c'), t.indexOf('e')), { start: 5, end: 11, line: 2, column: 0, endLine: 5, endColumn: 0 });
  });

  it('lfOfCrlf: the LF copy only of a text whose every line ends with CR LF', () => {
    const cases: [string, string | undefined][] = [['a\r\nb\r\n', 'a\nb\n'], ['a\r\nb', 'a\nb'], ['\r\n\r\n', '\n\n'], ['\n', undefined], ['a\r\nb\n', undefined], ['\na\r\n', undefined], ['a\rb\r\n', undefined], ['a\r\r\nb', undefined], ['a\r', undefined]];
    for (const [t, want] of cases) assert.strictEqual(lfOfCrlf(t), want, JSON.stringify(t));
  });

  it('the revision\'s line in files with old-Mac or CR CR LF line ends is the line Python gives it (both readers)', () => {
    const base = migration({ id: 'aaaa0001', down: 'bbbb0002' });
    for (const eol of ['\r', '\r\r\n']) {
      const text = base.replace(/\n/g, eol);
      const script = 'import ast,sys\nt=sys.stdin.read()\nprint([n.lineno for n in ast.parse(t).body if isinstance(n, ast.AnnAssign) and n.target.id == "revision"][0])';
      const py = spawnSync(findPython({ needAlembic: false }), ['-c', script], { input: text, encoding: 'utf8' });
      assert.strictEqual(py.status, 0, py.stderr);
      const want = Number(py.stdout) - 1;
      for (const facts of [parseMigration(text), scanMigration(text)]) assert.strictEqual(facts?.headers.revision?.value.span.line, want, JSON.stringify(eol));
    }
  });
});

describe('docstring facts', () => {
  it('read as the regular expressions read them (Create Date, Revises, line ends, blanks)', () => {
    const r = rng(7);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
    const parts = ['Create Date:', 'Revises:', 'Revision ID:', ' ', '\t', '  ', '\n', '\r', '\r\n', '\u2028', '\u2029', 'abc', 'a1, b2', ',', 'x Revises:', '2024-01-01 00:00', '"', '\n\n'];
    let dates = 0;
    let revises = 0;
    for (let k = 0; k < 3000; k++) {
      let raw = '';
      for (let j = Math.floor(r() * 14); j >= 0; j--) raw += pick(parts);
      const before = pick(['', 'x = 1\n', '# c\n  ']);
      const text = `${before}"""${raw}"""\nrest Revises: zz\n`;
      const start = before.length;
      const end = start + raw.length + 6;
      const want = docReference(text, raw, start, end, new LineIndex(text));
      const got = readDocFacts(text, raw, start, end, new LineIndex(text));
      assert.deepStrictEqual(got, want, JSON.stringify(text));
      if (want.createDate !== undefined) dates++;
      if (want.revises) revises++;
    }
    assert.ok(dates > 200 && revises > 200, `cases with a date ${dates}, with Revises ${revises}`);
  });
});
