/**
 * Finds every Alembic setup in a workspace folder: `alembic.ini` files (every section with a
 * `script_location` is a setup, as `alembic -n NAME` would use), `pyproject.toml`
 * `[tool.alembic]` (Alembic 1.16+), Flask-Migrate layouts (an ini without `script_location`
 * beside `env.py`), and bare `env.py` + `versions/` folders with no config at all.
 */
import * as path from 'path';
import { parse as parseToml } from 'smol-toml';
import { decodeSource } from '../text';
import type { CoreFs, Finding } from '../types';
import { getOption, IniFile, parseIni } from './ini';
import type { Setup } from './setup';
import { outsideDiscovery, skippedDir } from './skip';

const MAX_DEPTH = 12;
const MAX_CONFIG_BYTES = 1_000_000;

interface Found {
  inis: string[];
  pyprojects: string[];
  envPys: string[];
}

export interface DiscoverOptions {
  /** `alembic.configs` setting: paths (relative to root) with optional `#SECTION`. Replaces discovery. */
  configs?: string[];
}

export async function discoverSetups(fs: CoreFs, root: string, opts: DiscoverOptions = {}): Promise<Setup[]> {
  root = path.resolve(root);
  if (opts.configs && opts.configs.length) return configuredSetups(fs, root, opts.configs);
  const found: Found = { inis: [], pyprojects: [], envPys: [] };
  await walk(fs, root, 0, new Set(), found);
  const setups: Setup[] = [];
  const coveredDirs = new Set<string>();
  const pyByDir = new Map<string, string>();
  for (const p of found.pyprojects) pyByDir.set(path.dirname(p), p);

  for (const ini of found.inis.sort()) {
    const dir = path.dirname(ini);
    const fromIni = await setupsFromIni(fs, root, ini, pyByDir.get(dir));
    for (const s of fromIni) {
      setups.push(s);
      if (s.pyprojectPath) pyByDir.delete(dir);
    }
  }
  for (const [, py] of [...pyByDir].sort()) {
    const s = await setupFromPyproject(fs, root, py, undefined, 'alembic');
    if (s) setups.push(s);
  }
  for (const s of setups) if (s.scriptLocation) coveredDirs.add(s.scriptLocation);
  for (const env of found.envPys.sort()) {
    const dir = path.dirname(env);
    if (coveredDirs.has(dir)) continue;
    // A config whose script_location is broken most likely means this folder: report the config only.
    if (setups.some((s) => isBroken(s) && (dir + path.sep).startsWith(s.cwd + path.sep))) continue;
    if ((await fs.kind(path.join(dir, 'versions'))) !== 'dir') continue;
    setups.push({
      id: rel(root, dir) + '/env.py', kind: 'bare', section: 'alembic', cwd: path.dirname(dir),
      scriptLocation: dir, versionLocations: [path.join(dir, 'versions')],
      recursiveVersionLocations: false, sourceless: false,
      findings: [{
        code: 'alembic/no-config', severity: 'info', path: env,
        message: 'This migrations folder has no alembic.ini or pyproject.toml [tool.alembic]: the graph is shown, but running Alembic needs a config (or add it to the "alembic.configs" setting).',
      }],
    });
  }
  return setups;
}

/**
 * What discovery would find in a folder that appeared in a workspace folder: the Alembic inis,
 * the pyproject.toml files with a [tool.alembic] table and the env.py files in it. A folder moved,
 * copied or checked out in one go may never have its files reported one by one by a file watcher,
 * so the folder itself is searched (with discovery's own rules: skipped and hidden folders, depth).
 */
export async function setupFilesIn(fs: CoreFs, root: string, dir: string): Promise<string[]> {
  const rel = path.relative(path.resolve(root), path.resolve(dir));
  if (outsideDiscovery(rel)) return [];
  const found: Found = { inis: [], pyprojects: [], envPys: [] };
  await walk(fs, dir, rel.split(path.sep).length, new Set(), found);
  const pyprojects: string[] = [];
  for (const p of found.pyprojects) {
    const text = await readText(fs, p);
    if (typeof text === 'string' && PYPROJECT_ALEMBIC.test(text)) pyprojects.push(p);
  }
  return [...found.inis, ...pyprojects, ...found.envPys];
}

/** A pyproject.toml that configures Alembic (1.16+). */
const PYPROJECT_ALEMBIC = /^\s*\[tool\.alembic[\].]/m;

