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

test('apt-get clean after an install on an official Debian-based image deletes nothing: apt cleans itself there', () => {
  for (const from of [
    'debian:bookworm-slim',
    'python:3.12-slim',
    'ghcr.io/astral-sh/uv:0.11.32-python3.12-trixie-slim',
  ]) {
    const text = df(
      `FROM ${from}`,
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      'RUN apt-get clean && rm -rf /var/cache/apt/archives/*',
    );
    assert.equal(findings(text, RULE).length, 0, from);
  }
  // an image without docker-clean keeps the .debs: deleting them in a later layer is too late. `apt-get clean` is a
  // command, not a path: that one is not this rule's (it names paths only)
  const base = [
    'FROM mycorp/debian-base:1',
    'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*',
  ];
  assert.equal(findings(df(...base, 'RUN apt-get clean'), RULE).length, 0);
  const f = findings(df(...base, 'RUN rm -rf /var/cache/apt/archives/*.deb'), RULE);
  assert.equal(f.length, 1);
  assert.match(f[0].message, /^Deletes \/var\/cache\/apt\/archives\/\*\.deb \(created at line 2\)/);
});

test('a glob deletes only the names it matches: rm *.whl does not remove the manifests a COPY put there', () => {
  const base = ['FROM python:3.12-slim', 'WORKDIR /src', 'COPY pyproject.toml uv.lock /src/'];
  assert.equal(findings(df(...base, 'RUN rm -f *.whl'), RULE).length, 0);
  const wheels = findings(df(...base, 'COPY dist/app-1.0-py3-none-any.whl /src/', 'RUN rm -f *.whl'), RULE);
  assert.equal(wheels.length, 1);
  assert.match(wheels[0].message, /Deletes \*\.whl \(created at line 4\)/);
  // a download the glob matches, and one it does not
  const dl = (name: string) =>
    findings(
      df(
        'FROM debian:bookworm-slim',
        `RUN curl -fsSL -o /tmp/${name} https://example.com/${name}`,
        'RUN rm -f /tmp/*.tgz',
      ),
      RULE,
    );
  assert.equal(dl('tool.tgz').length, 1);
  assert.equal(dl('tool.zip').length, 0);
});
