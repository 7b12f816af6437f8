import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, df, findings } from '../fixes';

const RULE = 'apt-no-install-recommends';

test('apt-get install without --no-install-recommends is flagged (DL3015) and fixed after "install"', () => {
  const text = df(
    'FROM debian:bookworm-slim',
    'RUN apt-get update && apt-get install -y curl \\',
    '    git && rm -rf /var/lib/apt/lists/*',
  );
  const f = findings(text, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].hadolint, 'DL3015');
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM debian:bookworm-slim',
      'RUN apt-get update && apt-get install --no-install-recommends -y curl \\',
      '    git && rm -rf /var/lib/apt/lists/*',
    ),
  );
});

test('options before install and across continuation lines, two installs with one already right', () => {
  const text = df(
    'FROM ubuntu:24.04',
    'RUN apt-get update \\',
    ' && apt-get -y \\',
    '    install curl \\',
    ' && apt-get install -y --no-install-recommends git \\',
    ' && rm -rf /var/lib/apt/lists/*',
  );
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM ubuntu:24.04',
      'RUN apt-get update \\',
      ' && apt-get -y \\',
      '    install --no-install-recommends curl \\',
      ' && apt-get install -y --no-install-recommends git \\',
      ' && rm -rf /var/lib/apt/lists/*',
    ),
  );
});

test('heredoc bodies are read and fixed', () => {
  const text = df(
    'FROM debian:12',
    'RUN <<EOF',
    'apt-get update',
    'apt-get install -y ca-certificates',
    'rm -rf /var/lib/apt/lists/*',
    'EOF',
  );
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM debian:12',
      'RUN <<EOF',
      'apt-get update',
      'apt-get install --no-install-recommends -y ca-certificates',
      'rm -rf /var/lib/apt/lists/*',
      'EOF',
    ),
  );
});

test('not flagged: the option set, the apt config form, or a stage that does not reach the final image', () => {
  assert.equal(findings(df('FROM debian:12', 'RUN apt-get install -y --no-install-recommends curl'), RULE).length, 0);
  assert.equal(
    findings(df('FROM debian:12', 'RUN apt-get install -o APT::Install-Recommends=false -y curl'), RULE).length,
    0,
  );
  assert.equal(
    findings(
      df(
        'FROM debian:12 AS build',
        'RUN apt-get install -y gcc',
        'FROM debian:12',
        'COPY --from=build /usr/bin/gcc /gcc',
      ),
      RULE,
    ).length,
    0,
  );
  // a stage the final one builds FROM does reach it
  assert.equal(findings(df('FROM debian:12 AS base', 'RUN apt-get install -y curl', 'FROM base'), RULE).length, 1);
});

test('exec form is flagged without a text fix', () => {
  const f = findings(df('FROM debian:12', 'RUN ["apt-get", "install", "-y", "curl"]'), RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0);
});