/** A setup whose script location is missing or unset (its config is reported instead). */
export function isBroken(s: Setup): boolean {
  return !s.scriptLocation || s.findings.some((f) => f.code === 'alembic/script-location-missing');
}

async function walk(fs: CoreFs, dir: string, depth: number, seen: Set<string>, found: Found): Promise<void> {
  if (depth > MAX_DEPTH) return;
  let real: string;
  try {
    real = await fs.realpath(dir);
  } catch {
    return;
  }
  if (seen.has(real)) return; // symlink loops and folders reached twice
  seen.add(real);
  let entries;
  try {
    entries = await fs.readDir(dir);
  } catch {
    return; // unreadable folder: nothing to find there
  }
  const subdirs: string[] = [];
  // A migrations folder (env.py beside versions/) holds no configs below versions/: skip its
  // thousands of files.
  const isMigrations = entries.some((e) => e.kind === 'file' && e.name === 'env.py');
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.kind === 'dir') {
      if (isMigrations && e.name === 'versions') continue;
      if (!skippedDir(e.name)) subdirs.push(p);
    } else if (e.kind === 'file') {
      if (e.name === 'pyproject.toml') found.pyprojects.push(p);
      else if (e.name === 'env.py') found.envPys.push(p);
      else if (e.name.endsWith('.ini')) {
        if (e.name === 'alembic.ini' || (await looksLikeAlembicIni(fs, p))) found.inis.push(p);
      }
    }
  }
  for (const s of subdirs.sort()) await walk(fs, s, depth + 1, seen, found);
}

async function looksLikeAlembicIni(fs: CoreFs, p: string): Promise<boolean> {
  const text = await readText(fs, p);
  return typeof text === 'string' && /^\s*script_location\s*[=:]/m.test(text);
}

async function readText(fs: CoreFs, p: string): Promise<string | { error: string }> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(p);
  } catch (e) {
    return { error: `cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  if (bytes.length > MAX_CONFIG_BYTES) return { error: `${p} is larger than 1 MB; not read as a config file` };
  const d = decodeSource(bytes);
  return 'text' in d ? d.text : { error: `${path.basename(p)}: ${d.error}` };
}

function rel(root: string, p: string): string {
  const r = path.relative(root, p);
  return r === '' ? '.' : r.split(path.sep).join('/');
}

function configFinding(p: string, message: string, line?: number, code = 'alembic/config-error', severity: Finding['severity'] = 'error'): Finding {
  const f: Finding = { code, severity, path: p, message };
  const span = lineSpan(line);
  if (span) f.span = span;
  return f;
}

/** A whole-line span for config findings (config files are small; offsets are not needed). */
function lineSpan(line: number | undefined): Finding['span'] {
  return line === undefined ? undefined : { start: 0, end: 0, line, column: 0, endLine: line, endColumn: 1000 };
}

async function configuredSetups(fs: CoreFs, root: string, configs: string[]): Promise<Setup[]> {
  const out: Setup[] = [];
  for (const entry of configs) {
    const [file, section] = entry.split('#');
    const p = path.resolve(root, file);
    const kind = await fs.kind(p);
    if (kind !== 'file') {
      out.push(brokenSetup(root, p, section ?? 'alembic', `The "alembic.configs" setting names ${file}, which does not exist. Fix the path (relative to the workspace folder) or remove the entry.`));
      continue;
    }
    if (path.basename(p) === 'pyproject.toml') {
      const s = await setupFromPyproject(fs, root, p, undefined, section ?? 'alembic');
      out.push(s ?? brokenSetup(root, p, 'alembic', `${file} has no [tool.alembic] table.`));
      continue;
    }
    const py = path.join(path.dirname(p), 'pyproject.toml');
    const s = await setupsFromIni(fs, root, p, (await fs.kind(py)) === 'file' ? py : undefined, section ?? 'alembic');
    for (const x of s) x.kind = x.kind === 'ini' ? 'configured' : x.kind;
    out.push(...s);
  }
  return out;
}

function brokenSetup(root: string, configPath: string, section: string, message: string): Setup {
  return {
    id: `${rel(root, configPath)}#${section}`, kind: 'ini', configPath, section, cwd: path.dirname(configPath),
    versionLocations: [], recursiveVersionLocations: false, sourceless: false,
    findings: [configFinding(configPath, message)],
  };
}

