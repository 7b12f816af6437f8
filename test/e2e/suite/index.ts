// Entry point VS Code calls in the extension host (extensionTestsPath): runs the *.test.js files next to this one
// with mocha (TDD interface), prints the timing figures, and rejects when a test failed, which VS Code turns into
// the process's (or, in code-server, codeAutomationExit's) exit code.

import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { timings } from './helpers';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000, slow: 5_000, reporter: 'spec' });
  if (process.env.E2E_GREP) mocha.grep(process.env.E2E_GREP);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const started = Date.now();
  const outcome: { title: string; state: string; ms?: number; error?: string }[] = [];
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((n) => resolve(n));
    runner.on('test end', (t) =>
      outcome.push({ title: t.fullTitle(), state: t.state ?? (t.pending ? 'pending' : 'unknown'), ms: t.duration }),
    );
    runner.on('fail', (t, err: Error) => {
      const o = outcome.find((x) => x.title === t.fullTitle());
      if (o) o.error = String(err?.stack ?? err);
    });
  });
  console.log('\nTimings:');
  for (const [k, v] of Object.entries(timings)) console.log(`  ${k}: ${v}`);
  console.log(`  whole suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const passed = outcome.filter((o) => o.state === 'passed').length;
  const skipped = outcome.filter((o) => o.state === 'pending').length;
  console.log(`${passed} passed, ${failures} failed, ${skipped} skipped`);
  if (process.env.E2E_RESULTS) {
    fs.writeFileSync(
      process.env.E2E_RESULTS,
      JSON.stringify({ vscode: vscode.version, node: process.version, timings, tests: outcome }, null, 2),
    );
  }
  if (failures > 0) throw new Error(`${failures} e2e test(s) failed`);
}
