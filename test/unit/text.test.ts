import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { nodeFs } from '../../server/src/core/nodeFs';
import { decodeSource } from '../../server/src/core/text';
import { cleanupTmp, tmpDir } from '../helpers';

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
