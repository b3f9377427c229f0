/** Entry point of the language server process (started by the client over IPC, or stdio). */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { nodeFs } from './core';
import { startServer } from './lsp/server';

startServer(createConnection(ProposedFeatures.all), nodeFs);