/** Setups of one ini file: every section with `script_location`, or the Flask-Migrate layout. */
async function setupsFromIni(fs: CoreFs, root: string, iniPath: string, pyproject: string | undefined, onlySection?: string): Promise<Setup[]> {
  const text = await readText(fs, iniPath);
  const dir = path.dirname(iniPath);
  if (typeof text !== 'string') return [brokenSetup(root, iniPath, onlySection ?? 'alembic', text.error)];
  const ini = parseIni(text);
  const base: Finding[] = ini.problems.map((p) => configFinding(iniPath, `${path.basename(iniPath)} line ${p.line + 1}: ${p.message}`, p.line));
  const here = { here: dir };
  let sections = [...ini.sections.values()].filter((s) => s.entries.has('script_location') || (!!ini.defaults.get('script_location') && s.name === 'alembic'));
  if (onlySection) sections = sections.filter((s) => s.name === onlySection);
  const out: Setup[] = [];
  for (const sec of sections) {
    const s: Setup = {
      id: `${rel(root, iniPath)}#${sec.name}`, kind: 'ini', configPath: iniPath, section: sec.name, cwd: dir,
      versionLocations: [], recursiveVersionLocations: false, sourceless: false, findings: [...base],
    };
    const get = (k: string): string | undefined => {
      const v = getOption(ini, sec.name, k, here);
      if (!v) return undefined;
      if ('error' in v) {
        const e = sec.entries.get(k) ?? ini.defaults.get(k);
        s.findings.push(configFinding(iniPath, `[${sec.name}] ${v.error}`, e?.line));
        return undefined;
      }
      return v.value;
    };
    await fillFromOptions(fs, s, get, iniPath, sec.entries.get('script_location')?.line);
    out.push(s);
  }
  if (out.length) return out;

  // No section with script_location: pyproject.toml (1.16+) or Flask-Migrate.
  const section = onlySection ?? 'alembic';
  if (pyproject) {
    const s = await setupFromPyproject(fs, root, pyproject, iniPath, section, ini);
    if (s) return [s];
  }
  if ((await fs.kind(path.join(dir, 'env.py'))) === 'file') {
    const s: Setup = {
      id: `${rel(root, iniPath)}#${section}`, kind: 'flask', configPath: iniPath, section, cwd: path.dirname(dir),
      scriptLocation: dir, versionLocations: [path.join(dir, 'versions')],
      recursiveVersionLocations: false, sourceless: false, findings: base,
    };
    const url = getOption(ini, section, 'sqlalchemy.url', here);
    if (url && 'value' in url) s.sqlalchemyUrl = url.value;
    return [s];
  }
  if (ini.sections.has(section) || path.basename(iniPath) === 'alembic.ini') {
    const broken = brokenSetup(root, iniPath, section, `No "script_location" in [${section}] of ${path.basename(iniPath)}: Alembic stops with "No 'script_location' key found in configuration." Add script_location = %(here)s/migrations (or the folder holding env.py).`);
    broken.findings[0].span = lineSpan(ini.sections.get(section)?.line);
    broken.findings.unshift(...base);
    return [broken];
  }
  return [];
}

async function setupFromPyproject(fs: CoreFs, root: string, pyPath: string, iniPath: string | undefined, section: string, ini?: IniFile): Promise<Setup | undefined> {
  const text = await readText(fs, pyPath);
  if (typeof text !== 'string') return undefined;
  if (!PYPROJECT_ALEMBIC.test(text)) return undefined;
  const dir = path.dirname(pyPath);
  const s: Setup = {
    id: `${rel(root, iniPath ?? pyPath)}#${section}`, kind: 'pyproject', configPath: iniPath, section, pyprojectPath: pyPath, cwd: dir,
    versionLocations: [], recursiveVersionLocations: false, sourceless: false, findings: [],
  };
  let table: Record<string, unknown>;
  try {
    const doc = parseToml(text) as Record<string, unknown>;
    table = ((doc.tool as Record<string, unknown> | undefined)?.alembic ?? {}) as Record<string, unknown>;
  } catch (e) {
    const line = (e as { line?: number }).line;
    s.findings.push(configFinding(pyPath, `pyproject.toml is not valid TOML: ${(e as Error).message.split('\n')[0]}`, line !== undefined ? line - 1 : undefined));
    return s;
  }
  const subst = (v: string): string => v.split('%(here)s').join(dir);
  const get = (k: string): string | undefined => {
    const v = table[k];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return v.map((x) => subst(String(x))).join('\n');
    return subst(String(v));
  };
  if (ini) {
    const url = getOption(ini, section, 'sqlalchemy.url', { here: path.dirname(iniPath!) });
    if (url && 'value' in url) s.sqlalchemyUrl = url.value;
  }
  const vl = table.version_locations;
  await fillFromOptions(fs, s, (k) => (k === 'version_path_separator' || k === 'path_separator') && Array.isArray(vl) ? 'newline' : get(k), pyPath, undefined);
  return s;
}

