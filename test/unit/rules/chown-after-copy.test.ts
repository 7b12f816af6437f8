import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildContextFacts } from '../../../server/src/analysis/model';
import { applyFix, df, findings } from '../fixes';

const RULE = 'chown-after-copy';

/** A context with a 4 MB asset and a few small source files. */
const CTX: BuildContextFacts = {
  root: '/ctx',
  files: [
    { path: 'assets/video.mp4', bytes: 4_000_000 },
    { path: 'src/main.py', bytes: 3_000 },
    { path: 'requirements.txt', bytes: 200 },
    { path: 'entrypoint.sh', bytes: 500 },
  ],
  truncated: false,
  hasDockerignore: false,
};

test('COPY then RUN chown -R over it: flagged at the RUN with the bytes stored again; the fix copies with --chown', () => {
  const text = df(
    'FROM python:3.12-slim',
    'RUN useradd -m app',
    'WORKDIR /srv/app',
    'COPY assets ./assets',
    'COPY src ./src',
    'RUN chown -R app:app /srv/app',
    'USER app',
  );
  const f = findings(text, RULE, { context: CTX });
  assert.equal(f.length, 1);
  assert.equal(f[0].line, 6);
  assert.match(
    f[0].message,
    /changes the owner of every file under \/srv\/app, where lines 4 and 5 copied files, so this layer stores 4\.00 MB again/,
  );
  const { fixed } = applyFix(text, RULE, { context: CTX });
  assert.equal(
    fixed,
    df(
      'FROM python:3.12-slim',
      'RUN useradd -m app',
      'WORKDIR /srv/app',
      'COPY --chown=app:app assets ./assets',
      'COPY --chown=app:app src ./src',
      'RUN chown app:app /srv/app',
      'USER app',
    ),
  );
});

test('copies under 1 MB (an entrypoint made executable, a small app) are not worth a finding', () => {
  const text = df('FROM debian:bookworm-slim', 'COPY entrypoint.sh src /app/', 'RUN chmod -R +x /app');
  assert.deepEqual(findings(text, RULE, { context: CTX }), []);
});

test('chmod -R is flagged without a fix: the legacy builder has no COPY --chmod', () => {
  const text = df('FROM debian:bookworm-slim', 'COPY . /app', 'RUN chmod -R a+rX /app');
  const f = findings(text, RULE, { context: CTX });
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0);
  assert.match(
    f[0].message,
    /changes the mode of every file under \/app, where line 2 copied files.*`COPY --chmod=` \(BuildKit\)/,
  );
});

test('no fix, and why, when the rewrite could change owners: another writer, a user made after the COPY, a longer RUN', () => {
  const cases: [string[], RegExp][] = [
    [
      [
        'FROM python:3.12-slim',
        'RUN useradd app',
        'WORKDIR /app',
        'COPY . .',
        'RUN pip install -r requirements.txt --target /app/lib',
        'RUN chown -R app /app',
      ],
      /No quick fix: line 5 writes \/app\/lib, which needs the chown too/,
    ],
    [
      ['FROM debian:bookworm-slim', 'COPY . /app', 'RUN useradd app', 'RUN chown -R app:app /app'],
      /No quick fix: app:app is created at line 3, after the COPY at line 2/,
    ],
    [
      ['FROM debian:bookworm-slim', 'COPY . /app', 'RUN --network=none chown -R nobody /app'],
      /No quick fix: the RUN has --network, which the rewrite would drop/,
    ],
    [
      ['FROM debian:bookworm-slim', 'ARG UID=10001', 'COPY . /app', 'RUN chown -R ${UID} /app'],
      /No quick fix: the owner or the folder is written with a variable/,
    ],
    [
      ['FROM debian:bookworm-slim', 'COPY . /app', 'RUN chown -R appuser /app'],
      /No quick fix: appuser is not created in this stage before line 2/,
    ],
    [
      [
        'FROM debian:bookworm-slim',
        'RUN useradd app',
        'COPY . /app',
        'RUN chown -R app /app && chmod +x /app/entrypoint.sh',
      ],
      /No quick fix: the RUN does more than this chown/,
    ],
  ];
  for (const [lines, why] of cases) {
    const f = findings(df(...lines), RULE, { context: CTX });
    assert.equal(f.length, 1, lines.join(' | '));
    assert.equal(f[0].fixes.length, 0, lines.join(' | '));
    assert.match(f[0].message, why);
  }
});

test('numeric owners, and node on the node images, need no account made in the file', () => {
  for (const [from, owner] of [
    ['debian:bookworm-slim', '10001:10001'],
    ['node:22-bookworm-slim', 'node:node'],
  ]) {
    const text = df(`FROM ${from}`, 'WORKDIR /app', 'COPY . .', `RUN chown -R ${owner} /app`);
    const { fixed } = applyFix(text, RULE, { context: CTX });
    assert.match(fixed, new RegExp(`COPY --chown=${owner} \\. \\.\\nRUN chown ${owner} /app\\n`));
  }
});

test("a stage that does not reach the final image, and a chown of the base image's folders, are not findings", () => {
  const text = df(
    'FROM debian:bookworm-slim AS unused',
    'COPY . /app',
    'RUN chown -R nobody /app',
    'FROM debian:bookworm-slim',
    'RUN chown -R nobody /usr/share',
  );
  assert.deepEqual(findings(text, RULE, { context: CTX }), []);
});

test('copies that set --chown themselves, and chown --from, are not counted (paperless-ngx); a mixed folder gets no fix', () => {
  const from = df(
    'FROM debian:bookworm-slim',
    'WORKDIR /usr/src/app',
    'COPY --chown=1000:1000 . ./',
    'RUN useradd -u 1000 app && chown --from root:root --recursive app:app /usr/src/app',
  );
  assert.deepEqual(findings(from, RULE, { context: CTX }), []);
  const mixed = df(
    'FROM debian:bookworm-slim',
    'RUN useradd app',
    'COPY --chown=1000 src /app/src',
    'COPY assets /app/assets',
    'RUN chown -R app /app',
  );
  const f = findings(mixed, RULE, { context: CTX });
  assert.equal(f.length, 1);
  assert.match(f[0].message, /where line 4 copied files.*No quick fix: line 3 copies into \/app with its own --chown/);
});

test('without a context read, a named file is not flagged (a config), a folder is, with its size unknown', () => {
  assert.deepEqual(
    findings(df('FROM busybox', 'COPY prometheus.yml /etc/prometheus/', 'RUN chown -R nobody /etc/prometheus'), RULE),
    [],
  );
  const f = findings(df('FROM busybox', 'COPY . /app', 'RUN chown -R nobody /app'), RULE);
  assert.equal(f.length, 1);
  assert.match(f[0].message, /stores the files \(their size is not known here\) again/);
});
