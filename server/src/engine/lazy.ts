// Loads the engine libraries (libs.ts) on first use. The language server probes for an engine at start and
// re-probes while there is none; it must not pay for dockerode (and ssh2, grpc-js, protobufjs...) until an engine
// is there: ~7 MB of RSS evaluated, ~3.5 MB more for the source a bundle holds and parses.
// Why a separate bundle rather than a lazy require inside one bundle: esbuild would defer the evaluation (it wraps
// CommonJS packages in factories), but the 1.9 MB of source would still be read, kept and pre-parsed at start.
// So the path is computed at run time (esbuild leaves such a require alone): in dist/, scripts/build.mjs defines
// __LAYER_INSIGHT_ENGINE_LIBS__ as the bundle beside server.js and cli.js; compiled by tsc (out/, the tests),
// it is libs.js beside this file, which requires the packages from node_modules.

import * as path from 'node:path';
import type { EngineLibs } from './libs';

declare const __LAYER_INSIGHT_ENGINE_LIBS__: string | undefined;

let loaded: EngineLibs | undefined;

export function engineLibs(): EngineLibs {
  if (!loaded) {
    const file = typeof __LAYER_INSIGHT_ENGINE_LIBS__ === 'string' ? __LAYER_INSIGHT_ENGINE_LIBS__ : 'libs';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(path.join(__dirname, file)) as EngineLibs;
  }
  return loaded;
}
