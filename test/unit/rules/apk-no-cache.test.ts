import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, df, findings } from '../fixes';

const RULE = 'apk-no-cache';

test('apk add without --no-cache is flagged (DL3019) and fixed', () => {
  const text = df('FROM alpine:3.20', 'RUN apk update && apk add curl git');
  const f = findings(text, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].hadolint, 'DL3019');
  // apk update would write the index --no-cache avoids: the fix drops it (apk add --no-cache fetches its own)
  assert.equal(applyFix(text, RULE).fixed, df('FROM alpine:3.20', 'RUN apk add --no-cache curl git'));
});

test('apk update on its own line before apk add is dropped with its continuation; kept before apk upgrade', () => {
  const text = df('FROM alpine:3.20', 'RUN apk update && \\', '    apk add curl', 'CMD ["curl"]');
  assert.equal(applyFix(text, RULE).fixed, df('FROM alpine:3.20', 'RUN apk add --no-cache curl', 'CMD ["curl"]'));
  const upgrade = df('FROM alpine:3.20', 'RUN apk update && apk upgrade && apk add curl');
  assert.equal(
    applyFix(upgrade, RULE).fixed,
    df('FROM alpine:3.20', 'RUN apk update && apk upgrade && apk add --no-cache curl'),
  );
});

test('apk options before add, and a virtual package', () => {
  const text = df('FROM alpine:3.20', 'RUN apk --update add --virtual .build-deps gcc musl-dev');
  assert.equal(
    applyFix(text, RULE).fixed,
    df('FROM alpine:3.20', 'RUN apk --update add --no-cache --virtual .build-deps gcc musl-dev'),
  );
});

test('not flagged: --no-cache, a cache mount, the cache deleted in the same RUN, apk del, a build-only stage', () => {
  assert.equal(findings(df('FROM alpine:3.20', 'RUN apk add --no-cache curl'), RULE).length, 0);
  assert.equal(
    findings(df('FROM alpine:3.20', 'RUN --mount=type=cache,target=/var/cache/apk apk add curl'), RULE).length,
    0,
  );
  assert.equal(findings(df('FROM alpine:3.20', 'RUN apk add curl && rm -rf /var/cache/apk/*'), RULE).length, 0);
  assert.equal(findings(df('FROM alpine:3.20', 'RUN apk del curl'), RULE).length, 0);
  assert.equal(
    findings(
      df('FROM alpine:3.20 AS tools', 'RUN apk add go', 'FROM alpine:3.20', 'COPY --from=tools /usr/lib/go /go'),
      RULE,
    ).length,
    0,
  );
});
