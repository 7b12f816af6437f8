import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupBaseImage, normalizeRef } from '../../../server/src/analysis/estimate/baseImages';

test('a known tag answers with its row, its source and its family', () => {
  const info = lookupBaseImage('debian:bookworm-slim');
  assert.ok(info);
  assert.equal(info.ref, 'debian:bookworm-slim');
  assert.equal(info.family, 'debian');
  assert.equal(info.libc, 'glibc');
  assert.ok(info.bytes > 10_000_000 && info.bytes < 200_000_000, `plausible size, got ${info.bytes}`);
  assert.match(info.basis, /repo-info/);
  assert.match(info.basis, /20\d\d-\d\d/, 'the basis carries a date');
});

test('docker.io/library/ prefixes, a missing tag and a digest are normalised', () => {
  const plain = lookupBaseImage('node:latest');
  assert.ok(plain);
  assert.deepEqual(lookupBaseImage('docker.io/library/node')?.bytes, plain.bytes);
  assert.deepEqual(lookupBaseImage('index.docker.io/library/node:latest')?.bytes, plain.bytes);
  assert.deepEqual(normalizeRef('docker.io/library/alpine:3.24@sha256:abc'), {
    repo: 'alpine',
    tag: '3.24',
    digest: 'sha256:abc',
  });
  const pinned = lookupBaseImage('ubuntu@sha256:0123456789abcdef0123456789abcdef');
  assert.ok(pinned);
  assert.equal(pinned.ref, 'ubuntu:latest');
  assert.match(pinned.basis, /pinned by digest/);
});

test('a version tag takes the nearest known row of the same variant, and says so', () => {
  const slim = lookupBaseImage('node:20.11.1-bookworm-slim');
  const row = lookupBaseImage('node:22-bookworm-slim');
  assert.ok(slim && row);
  assert.equal(slim.bytes, row.bytes);
  assert.match(slim.basis, /nearest known row/);
  assert.match(slim.basis, /node:22-bookworm-slim/);
  // the variant decides: the alpine flavour of the same version is a different (smaller) row
  const alpine = lookupBaseImage('node:20.11.1-alpine3.19');
  assert.ok(alpine);
  assert.equal(alpine.family, 'alpine');
  assert.equal(alpine.libc, 'musl');
  assert.ok(alpine.bytes < slim.bytes);
  assert.match(alpine.basis, /variant matched as "alpine"/);
});

test('-slim, -alpine and -jre variants are smaller than the full images they trim', () => {
  const pairs: [string, string][] = [
    ['python:3.12', 'python:3.12-slim'],
    ['python:3.12-slim', 'python:3.12-alpine'],
    ['debian:bookworm', 'debian:bookworm-slim'],
    ['eclipse-temurin:21-jdk', 'eclipse-temurin:21-jre'],
    ['rust:1', 'rust:1-slim'],
    ['ruby:3.4', 'ruby:3.4-slim'],
    ['nginx:latest', 'nginx:alpine'],
  ];
  for (const [big, small] of pairs) {
    const b = lookupBaseImage(big);
    const s = lookupBaseImage(small);
    assert.ok(b && s, `${big} and ${small} are known`);
    assert.ok(s.bytes < b.bytes, `${small} (${s.bytes}) < ${big} (${b.bytes})`);
  }
});

test('registries other than Docker Hub keep their prefix', () => {
  const aspnet = lookupBaseImage('mcr.microsoft.com/dotnet/aspnet:8.0');
  const sdk = lookupBaseImage('mcr.microsoft.com/dotnet/sdk:8.0');
  assert.ok(aspnet && sdk);
  assert.ok(aspnet.bytes < sdk.bytes);
  const distroless = lookupBaseImage('gcr.io/distroless/static-debian12:nonroot');
  assert.ok(distroless);
  assert.equal(distroless.family, 'distroless');
  assert.equal(distroless.libc, 'none');
  assert.ok(distroless.bytes < (lookupBaseImage('alpine')?.bytes ?? 0));
  // a lookalike repository on another registry is not Docker Hub's image
  assert.equal(lookupBaseImage('ghcr.io/someone/node:22'), null);
});

test('scratch is empty, unknown images are unknown, never guessed', () => {
  const scratch = lookupBaseImage('scratch');
  assert.ok(scratch);
  assert.equal(scratch.bytes, 0);
  assert.equal(scratch.family, 'scratch');
  assert.equal(lookupBaseImage('mycorp/base:1.2'), null);
  assert.equal(lookupBaseImage('php:8.2-fpm'), null, 'php-fpm is a variant we have no row for');
  assert.equal(lookupBaseImage('eclipse-temurin:17-jre-alpine'), null, 'no alpine row for temurin');
  assert.equal(lookupBaseImage('${BASE}'), null);
  assert.equal(lookupBaseImage(''), null);
  assert.equal(lookupBaseImage('   '), null);
});
