/**
 * Findings of a setup: problems in single files (what Alembic would stop on, what it cannot
 * know, best practices) and problems of the graph (broken chains, heads, cycles, duplicates).
 * Each has a stable code (see CODES), a range on the offending literal, and a message that
 * says what to do.
 */
import * as path from 'path';
import type { GraphProblem, RevisionGraph } from '../graph/graph';
import { HEADER_NAMES, HeaderName, HeaderValue, StringItem, valueItems } from '../python/facts';
import type { ScriptFile } from '../scriptFile';
import type { Finding, Fix, RelatedLocation, Span } from '../types';

export const CODES = {
  unreadable: 'alembic/unreadable',
  syntaxError: 'alembic/syntax-error',
  missingRevision: 'alembic/missing-revision',
  missingDownRevision: 'alembic/missing-down-revision',
  invalidValue: 'alembic/invalid-value',
  nonLiteral: 'alembic/non-literal',
  missingParent: 'alembic/missing-parent',
  emptyDownRevision: 'alembic/empty-down-revision',
  ambiguousReference: 'alembic/ambiguous-reference',
  missingDependency: 'alembic/missing-dependency',
  multipleHeads: 'alembic/multiple-heads',
  cycle: 'alembic/cycle',
  dependencyCycle: 'alembic/dependency-cycle',
  selfLoop: 'alembic/self-loop',
  duplicateRevision: 'alembic/duplicate-revision',
  illegalCharacters: 'alembic/illegal-characters',
  idTooLong: 'alembic/id-too-long',
  duplicateBranchLabel: 'alembic/duplicate-branch-label',
  emptyDowngrade: 'alembic/empty-downgrade',
  revisesMismatch: 'alembic/revises-mismatch',
  largeFile: 'alembic/large-file',
} as const;

/** Characters that mean something in revision expressions (`@`, `-`, `+`; `:` in newer Alembic). */
const ILLEGAL = ['@', '-', '+', ':'];
const ILLEGAL_CHAR = /[@\-+:]/;
/** Default width of alembic_version.version_num. */
const VERSION_NUM_WIDTH = 32;

const FILE_START: Span = { start: 0, end: 0, line: 0, column: 0, endLine: 0, endColumn: 0 };

export function computeFindings(files: ScriptFile[], graph: RevisionGraph): Finding[] {
  const out: Finding[] = [];
  for (const f of files) fileFindings(f, out);
  graphFindings(files, graph, out);
  return out;
}

/** No findings (shared: most files have none, and nobody adds to a file's list). */
const NONE: Finding[] = [];

/** Findings about one file on its own (syntax, values, ids, best practices). */
export function findingsOfFile(f: ScriptFile): Finding[] {
  const out: Finding[] = [];
  fileFindings(f, out);
  return out.length ? out : NONE;
}

/** Findings about the graph (broken chains, heads, cycles, duplicates, labels). */
export function findingsOfGraph(files: ScriptFile[], graph: RevisionGraph): Finding[] {
  const out: Finding[] = [];
  graphFindings(files, graph, out);
  return out;
}

function short(p: string): string {
  return path.basename(p);
}

function headerSpan(f: ScriptFile, name: HeaderName): Span {
  return f.facts?.headers[name]?.value.span ?? f.facts?.headers.revision?.value.span ?? FILE_START;
}

/** A finding of `f`. (Not a closure in fileFindings: it runs for every file of an index, and the bundle names each closure it makes.) */
function add(out: Finding[], f: ScriptFile, x: Omit<Finding, 'path'>): void {
  out.push({ path: f.path, ...x });
}

