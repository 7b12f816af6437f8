// The package version, injected at bundle time; falls back to package.json when running from compiled tests.
declare const __LAYER_INSIGHT_VERSION__: string | undefined;

export const VERSION: string =
  typeof __LAYER_INSIGHT_VERSION__ === 'string' ? __LAYER_INSIGHT_VERSION__ : readPackageVersion();

function readPackageVersion(): string {
  try {
    // out/server/src/version.js -> ../../../package.json ; server/src/version.ts -> ../../package.json
    for (const p of ['../../../package.json', '../../package.json']) {
      try {
        // a JSON file at run time, beside the compiled file (not bundled)
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return (require(p) as { version: string }).version;
      } catch {
        // try the next layout
      }
    }
  } catch {
    // unreachable
  }
  return '0.0.0';
}
