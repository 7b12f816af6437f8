// The entry point of dist/server.js: the language server process the VS Code client starts over IPC, or an editor
// starts with `node dist/server.js --stdio`. (server.ts only exports functions: a bundle that includes it, such as
// the CLI's, must not start a second server just by loading it.)

import { runServerProcess } from './server';

runServerProcess();