function fileFindings(f: ScriptFile, out: Finding[]): void {
  if (f.readError || !f.facts) {
    add(out, f, { code: CODES.unreadable, severity: 'error', span: FILE_START, message: `${short(f.path)}: ${f.readError}. Alembic stops on this file; the other migrations are still checked.` });
    return;
  }
  const facts = f.facts;
  for (const s of facts.syntaxErrors.slice(0, 3)) {
    add(out, f, { code: CODES.syntaxError, severity: 'error', span: s, message: 'Syntax error: Python (and so every alembic command) fails to import this migration.' });
  }
  if (facts.truncated) {
    add(out, f, { code: CODES.largeFile, severity: 'info', span: FILE_START, message: 'This file is very large: only its header (up to the first def/class) was read; upgrade()/downgrade() were not checked.' });
  }
  const h = facts.headers;
  for (const name of HEADER_NAMES) {
    const a = h[name];
    if (a?.value.kind === 'unknown') {
      add(out, f, {
        code: CODES.nonLiteral, severity: name === 'revision' || name === 'down_revision' ? 'warning' : 'info', span: a.value.span,
        message: `The value of ${name} cannot be known without running the file: ${a.value.reason}. It is left out of the graph; use a string literal to have it checked.`,
        data: { name },
      });
    }
  }
  const rev = h.revision;
  if (!rev) {
    if (!f.idFromFilename) {
      add(out, f, { code: CODES.missingRevision, severity: 'error', span: FILE_START, message: `No "revision = '...'" in ${short(f.path)}, and the file name is not a hex id: Alembic stops with "Could not determine revision id from filename". Add a revision variable.` });
    }
  } else if (rev.value.kind === 'none' || rev.value.kind === 'seq') {
    add(out, f, { code: CODES.invalidValue, severity: 'error', span: rev.value.span, message: 'revision must be a single string id.' });
  }
  if (f.id !== undefined && (f.id.length > VERSION_NUM_WIDTH || ILLEGAL_CHAR.test(f.id))) {
    const idSpan = rev?.value.span ?? FILE_START;
    const bad = ILLEGAL.filter((c) => f.id!.includes(c));
    if (bad.length) {
      add(out, f, {
        code: CODES.illegalCharacters, severity: 'error', span: idSpan, data: { id: f.id, chars: bad },
        message: `Revision id '${f.id}' contains ${bad.map((c) => `'${c}'`).join(', ')}, which Alembic reserves for revision expressions (head@+1, branch@head, -1): Alembic refuses to load the whole folder. Use letters, digits and underscores.`,
      });
    }
    if (f.id.length > VERSION_NUM_WIDTH) {
      add(out, f, {
        code: CODES.idTooLong, severity: 'warning', span: idSpan, data: { id: f.id, length: f.id.length },
        message: `Revision id is ${f.id.length} characters long; alembic_version.version_num is VARCHAR(${VERSION_NUM_WIDTH}) by default, so "alembic upgrade" will fail when it records this revision. Use a shorter id (or widen version_num in env.py).`,
      });
    }
  }
  if (!h.down_revision && (rev || f.idFromFilename)) {
    add(out, f, { code: CODES.missingDownRevision, severity: 'error', span: rev?.nameSpan ?? FILE_START, message: 'No down_revision: Alembic fails to load this file. Add "down_revision = None" for a first migration, or the id of its parent.' });
  }
  const down = h.down_revision?.value;
  if (down?.kind === 'str' && down.item.value === '') {
    add(out, f, {
      code: CODES.emptyDownRevision, severity: 'error', span: down.span,
      message: "down_revision is '' (empty string): Alembic 1.8 treats it as a base, newer Alembic as a missing parent ''. Write None for a first migration, or the parent's id.",
      fixes: [{ title: 'Replace with None', edits: [{ path: f.path, span: down.span, newText: 'None' }] }],
    });
  }
  const dn = facts.downgrade;
  if (dn?.empty && facts.upgrade && !facts.upgrade.empty) {
    add(out, f, { code: CODES.emptyDowngrade, severity: 'info', span: dn.nameSpan, message: 'downgrade() does nothing while upgrade() changes the schema: "alembic downgrade" past this revision will silently leave those changes in place. Write the reverse operations.' });
  }
  const revises = facts.doc?.revises;
  if (revises && down && down.kind !== 'unknown' && !sameAsRevises(down, revises.ids)) {
    const ids = valueItems(down).map((i) => i.value).filter(Boolean);
    add(out, f, {
      code: CODES.revisesMismatch, severity: 'info', span: revises.span, data: { revises: revises.ids, downRevision: ids },
      message: `The docstring says "Revises: ${revises.ids.join(', ')}" but down_revision is ${ids.length ? ids.join(', ') : 'None'}. The docstring is only a comment; update it so readers are not misled.`,
    });
  }
}

/** Whether down_revision names the same ids as the docstring's Revises: line (the usual case, checked without allocating). */
function sameAsRevises(down: HeaderValue, revises: string[]): boolean {
  if (down.kind === 'str') return down.item.value === '' ? revises.length === 0 : revises.length === 1 && revises[0] === down.item.value;
  if (down.kind !== 'seq') return revises.length === 0;
  const items = down.items;
  let n = 0;
  for (const it of items) {
    if (!it.value) continue;
    n++;
    if (!revises.includes(it.value)) return false;
  }
  return n === revises.length;
}

