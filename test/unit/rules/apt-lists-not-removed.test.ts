import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, df, findings } from '../fixes';
import { applyEdits } from '../../../server/src/analysis/rewrite/edits';

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

test('a stage built FROM this one installs without apt-get update: the fix adds the update there too', () => {
  const text = df(
    'FROM debian:bookworm-slim AS base',
    'RUN apt-get update && apt-get install -y --no-install-recommends netbase',
    'FROM base AS app',
    'RUN apt-get install -y --no-install-recommends tzdata',
  );
  const [f] = findings(text, RULE);
  assert.match(f.message, /install at line 4 uses this index/);
  const fixed = applyEdits(text, f.fixes[0].edits);
  assert.equal(
    fixed,
    df(
      'FROM debian:bookworm-slim AS base',
      'RUN apt-get update && apt-get install -y --no-install-recommends netbase && rm -rf /var/lib/apt/lists/*',
      'FROM base AS app',
      'RUN apt-get update && apt-get install -y --no-install-recommends tzdata',
    ),
  );
  // the later stage now leaves its own index: its own finding, whose fix has nothing more to add
  const again = findings(fixed, RULE);
  assert.deepEqual(
    again.map((x) => [x.line, x.fixes[0].edits.length]),
    [[4, 1]],
  );
});

test('later installs of the same stage and of stages two FROMs away get the update; an update in between ends it', () => {
  const text = df(
    'FROM debian:12 AS a',
    'RUN apt-get update && apt-get install -y --no-install-recommends curl',
    'RUN apt-get install -y --no-install-recommends git',
    'FROM a AS b',
    'RUN echo hi',
    'FROM b AS c',
    'RUN set -e; apt-get install -y --no-install-recommends jq',
    'FROM a AS d',
    'RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*',
    'RUN apt-get install -y --no-install-recommends gcc',
    'FROM c',
  );
  const f = findings(text, RULE).find((x) => x.line === 2);
  assert.ok(f);
  assert.equal(
    f.fixes[0].title,
    'Remove /var/lib/apt/lists/* in this RUN (and apt-get update at lines 3 and 7, which used this index)',
  );
  const fixed = applyEdits(text, f.fixes[0].edits);
  assert.match(fixed, /\nRUN apt-get update && apt-get install -y --no-install-recommends git\n/);
  assert.match(fixed, /\nRUN apt-get update && set -e; apt-get install -y --no-install-recommends jq\n/);
  // stage d updates itself (and its later gcc install was broken before: not ours to change)
  assert.match(fixed, /\nRUN apt-get install -y --no-install-recommends gcc\n/);
});

test('no fix, and the finding says why, when the later install cannot be given an update (exec form)', () => {
  const text = df(
    'FROM debian:12 AS base',
    'RUN apt-get update && apt-get install -y --no-install-recommends curl',
    'FROM base',
    'RUN ["apt-get", "install", "-y", "--no-install-recommends", "git"]',
  );
  const [f] = findings(text, RULE);
  assert.equal(f.fixes.length, 0);
  assert.match(
    f.message,
    /No fix offered: the install at line 4 uses this index and its RUN cannot be given an apt-get update/,
  );
});

test('a later RUN with a cache mount over the lists reads the mount, not this index: nothing added there', () => {
  const text = df(
    'FROM debian:12 AS base',
    'RUN apt-get update && apt-get install -y --no-install-recommends curl',
    'FROM base',
    'RUN --mount=type=cache,target=/var/lib/apt/lists apt-get install -y --no-install-recommends git',
  );
  const [f] = findings(text, RULE);
  assert.equal(f.fixes[0].edits.length, 1);
});
