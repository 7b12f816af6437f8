import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, df, findings } from '../fixes';

const RULE = 'apt-update-alone';

test('a lonely apt-get update is flagged; the fix moves it into the next install RUN', () => {
  const text = df(
    'FROM debian:12',
    'RUN apt-get update',
    'RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
  );
  const f = findings(text, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].line, 2);
  assert.match(f[0].message, /line 3/);
  // the lonely update is also an apt-lists finding; after the merge the install RUN removes the lists itself
  assert.equal(
    applyFix(text, RULE, {}, { otherRulesMayChange: true }).fixed,
    df(
      'FROM debian:12',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
    ),
  );
});

test('flags on the install RUN are kept; an install that updates itself makes the lonely RUN removable', () => {
  const text = df(
    'FROM debian:12 AS build',
    'RUN apt-get update',
    'ENV DEBIAN_FRONTEND=noninteractive',
    'RUN --mount=type=cache,target=/var/cache/apt apt-get install -y gcc',
    'FROM debian:12',
    'COPY --from=build /usr/bin/gcc /gcc',
  );
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM debian:12 AS build',
      'ENV DEBIAN_FRONTEND=noninteractive',
      'RUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y gcc',
      'FROM debian:12',
      'COPY --from=build /usr/bin/gcc /gcc',
    ),
  );
  const again = df(
    'FROM debian:12',
    'RUN apt-get update',
    'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
  );
  assert.equal(
    applyFix(again, RULE, {}, { otherRulesMayChange: true }).fixed,
    df(
      'FROM debian:12',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
    ),
  );
});

test('flagged in a build-only stage too (a cache rule), without a fix when nothing installs later', () => {
  const f = findings(
    df('FROM debian:12 AS build', 'RUN apt-get update', 'FROM scratch', 'COPY --from=build /etc/os-release /'),
    RULE,
  );
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0);
});

test('not flagged: update and install in one RUN', () => {
  assert.equal(findings(df('FROM debian:12', 'RUN apt-get update && apt-get install -y curl'), RULE).length, 0);
  assert.equal(
    findings(df('FROM debian:12', 'RUN apt-get update -qq \\', '  && apt-get install -y curl'), RULE).length,
    0,
  );
});
