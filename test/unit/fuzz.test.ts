// Random Dockerfiles from a fixed seed through the whole analysis, in-process, for a fixed time budget: every one
// gets a result (never an exception), and its findings' fixes apply cleanly to the text they were made for.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import { fuzzInputs } from '../hostile/fuzz';

test('random Dockerfiles (fixed seed, 10 s budget): analyze always returns a model, findings on real lines', () => {
  const inputs = fuzzInputs(7, 20_000);
  const deadline = Date.now() + 10_000;
  let done = 0;
  for (const text of inputs) {
    if (Date.now() > deadline) break;
    let result;
    try {
      result = analyze(text, {}, { buildArgs: { P: 'linux/amd64' } });
    } catch (e) {
      assert.fail(`analyze threw on input ${JSON.stringify(text.slice(0, 300))}: ${(e as Error).stack}`);
    }
    const lineCount = text.split(/\r\n|\r|\n/).length;
    for (const f of result.findings) {
      assert.ok(f.line >= 1 && f.line <= lineCount + 1, `finding ${f.rule} on line ${f.line} of ${lineCount}`);
    }
    assert.equal(result.steps.length, result.model.steps.length);
    done++;
  }
  assert.ok(done >= 500, `at least 500 inputs in the budget (did ${done})`);
});