function graphFindings(files: ScriptFile[], graph: RevisionGraph, out: Finding[]): void {
  const fileOf = (key: number): ScriptFile => files[key];
  const itemSpan = (f: ScriptFile, name: HeaderName, value: string): Span => {
    const a = f.facts?.headers[name]?.value;
    const it = valueItems(a).find((i: StringItem) => i.value === value);
    return it?.span ?? headerSpan(f, name);
  };
  const loc = (key: number, message: string, name: HeaderName = 'revision'): RelatedLocation => ({ path: fileOf(key).path, span: headerSpan(fileOf(key), name), message });
  const messageOf = (id: string): string => {
    const n = graph.nodes.get(id);
    const f = n && fileOf(n.key);
    const m = f ? f.summary?.message ?? f.facts?.doc?.message : undefined;
    return m ? `${id} (${m.split('\n')[0]})` : id;
  };

  for (const p of graph.problems) problemFinding(p);

  if (graph.heads.length > 1) {
    const SHOWN = 5;
    for (const h of graph.heads) {
      const n = graph.nodes.get(h)!;
      const f = fileOf(n.key);
      const others = graph.heads.filter((x) => x !== h);
      const listed = others.slice(0, SHOWN).map(messageOf).join(', ') + (others.length > SHOWN ? ` and ${others.length - SHOWN} more` : '');
      out.push({
        code: CODES.multipleHeads, severity: 'warning', path: f.path, span: headerSpan(f, 'revision'),
        data: { heads: graph.heads },
        message: `${graph.heads.length} heads: this revision and ${listed}. "alembic upgrade head" fails with "Multiple head revisions are present". Merge them (alembic merge heads -m "merge") or, if the branches are meant to stay apart, give them branch_labels and upgrade with "heads".`,
        related: others.slice(0, 20).map((o) => loc(graph.nodes.get(o)!.key, `head ${messageOf(o)}`)),
      });
    }
  }

  function problemFinding(p: GraphProblem): void {
    switch (p.kind) {
      case 'missing-parent': {
        const f = fileOf(p.key);
        if (p.parent === '') return; // reported as empty-down-revision
        out.push(referenceFinding(f, 'down_revision', p.parent, itemSpan(f, 'down_revision', p.parent), graph));
        return;
      }
      case 'missing-dependency': {
        const f = fileOf(p.key);
        out.push(referenceFinding(f, 'depends_on', p.dependency, itemSpan(f, 'depends_on', p.dependency), graph));
        return;
      }
      case 'self-loop': {
        const f = fileOf(p.key);
        const name = p.via === 'down_revision' ? 'down_revision' : 'depends_on';
        out.push({ code: CODES.selfLoop, severity: 'error', path: f.path, span: itemSpan(f, name, p.id), data: { id: p.id }, message: `Revision ${p.id} names itself in ${name}: Alembic stops with "Self-loop is detected in revisions (${p.id})". Point it at the real parent.` });
        return;
      }
      case 'cycle':
      case 'dependency-cycle': {
        const dep = p.kind === 'dependency-cycle';
        for (const key of p.keys) {
          const f = fileOf(key);
          out.push({
            code: dep ? CODES.dependencyCycle : CODES.cycle, severity: 'error', path: f.path, span: headerSpan(f, dep ? 'depends_on' : 'down_revision'),
            data: { ids: p.ids },
            message: `${dep ? 'Dependency cycle' : 'Cycle'} through ${p.ids.join(' → ')}: Alembic stops with "${dep ? 'Dependency cycle' : 'Cycle'} is detected in revisions". One of these ${dep ? 'down_revision/depends_on' : 'down_revision'} values must point further back.`,
            related: p.keys.filter((k) => k !== key).map((k) => loc(k, `also in the cycle: ${fileOf(k).id}`, 'down_revision')),
          });
        }
        return;
      }
      case 'duplicate':
        for (const key of p.keys) {
          const f = fileOf(key);
          const others = p.keys.filter((k) => k !== key);
          out.push({
            code: CODES.duplicateRevision, severity: 'error', path: f.path, span: headerSpan(f, 'revision'), data: { id: p.id, paths: p.keys.map((k) => fileOf(k).path) },
            message: `Revision id ${p.id} is also used by ${others.map((k) => short(fileOf(k).path)).join(', ')}. Alembic only warns "Revision ${p.id} is present more than once" and silently uses the last file loaded. Give one of them a new id (and fix what points at it).`,
            related: others.map((k) => loc(k, `same revision id ${p.id}`)),
          });
        }
        return;
      case 'label-conflict': {
        const f = fileOf(p.key);
        out.push({
          code: CODES.duplicateBranchLabel, severity: 'error', path: f.path, span: itemSpan(f, 'branch_labels', p.label), data: { label: p.label, other: p.other },
          message: p.otherIsRevision
            ? `Branch label '${p.label}' is also a revision id: labels and ids share one namespace, and Alembic stops with "Branch name '${p.label}' in revision ${p.id} already used by revision ${p.other}". Rename the label.`
            : `Branch label '${p.label}' is already used by revision ${p.other}: Alembic stops with "Branch name '${p.label}' in revision ${p.id} already used by revision ${p.other}". A label belongs to one revision; the revisions above it inherit it.`,
          related: [loc(p.otherKey, `'${p.label}' is used here`, p.otherIsRevision ? 'revision' : 'branch_labels')],
        });
        return;
      }
    }
  }
}

