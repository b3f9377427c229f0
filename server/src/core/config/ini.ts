/**
 * A reader of `alembic.ini` with the semantics of Python's `configparser.ConfigParser`
 * (BasicInterpolation, strict mode), as Alembic uses it:
 * - `key = value` and `key: value`; keys are case-insensitive (lower-cased); values stripped;
 * - full-line comments start with `#` or `;` (inline comments are part of the value);
 * - indented lines continue the previous value (joined with "\n"; blank lines inside kept);
 * - `[DEFAULT]` values show in every section; Alembic adds `here` (the file's folder);
 * - `%(name)s` interpolates from the same section (then defaults), `%%` is a literal `%`,
 *   any other `%` is an error, recursion is limited to depth 10.
 * Problems are collected as data (with line numbers), never thrown.
 */

export interface IniEntry {
  key: string;
  raw: string;
  line: number; // 0-based line of the key
}

export interface IniSection {
  name: string;
  line: number;
  entries: Map<string, IniEntry>;
}

export interface IniProblem {
  line: number;
  message: string;
}

export interface IniFile {
  sections: Map<string, IniSection>;
  defaults: Map<string, IniEntry>;
  problems: IniProblem[];
}

const MAX_DEPTH = 10;

export function parseIni(text: string): IniFile {
  const sections = new Map<string, IniSection>();
  const defaults = new Map<string, IniEntry>();
  const problems: IniProblem[] = [];
  let current: Map<string, IniEntry> | undefined;
  let last: { entry: IniEntry; indent: number } | undefined;
  let pendingBlank = 0;
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const stripped = line.trim();
    const indent = line.length - line.trimStart().length;
    if (stripped === '') {
      if (last) pendingBlank++;
      continue;
    }
    if (/^[#;]/.test(stripped)) continue;
    if (last && indent > last.indent) {
      // continuation of the previous value (configparser keeps interior blank lines)
      last.entry.raw += '\n'.repeat(pendingBlank + 1) + stripped;
      pendingBlank = 0;
      continue;
    }
    pendingBlank = 0;
    const sec = /^\[(.+)\]/.exec(stripped);
    if (sec) {
      const name = sec[1];
      last = undefined;
      if (name === 'DEFAULT') {
        current = defaults;
        continue;
      }
      if (sections.has(name)) {
        problems.push({ line: i, message: `section [${name}] appears twice (Python's configparser refuses the file)` });
        current = sections.get(name)!.entries;
        continue;
      }
      const s: IniSection = { name, line: i, entries: new Map() };
      sections.set(name, s);
      current = s.entries;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(stripped);
    if (!current) {
      problems.push({ line: i, message: 'text before the first [section] header (configparser: MissingSectionHeaderError)' });
      continue;
    }
    if (!kv) {
      // configparser with allow_no_value=False rejects a bare key
      problems.push({ line: i, message: `cannot parse line "${stripped.slice(0, 60)}" (expected key = value)` });
      last = undefined;
      continue;
    }
    const key = kv[1].trim().toLowerCase();
    if (current.has(key)) {
      problems.push({ line: i, message: `option "${key}" appears twice in the same section (configparser refuses the file)` });
    }
    const entry: IniEntry = { key, raw: kv[2].trim(), line: i };
    current.set(key, entry);
    last = { entry, indent };
  }
  return { sections, defaults, problems };
}

export type Interpolated = { value: string } | { error: string };

/**
 * `ConfigParser.get(section, key)` with BasicInterpolation. `vars` are the parser defaults that
 * Alembic passes (`here`), which rank below [DEFAULT] entries of the file... and above nothing.
 */
export function getOption(ini: IniFile, section: string, key: string, vars: Record<string, string> = {}): Interpolated | undefined {
  const lookup = (k: string): string | undefined => {
    const s = ini.sections.get(section);
    const e = s?.entries.get(k) ?? ini.defaults.get(k);
    if (e) return e.raw;
    return Object.prototype.hasOwnProperty.call(vars, k) ? vars[k] : undefined;
  };
  const raw = lookup(key.toLowerCase());
  if (raw === undefined) return undefined;
  return interpolate(raw, lookup, key, 1);
}

function interpolate(raw: string, lookup: (k: string) => string | undefined, key: string, depth: number): Interpolated {
  if (depth > MAX_DEPTH) {
    return { error: `interpolation of "${key}" nests deeper than ${MAX_DEPTH} levels (a %(...)s loop?)` };
  }
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const p = raw.indexOf('%', i);
    if (p === -1) {
      out += raw.slice(i);
      break;
    }
    out += raw.slice(i, p);
    const next = raw[p + 1];
    if (next === '%') {
      out += '%';
      i = p + 2;
      continue;
    }
    if (next === '(') {
      const m = /^%\(([^)]*)\)s/.exec(raw.slice(p));
      if (!m) {
        return { error: `bad interpolation in "${key}": "${raw.slice(p, p + 20)}" (write %% for a literal percent sign)` };
      }
      const ref = m[1].toLowerCase();
      const v = lookup(ref);
      if (v === undefined) {
        return { error: `"${key}" refers to %(${m[1]})s, which is not defined in this section or [DEFAULT]` };
      }
      if (v.includes('%')) {
        const inner = interpolate(v, lookup, ref, depth + 1);
        if ('error' in inner) return inner;
        out += inner.value;
      } else {
        out += v;
      }
      i = p + m[0].length;
      continue;
    }
    return { error: `"%" in "${key}" must be followed by "%" or "(name)s" (write %% for a literal percent sign, e.g. in a URL password)` };
  }
  return { value: out };
}
