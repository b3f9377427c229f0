/** The graph of every setup, as the language server computes it; refreshed on the server's notification. */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { GraphChangedNotification, GraphRequest, GraphResult } from '../../../server/src/protocol';

export class GraphModel implements vscode.Disposable {
  graph: GraphResult | undefined;
  private emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private disposables: vscode.Disposable[] = [this.emitter];
  private pending: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private client: LanguageClient, private log: vscode.LogOutputChannel) {
    this.disposables.push(client.onNotification(GraphChangedNotification, () => void this.refresh()));
  }

  /**
   * Asks the server for the graph. A call while a request is in flight gets the one after it
   * (that request may predate what the caller knows changed, e.g. Refresh's re-read); calls
   * meanwhile share it.
   */
  refresh(): Promise<void> {
    if (this.queued) return this.queued; // the follow-up of a request that just ended: not one more
    if (!this.pending) {
      this.pending = this.fetch().finally(() => {
        this.pending = undefined;
      });
      return this.pending;
    }
    this.queued ??= this.pending.then(() => {
      this.queued = undefined;
      return this.refresh();
    });
    return this.queued;
  }

  private async fetch(): Promise<void> {
    try {
      const g = await this.client.sendRequest<GraphResult>(GraphRequest);
      if (!this.graph || g.version !== this.graph.version || g.ready !== this.graph.ready) {
        this.graph = g;
        const revs = g.setups.reduce((n, s) => n + s.revisions.length, 0);
        this.log.info(`graph v${g.version}: ${g.setups.length} setup(s), ${revs} revision(s), heads: ${g.setups.map((s) => `${s.id}=[${s.heads.join(', ')}]`).join('; ') || '-'}`);
        this.emitter.fire();
      }
    } catch (e) {
      this.log.error('could not get the graph from the language server', e as Error);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