/** Broken reference in down_revision / depends_on, with candidates and a fix when one is unique. */
function referenceFinding(f: ScriptFile, name: 'down_revision' | 'depends_on', ref: string, span: Span, graph: RevisionGraph): Finding {
  const prefixOf: string[] = [];
  for (const id of graph.order) if (id.startsWith(ref) && id !== ref) prefixOf.push(id);
  for (const id of graph.labels.keys()) if (id.startsWith(ref) && id !== ref) prefixOf.push(id);
  const candidates = prefixOf.length ? prefixOf : closeIds(ref, graph.order);
  if (prefixOf.length > 1) {
    return {
      code: CODES.ambiguousReference, severity: 'error', path: f.path, span, data: { ref, candidates: prefixOf },
      message: `${name} '${ref}' is only the start of several ids (${prefixOf.slice(0, 5).join(', ')}): Alembic needs the full id here. Write the one you mean.`,
      fixes: prefixOf.slice(0, 5).map((c) => replaceFix(f, span, c)),
    };
  }
  const what = name === 'down_revision' ? 'parent revision' : 'dependency';
  const alembicSays = name === 'down_revision' ? `Alembic warns "Revision ${ref} referenced from ${f.id} is not present" and fails with KeyError: '${ref}'` : `Alembic fails with KeyError: '${ref}'`;
  const hint = candidates.length === 1
    ? ` Did you mean ${candidates[0]}?`
    : ' The file was probably deleted or renamed, or lost in a rebase: point this at an existing revision.';
  return {
    code: name === 'down_revision' ? CODES.missingParent : CODES.missingDependency, severity: 'error', path: f.path, span,
    data: { ref, candidates },
    message: `${name === 'down_revision' ? 'down_revision' : 'depends_on'} names ${what} '${ref}', which does not exist in this history: ${alembicSays}.${hint}`,
    fixes: candidates.length === 1 ? [replaceFix(f, span, candidates[0])] : undefined,
  };
}

function replaceFix(f: ScriptFile, span: Span, id: string): Fix {
  return { title: `Replace with '${id}'`, edits: [{ path: f.path, span, newText: JSON.stringify(id) }] };
}

/** Ids within edit distance 2 (typos), when the reference is long enough for that to mean something. */
function closeIds(ref: string, ids: string[]): string[] {
  if (ref.length < 6) return [];
  const row = new Int32Array(ref.length + 3);
  // Two edits leave at least one of three pieces of ref intact in the id (pigeonhole): a
  // cheap test that rules out nearly every id before the exact one.
  const third = Math.floor(ref.length / 3);
  const pieces = [ref.slice(0, third), ref.slice(third, 2 * third), ref.slice(2 * third)];
  return ids.filter((id) => Math.abs(id.length - ref.length) <= 2 && pieces.some((q) => id.includes(q)) && withinDistance(ref, id, 2, row));
}

/**
 * Whether the Levenshtein distance of a and b is at most `max`: the usual dynamic programme,
 * one row at a time, stopping as soon as every cell of a row exceeds `max` (most ids differ
 * from the start). `row` is scratch space of at least b.length + 1 cells.
 */
export function withinDistance(a: string, b: string, max: number, row: Int32Array = new Int32Array(b.length + 1)): boolean {
  const m = b.length;
  for (let j = 0; j <= m; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    let best = i;
    const c = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const tmp = row[j];
      const v = Math.min(tmp + 1, row[j - 1] + 1, diag + (c === b.charCodeAt(j - 1) ? 0 : 1));
      row[j] = v;
      if (v < best) best = v;
      diag = tmp;
    }
    if (best > max) return false;
  }
  return row[m] <= max;
}
