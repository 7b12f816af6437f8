// The language server process with faults planted, for protocol-edges.test.ts (not a test itself): it runs the
// compiled sources (out/server/src) after replacing two functions, so that
// - a document whose text contains THROW-IN-ANALYSIS makes the analysis throw,
// - a document whose text contains REJECT-UNHANDLED leaves a rejected promise that nothing handles,
// - a hover on a document whose text contains THROW-IN-HOVER throws inside the hover handler.
// Each stands for a bug not found yet: the server must log it and go on serving the other documents.
// usage: node out/test/lsp/throwing-server.js --stdio

import { AnalysisStore } from '../../server/src/lsp/store';
import * as features from '../../server/src/lsp/features';
import { runServerProcess } from '../../server/src/server';

export const THROW_IN_ANALYSIS = 'THROW-IN-ANALYSIS';
export const REJECT_UNHANDLED = 'REJECT-UNHANDLED';
export const THROW_IN_HOVER = 'THROW-IN-HOVER';

const get = AnalysisStore.prototype.get;
AnalysisStore.prototype.get = function plantedGet(this: AnalysisStore, uri, version, text) {
  const t = text();
  if (t.includes(THROW_IN_ANALYSIS)) throw new Error('planted analysis failure');
  if (t.includes(REJECT_UNHANDLED)) void Promise.reject(new Error('planted unhandled rejection'));
  return get.call(this, uri, version, () => t);
};

const hover = features.hover;
(features as { hover: typeof hover }).hover = (entry, position) => {
  if (entry.analysis.model.text.includes(THROW_IN_HOVER)) throw new Error('planted hover failure');
  return hover(entry, position);
};

if (process.argv.includes('--stdio')) runServerProcess();
