/**
 * Which Python runs the user's Alembic: the `alembic.pythonPath` setting, else the Python
 * extension's interpreter for the folder, else a .venv/venv in the folder, else python3/python
 * on PATH. The first that can `import alembic` wins; when none can, the error lists what was
 * tried and why, and what to do.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export interface PythonChoice {
  executable: string;
  source: string;
  alembicVersion: string;
}

function probe(executable: string, cwd: string): Promise<{ version?: string; error?: string }> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    const p = spawn(executable, ['-c', 'import alembic, sys; print(alembic.__version__)'], { cwd, timeout: 15000 });
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : e.message }));
    p.on('close', (code) => resolve(code === 0 ? { version: out.trim() } : { error: /No module named '?alembic/.test(err) ? 'no module named alembic' : err.trim().split('\n').pop() || `exit ${code}` }));
  });
}

async function pythonExtensionInterpreter(folder: vscode.Uri | undefined): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension('ms-python.python');
  if (!ext) return undefined;
  try {
    const api = (ext.isActive ? ext.exports : await ext.activate()) as {
      environments?: { getActiveEnvironmentPath(r?: vscode.Uri): { path: string }; resolveEnvironment(p: { path: string }): Promise<{ executable?: { uri?: vscode.Uri } } | undefined> };
    };
    const envPath = api.environments?.getActiveEnvironmentPath(folder);
    if (!envPath) return undefined;
    const env = await api.environments!.resolveEnvironment(envPath);
    return env?.executable?.uri?.fsPath ?? envPath.path;
  } catch {
    return undefined;
  }
}

export async function choosePython(cwd: string, log: vscode.LogOutputChannel): Promise<PythonChoice | { error: string }> {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(cwd))?.uri;
  const candidates: [string, string][] = [];
  const setting = vscode.workspace.getConfiguration('alembic', folder).get<string>('pythonPath', '').trim();
  if (setting) candidates.push([setting.replace(/^~(?=\/)/, process.env.HOME ?? '~'), 'the alembic.pythonPath setting']);
  const fromExt = await pythonExtensionInterpreter(folder);
  if (fromExt) candidates.push([fromExt, 'the Python extension\'s interpreter']);
  for (const dir of [cwd, folder?.fsPath].filter((d): d is string => !!d)) {
    for (const venv of ['.venv', 'venv', 'env']) {
      const exe = path.join(dir, venv, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
      if (fs.existsSync(exe)) candidates.push([exe, `${path.relative(folder?.fsPath ?? dir, exe) || exe}`]);
    }
  }
  candidates.push(['python3', 'python3 on PATH'], ['python', 'python on PATH']);
  if (process.platform === 'linux') candidates.push(['/usr/bin/python3', '/usr/bin/python3']);
  const tried: string[] = [];
  const seen = new Set<string>();
  for (const [exe, source] of candidates) {
    if (seen.has(exe)) continue;
    seen.add(exe);
    const r = await probe(exe, cwd);
    if (r.version) {
      log.info(`Python for Alembic: ${exe} (${source}), alembic ${r.version}`);
      return { executable: exe, source, alembicVersion: r.version };
    }
    tried.push(`${exe} (${source}): ${r.error}`);
    if (setting && exe === candidates[0][0]) break; // an explicit setting is not second-guessed
  }
  return { error: `No Python that can import alembic was found. Tried: ${tried.join('; ')}. Install alembic in your virtualenv (pip install alembic), or set "alembic.pythonPath" to its python.` };
}
