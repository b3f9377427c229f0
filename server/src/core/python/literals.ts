/**
 * Decoding of Python string literals as written in source (prefix, quotes, escapes), so that
 * `'abc'`, `"abc"`, `r'abc'`, `u"abc"`, `'''abc'''` and `"a" "bc"` all give `abc` — the value
 * Python (and so Alembic) sees.
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/**
 * Decodes one string literal token (e.g. `r"a\b"`). Returns undefined for bytes literals,
 * f-strings with replacement fields and `\N{...}` escapes: values we do not claim to know.
 */
export function decodeStringLiteral(raw: string): string | undefined {
  const m = /^([A-Za-z]*)('''|"""|'|")/.exec(raw);
  if (!m) return undefined;
  const prefix = m[1].toLowerCase();
  const quote = m[2];
  if (prefix.includes('b')) return undefined;
  if (!raw.endsWith(quote) || raw.length < m[0].length + quote.length) return undefined;
  // Python reads source with universal newlines: a CR LF or a lone CR inside a string is a LF
  // (a Windows checkout's docstring holds "\n\n" for Alembic, not "\r\n\r\n")
  const body = raw.slice(m[0].length, raw.length - quote.length).replace(/\r\n?/g, '\n');
  const isRaw = prefix.includes('r');
  if (prefix.includes('f') || prefix.includes('t')) {
    // f"abc" without fields is a plain string; anything with {…} is computed.
    if (/[{}]/.test(body.replace(/\{\{|\}\}/g, ''))) return undefined;
    const plain = body.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
    return isRaw ? plain : unescape(plain);
  }
  return isRaw ? body : unescape(body);
}

function unescape(body: string): string | undefined {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') { out += c; continue; }
    const n = body[i + 1];
    if (n === undefined) return undefined;
    if (n === '\n') { i++; continue; }
    if (n === '\r') { i += body[i + 2] === '\n' ? 2 : 1; continue; }
    if (n in SIMPLE_ESCAPES) { out += SIMPLE_ESCAPES[n]; i++; continue; }
    if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out += String.fromCodePoint(parseInt(oct, 8));
      i += oct.length;
      continue;
    }
    const hexLen = n === 'x' ? 2 : n === 'u' ? 4 : n === 'U' ? 8 : 0;
    if (hexLen) {
      const hex = body.slice(i + 2, i + 2 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) return undefined;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) return undefined;
      out += String.fromCodePoint(cp);
      i += 1 + hexLen;
      continue;
    }
    if (n === 'N') return undefined;
    out += '\\' + n; // unknown escapes keep their backslash in Python
    i++;
  }
  return out;
}