/** Applies script_location / version_locations / separators / flags, as Alembic's ScriptDirectory.from_config. */
async function fillFromOptions(fs: CoreFs, s: Setup, get: (k: string) => string | undefined, cfgPath: string, line: number | undefined): Promise<void> {
  const loc = get('script_location');
  if (loc === undefined || loc.trim() === '') {
    s.findings.push(configFinding(cfgPath, `No "script_location" for ${s.section}: Alembic stops with "No 'script_location' key found in configuration." Set it to the folder holding env.py.`, line));
    return;
  }
  const resolved = await resolveLocation(fs, s.cwd, loc.trim());
  if ('error' in resolved) {
    s.findings.push(configFinding(cfgPath, resolved.error, line));
    return;
  }
  s.scriptLocation = resolved.path;
  if ((await fs.kind(resolved.path)) !== 'dir') {
    s.findings.push(configFinding(cfgPath, `script_location ${loc} is ${resolved.path}, which is not a folder: Alembic stops with "Path doesn't exist". Fix the path or run "alembic init".`, line, 'alembic/script-location-missing'));
  }
  s.recursiveVersionLocations = get('recursive_version_locations') === 'true';
  s.sourceless = get('sourceless') === 'true';
  const url = get('sqlalchemy.url');
  if (url !== undefined) s.sqlalchemyUrl = url;
  const vls = get('version_locations');
  if (vls && vls.trim()) {
    const sep = get('path_separator') ?? get('version_path_separator');
    const split = splitLocations(vls, sep);
    if ('error' in split) {
      s.findings.push(configFinding(cfgPath, split.error, line));
      s.versionLocations = [path.join(resolved.path, 'versions')];
      return;
    }
    const out: string[] = [];
    for (const v of split.parts) {
      const r = await resolveLocation(fs, s.cwd, v);
      if ('error' in r) s.findings.push(configFinding(cfgPath, r.error, line));
      else if (!out.includes(r.path)) out.push(r.path);
    }
    s.versionLocations = out;
  } else {
    s.versionLocations = [path.join(resolved.path, 'versions')];
  }
}

/** Splits version_locations by the configured separator (Alembic's legacy default: commas and spaces). */
export function splitLocations(value: string, sep: string | undefined): { parts: string[] } | { error: string } {
  const table: Record<string, string> = { space: ' ', os: path.delimiter, ':': ':', ';': ';', newline: '\n' };
  let parts: string[];
  if (sep === undefined) parts = value.split(/, *| +|\n/);
  else if (sep in table) parts = value.split(table[sep]);
  else return { error: `"${sep}" is not a valid value for version_path_separator (Alembic: expected 'space', 'newline', 'os', ':', ';')` };
  return { parts: parts.map((p) => p.trim()).filter(Boolean) };
}

/** A script or version location: a path (relative to cwd) or `package:path` (a folder inside an importable package). */
async function resolveLocation(fs: CoreFs, cwd: string, value: string): Promise<{ path: string } | { error: string }> {
  if (!path.isAbsolute(value) && value.includes(':')) {
    const [pkg, sub] = value.split(/:(.*)/s);
    const pkgPath = pkg.split('.').join(path.sep);
    for (const base of [cwd, path.join(cwd, 'src')]) {
      const dir = path.join(base, pkgPath);
      if ((await fs.kind(dir)) === 'dir') return { path: path.resolve(dir, sub) };
    }
    return { error: `"${value}" names package "${pkg}", which was not found under ${cwd} or ${path.join(cwd, 'src')}; use a path instead, or add the package's root to the workspace.` };
  }
  return { path: path.resolve(cwd, value) };
}
