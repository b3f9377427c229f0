import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const CORE = path.resolve(__dirname, '../../../server/src/core');

describe('architecture boundaries', () => {
  it('the core imports neither vscode nor vscode-languageserver', () => {
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ts$/.test(e.name) && /from ['"]vscode/.test(fs.readFileSync(p, 'utf8'))) offenders.push(path.relative(CORE, p));
      }
    };
    walk(CORE);
    assert.ok(fs.existsSync(path.join(CORE, 'index.ts')), 'core found');
    assert.deepStrictEqual(offenders, []);
  });
});
