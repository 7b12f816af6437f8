import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, df, findings } from '../fixes';
import { applyEdits } from '../../../server/src/analysis/rewrite/edits';

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

test('the bytes are the deleted files: a small COPYed file deleted later is no finding, a large one is, with its size', () => {
  const ctx = (bytes: number) => ({
    context: { root: '/ctx', files: [{ path: 'pkg/app.tar', bytes }], truncated: false, hasDockerignore: false },
  });
  const text = df(
    'FROM debian:12',
    'COPY pkg/app.tar /tmp/app.tar',
    'RUN tar -xf /tmp/app.tar -C /opt',
    'RUN rm -f /tmp/app.tar',
  );
  assert.equal(findings(text, RULE, ctx(40_000)).length, 0);
  const [f] = findings(text, RULE, ctx(12_300_000));
  assert.match(f.message, /\/tmp\/app\.tar \(created at line 2, 12\.3 MB\)/);
  assert.match(f.message, /12\.3 MB stay in the image/);
  // a mkdir made an empty folder: deleting files below it later is not "created at line 2"
  assert.equal(
    findings(df('FROM debian:12', 'RUN mkdir -p /usr/share/man/man1', 'RUN rm -rf /usr/share/man/man1/x.1'), RULE)
      .length,
    0,
  );
});

test('a COPY --from file that one RUN uses and deletes: the fix bind-mounts it (BuildKit only) and drops COPY and rm', () => {
  const text = df(
    'FROM busybox AS build',
    'RUN tar -cf /out.tar /etc',
    'FROM busybox',
    'COPY --from=build /out.tar /tmp/app.tar',
    'RUN tar -xf /tmp/app.tar -C /opt && rm /tmp/app.tar && echo done',
  );
  const [f] = findings(text, RULE);
  assert.equal(f.fixes.length, 1);
  assert.match(f.fixes[0].title, /BuildKit only/);
  assert.equal(f.fixes[0].preferred, false); // the file does not need BuildKit yet
  assert.equal(
    applyEdits(text, f.fixes[0].edits),
    df(
      'FROM busybox AS build',
      'RUN tar -cf /out.tar /etc',
      'FROM busybox',
      'RUN --mount=type=bind,from=build,source=/out.tar,target=/tmp/app.tar,rw tar -xf /tmp/app.tar -C /opt && echo done',
    ),
  );
});

test('a context archive COPYed, extracted and deleted as the last command: the mount reads the context', () => {
  const text = df(
    '# syntax=docker/dockerfile:1',
    'FROM debian:12',
    'COPY vendor.tar /tmp/vendor.tar',
    'RUN tar -xf /tmp/vendor.tar -C /opt \\',
    '    && rm -f /tmp/vendor.tar',
  );
  const [f] = findings(text, RULE);
  assert.equal(f.fixes[0].preferred, true);
  assert.equal(
    applyEdits(text, f.fixes[0].edits),
    df(
      '# syntax=docker/dockerfile:1',
      'FROM debian:12',
      'RUN --mount=type=bind,source=vendor.tar,target=/tmp/vendor.tar,rw tar -xf /tmp/vendor.tar -C /opt',
    ),
  );
});

test('no bind mount, and the finding says why: --chown, a RUN between that uses the file, an rm of other paths', () => {
  const why = (...lines: string[]) => findings(df(...lines), RULE)[0];
  const chown = why(
    'FROM debian:12',
    'COPY --chown=app x.tar /tmp/x.tar',
    'RUN tar -xf /tmp/x.tar -C /opt && rm /tmp/x.tar',
  );
  assert.equal(chown.fixes.length, 0);
  assert.match(chown.message, /No fix offered: the COPY at line 2 sets --chown/);
  const used = why(
    'FROM debian:12',
    'COPY x.tar /tmp/x.tar',
    'RUN tar -tf /tmp/x.tar',
    'RUN tar -xf /tmp/x.tar -C /opt && rm /tmp/x.tar',
  );
  assert.match(used.message, /No fix offered: line 3 uses \/tmp\/x\.tar/);
  const more = why(
    'FROM debian:12',
    'COPY x.tar /tmp/x.tar',
    'RUN tar -xf /tmp/x.tar -C /opt && rm -rf /tmp/x.tar /opt/doc',
  );
  assert.match(more.message, /No fix offered: `rm -rf \/tmp\/x\.tar \/opt\/doc` also deletes other paths/);
});

test('moving a deletion of apt lists above a later install adds apt-get update to that install', () => {
  const text = df(
    'FROM mycorp/debian-base:1',
    'RUN apt-get update && apt-get install -y --no-install-recommends curl',
    'RUN apt-get install -y --no-install-recommends git',
    'RUN rm -rf /var/lib/apt/lists/*',
  );
  const f = findings(text, RULE)[0];
  assert.equal(
    applyEdits(text, f.fixes[0].edits),
    df(
      'FROM mycorp/debian-base:1',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      'RUN apt-get update && apt-get install -y --no-install-recommends git',
    ),
  );
});

test('no move into a stage that another stage also builds on: that stage would lose the file', () => {
  const text = df(
    'FROM debian:12 AS base',
    'RUN curl -o /tmp/tool.tgz https://example.com/tool.tgz',
    'FROM base AS other',
    'RUN tar -xzf /tmp/tool.tgz -C /opt',
    'FROM base',
    'RUN rm /tmp/tool.tgz',
  );
  const f = findings(text, RULE)[0];
  assert.equal(f.fixes.length, 0);
  assert.match(f.message, /No fix offered: stage other \(line 3\) also uses the stage of line 2/);
  // a relative deletion is not moved into a RUN that runs elsewhere
  const rel = findings(
    df('FROM debian:12', 'WORKDIR /src', 'RUN cd /opt && curl -o x.tgz https://x/x.tgz', 'RUN rm x.tgz'),
    RULE,
  );
  assert.equal(rel.length, 0); // /src/x.tgz was not written: the curl ran in /opt
  const rel2 = findings(
    df('FROM debian:12', 'WORKDIR /opt', 'RUN curl -o x.tgz https://x/x.tgz', 'WORKDIR /srv', 'RUN rm ../opt/x.tgz'),
    RULE,
  )[0];
  assert.match(rel2.message, /No fix offered: the deletion names a relative path/);
});
