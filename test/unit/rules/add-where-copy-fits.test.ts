import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, df, findings } from '../fixes';

const RULE = 'add-where-copy-fits';

test('ADD of plain files is flagged (DL3020); the fix writes COPY and keeps flags', () => {
  const text = df('FROM node:20', 'WORKDIR /app', 'ADD --chown=node:node package.json ./', 'ADD src ./src');
  const f = findings(text, RULE);
  assert.equal(f.length, 2);
  assert.equal(f[0].hadolint, 'DL3020');
  const { fixed } = applyFix(text, RULE);
  assert.equal(fixed, df('FROM node:20', 'WORKDIR /app', 'COPY --chown=node:node package.json ./', 'ADD src ./src'));
  assert.equal(applyFix(df('from node:20', 'add . /app'), RULE).fixed, df('from node:20', 'copy . /app'));
});

test('not flagged: URLs, git, local archives that ADD unpacks, heredocs', () => {
  assert.equal(findings(df('FROM debian:12', 'ADD https://example.com/tool.tgz /opt/'), RULE).length, 0);
  assert.equal(findings(df('FROM debian:12', 'ADD git@github.com:moby/buildkit.git /src'), RULE).length, 0);
  assert.equal(findings(df('FROM debian:12', 'ADD rootfs.tar.xz /'), RULE).length, 0);
  assert.equal(findings(df('FROM debian:12', 'ADD <<EOF /etc/motd', 'hello', 'EOF'), RULE).length, 0);
});

test('ADD with an ADD-only flag is flagged without a fix', () => {
  const f = findings(df('FROM debian:12', 'ADD --unpack=false app.bin /usr/local/bin/'), RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0);
});
