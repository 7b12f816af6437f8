import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, df, findings } from '../fixes';

const RULE = 'apt-lists-not-removed';

test('apt-get update without rm of the lists is flagged (DL3009); the fix appends the rm to the same RUN', () => {
  const text = df(
    'FROM debian:bookworm-slim',
    'RUN apt-get update && apt-get install -y --no-install-recommends curl',
    'CMD ["curl"]',
  );
  const f = findings(text, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].hadolint, 'DL3009');
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM debian:bookworm-slim',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      'CMD ["curl"]',
    ),
  );
});

test('continuation lines and a file without a final newline', () => {
  const text = 'FROM debian:12\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends git';
  assert.equal(
    applyFix(text, RULE).fixed,
    'FROM debian:12\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*',
  );
});

test('a shell-script heredoc gets the rm as its last line', () => {
  const text = df(
    'FROM debian:12',
    'RUN <<EOF',
    'set -e',
    'apt-get update',
    'apt-get install -y --no-install-recommends curl',
    'EOF',
  );
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM debian:12',
      'RUN <<EOF',
      'set -e',
      'apt-get update',
      'apt-get install -y --no-install-recommends curl',
      'rm -rf /var/lib/apt/lists/*',
      'EOF',
    ),
  );
});

test('not flagged: lists removed, a cache mount on /var/lib/apt or /var/cache/apt, a build-only stage', () => {
  assert.equal(
    findings(
      df(
        'FROM debian:12',
        'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      ),
      RULE,
    ).length,
    0,
  );
  assert.equal(
    findings(
      df(
        'FROM debian:12',
        'RUN --mount=type=cache,target=/var/lib/apt --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y --no-install-recommends curl',
      ),
      RULE,
    ).length,
    0,
  );
  assert.equal(
    findings(
      df(
        'FROM debian:12',
        'RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y --no-install-recommends curl',
      ),
      RULE,
    ).length,
    0,
  );
  assert.equal(
    findings(
      df(
        'FROM debian:12 AS build',
        'RUN apt-get update && apt-get install -y --no-install-recommends gcc',
        'FROM scratch',
        'COPY --from=build /usr/bin/gcc /',
      ),
      RULE,
    ).length,
    0,
  );
});
