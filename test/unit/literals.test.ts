import * as assert from 'assert';
import { decodeStringLiteral } from '../../server/src/core/python/literals';

describe('python string literals', () => {
  const cases: [string, string | undefined][] = [
    [`'abc'`, 'abc'],
    [`"abc"`, 'abc'],
    [`'''abc'''`, 'abc'],
    [`"""a"b"""`, 'a"b'],
    [`u'abc'`, 'abc'],
    [`r'a\\nb'`, 'a\\nb'],
    [`'a\\nb'`, 'a\nb'],
    [`'a\\x41\\u00e9\\U0001F600'`, 'aAé😀'],
    [`'\\101'`, 'A'],
    [`'a\\qb'`, 'a\\qb'],
    [`"it\\'s"`, "it's"],
    [`f'abc'`, 'abc'],
    [`f'a{{b}}'`, 'a{b}'],
    [`f'a{x}'`, undefined],
    [`b'abc'`, undefined],
    [`'\\N{BULLET}'`, undefined],
    [`''`, ''],
    // universal newlines: CR LF and a lone CR in the source are LF in the value; the escape \r stays CR
    ['"""a\r\n\r\nb\rc"""', 'a\n\nb\nc'],
    ["r'''a\r\nb'''", 'a\nb'],
    [`'a\\r'`, 'a\r'],
    ['"a\\\r\nb"', 'ab'],
  ];
  for (const [raw, want] of cases) {
    it(`${raw} -> ${JSON.stringify(want)}`, () => assert.strictEqual(decodeStringLiteral(raw), want));
  }
});
