// What pip install adds to a RUN layer (server/src/analysis/estimate/run/pip.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureContext, stepsAt } from '../helpers';

test('pip install -r reads the requirements the stage copied in', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt(
    [
      'FROM python:3.12-slim',
      'WORKDIR /srv',
      'COPY requirements.txt .',
      'RUN pip install --no-cache-dir -r requirements.txt',
      'RUN pip install -r requirements.txt',
      'RUN pip install -r missing.txt',
    ].join('\n'),
    { context: ctx },
  );
  const noCache = at(4).size;
  const cached = at(5).size;
  assert.ok(noCache && cached);
  assert.match(noCache.basis, /3 requirements from requirements\.txt/);
  assert.ok(cached.bytes > noCache.bytes, 'the wheel cache stays without --no-cache-dir');
  assert.equal(at(6).size, null);
  assert.match(at(6).sizeNote ?? '', /missing\.txt/);
});
