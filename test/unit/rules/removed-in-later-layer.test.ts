import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, df, findings } from '../fixes';

const RULE = 'removed-in-later-layer';

test('a download deleted in a later RUN is flagged at the deleting RUN, naming the creating line; fix merges it', () => {
  const text = df(
    'FROM debian:12',
    'RUN curl -fsSL -o /tmp/node.tar.xz https://nodejs.org/dist/v20.0.0/node.tar.xz && tar -xJf /tmp/node.tar.xz -C /usr/local',
    'ENV PATH=/usr/local/bin:$PATH',
    'RUN rm -f /tmp/node.tar.xz',
  );
  const f = findings(text, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].line, 4);
  assert.match(f[0].message, /created at line 2/);
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM debian:12',
      'RUN curl -fsSL -o /tmp/node.tar.xz https://nodejs.org/dist/v20.0.0/node.tar.xz && tar -xJf /tmp/node.tar.xz -C /usr/local && rm -f /tmp/node.tar.xz',
      'ENV PATH=/usr/local/bin:$PATH',
    ),
  );
});

test('apt lists deleted in a later layer: finding at the rm, fix moves it into the update RUN', () => {
  const text = df(
    'FROM debian:12',
    'RUN apt-get update && apt-get install -y --no-install-recommends curl',
    'RUN rm -rf /var/lib/apt/lists/*',
  );
  const f = findings(text, RULE);
  assert.equal(f.length, 1);
  assert.equal(
    applyFix(text, RULE, {}, { otherRulesMayChange: true }).fixed,
    df(
      'FROM debian:12',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
    ),
  );
});

test('a wget without -O, resolved against WORKDIR; a copied folder deleted later is reported without a fix', () => {
  assert.equal(
    findings(
      df('FROM debian:12', 'WORKDIR /opt', 'RUN wget https://example.com/pkg.deb && dpkg -i pkg.deb', 'RUN rm pkg.deb'),
      RULE,
    ).length,
    1,
  );
  const f = findings(df('FROM node:20', 'COPY assets /app/assets', 'RUN rm -rf /app/assets/raw'), RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0);
});

test('no fix when the deleting RUN does more, or a RUN in between uses the file', () => {
  const more = findings(
    df('FROM debian:12', 'RUN curl -o /tmp/a.tgz https://x/a.tgz', 'RUN tar xzf /tmp/a.tgz -C /opt && rm /tmp/a.tgz'),
    RULE,
  );
  assert.equal(more.length, 1);
  assert.equal(more[0].fixes.length, 0);
  const used = findings(
    df(
      'FROM debian:12',
      'RUN curl -o /tmp/a.tgz https://x/a.tgz',
      'RUN tar xzf /tmp/a.tgz -C /opt',
      'RUN rm /tmp/a.tgz',
    ),
    RULE,
  );
  assert.equal(used.length, 1);
  assert.equal(used[0].fixes.length, 0);
});

test('not flagged: deletion in the same RUN, files of the base image, a build-only stage', () => {
  assert.equal(
    findings(
      df('FROM debian:12', 'RUN curl -o /tmp/a.tgz https://x/a.tgz && tar xzf /tmp/a.tgz && rm /tmp/a.tgz'),
      RULE,
    ).length,
    0,
  );
  assert.equal(findings(df('FROM nginx:1.27', 'RUN rm /etc/nginx/conf.d/default.conf'), RULE).length, 0);
  assert.equal(
    findings(
      df(
        'FROM debian:12 AS b',
        'RUN curl -o /tmp/a https://x/a',
        'RUN rm /tmp/a',
        'FROM scratch',
        'COPY --from=b /etc/hostname /',
      ),
      RULE,
    ).length,
    0,
  );
});
