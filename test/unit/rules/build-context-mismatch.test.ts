import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, df, findings } from '../fixes';

const RULE = 'build-context-mismatch';

test('no COPY source in the folder read: one information finding at the first COPY, naming the sources', () => {
  const text = df('FROM python:3.12-slim', 'COPY requirements.txt .', 'COPY app/ /app', 'COPY start.sh /');
  const f = findings(text, RULE, { context: context(['Dockerfile', 'README.md']) });
  assert.equal(f.length, 1);
  assert.equal(f[0].line, 2);
  assert.equal(f[0].severity, 'info');
  assert.match(
    f[0].message,
    /None of this file's COPY\/ADD sources \(`requirements\.txt`, `app\/`, `start\.sh`\) is in `\/ctx`/,
  );
  assert.match(f[0].message, /--context DIR/);
  assert.equal(findings(text, 'copy-source-missing', { context: context(['Dockerfile']) }).length, 0);
});

test('most sources missing: the count is given; half or fewer missing is copy-source-missing instead', () => {
  const text = df('FROM python:3.12-slim', 'COPY requirements.txt .', 'COPY app/ /app', 'COPY start.sh /');
  const most = findings(text, RULE, { context: context(['start.sh']) });
  assert.equal(most.length, 1);
  assert.match(most[0].message, /^2 of this file's 3 COPY\/ADD sources \(`requirements\.txt`, `app\/`\) are not in/);
  const few = { context: context(['start.sh', 'app/main.py']) };
  assert.equal(findings(text, RULE, few).length, 0);
  assert.deepEqual(
    findings(text, 'copy-source-missing', few).map((f) => f.line),
    [2],
  );
});

test('no finding without a context listing, or when every source is there', () => {
  const text = df('FROM python:3.12-slim', 'COPY requirements.txt .');
  assert.equal(findings(text, RULE).length, 0);
  assert.equal(findings(text, RULE, { context: context(['requirements.txt']) }).length, 0);
});
