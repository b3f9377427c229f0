/** Code lenses on each migration: what the database has, and Upgrade / Downgrade to here, Show SQL. */
import * as vscode from 'vscode';
import type { GraphModel } from './model';
import type { StatusService } from './status';

export class MigrationLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private subs: vscode.Disposable[];

  constructor(private model: GraphModel, private status: StatusService) {
    this.subs = [model.onDidChange(() => this.emitter.fire()), status.onDidChange(() => this.emitter.fire()), this.emitter];
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    for (const setup of this.model.graph?.setups ?? []) {
      const rev = setup.revisions.find((r) => r.path === doc.uri.fsPath);
      if (!rev) continue;
      const range = new vscode.Range(rev.line, 0, rev.line, 0);
      const arg = { setupId: setup.id, revision: rev.id };
      const st = this.status.bySetup.get(setup.id);
      const lenses: vscode.CodeLens[] = [];
      if (st?.kind === 'ok') {
        const state = st.status.applied.includes(rev.id) ? '● current' : st.status.appliedSet.includes(rev.id) ? '✓ applied' : st.status.pending?.includes(rev.id) ? '○ pending' : '';
        if (state) lenses.push(new vscode.CodeLens(range, { title: `${state} in ${st.display}`, command: 'alembic.refreshStatus', tooltip: st.status.summary }));
      }
      lenses.push(
        new vscode.CodeLens(range, { title: 'Upgrade to here', command: 'alembic.upgrade', arguments: [arg] }),
        new vscode.CodeLens(range, { title: 'Downgrade to here', command: 'alembic.downgrade', arguments: [arg] }),
        new vscode.CodeLens(range, { title: 'Show SQL', command: 'alembic.showSql', arguments: [arg] }),
      );
      return lenses;
    }
    return [];
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
