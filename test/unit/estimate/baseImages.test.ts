import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupBaseImage, lookupBaseImageRow, normalizeRef } from '../../../server/src/analysis/estimate/baseImages';
import { debianFlavour } from '../../../server/src/analysis/estimate/run/apt';

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

test('a patch version not in the table is sized by its release line, and the basis names the row that stood in', () => {
  const cases: [string, string, string][] = [
    ['postgres:16.4', 'postgres:16', 'postgres:16-trixie'],
    ['node:22.11.0-bookworm-slim', 'node:22-bookworm-slim', 'node:22-bookworm-slim'],
    ['python:3.12.4-slim', 'python:3.12-slim', 'python:3.12-slim-trixie'],
    ['eclipse-temurin:17.0.12_7-jre-jammy', 'eclipse-temurin:17-jre-jammy', 'eclipse-temurin:17-jre-jammy'],
    ['golang:1.26.2-bookworm', 'golang:1.26-bookworm', 'golang:1.26-bookworm'],
  ];
  for (const [ref, standIn, row] of cases) {
    const hit = lookupBaseImageRow(ref);
    assert.ok(hit, `${ref} resolves`);
    assert.equal(hit.row, row);
    assert.equal(hit.info.bytes, lookupBaseImage(standIn)?.bytes);
    assert.match(
      hit.info.basis,
      new RegExp(`^${ref.replace(/\./g, '\\.')} sized as ${standIn.replace(/\./g, '\\.')}, a patch neighbour`),
    );
  }
});

test('another release line is sized only as a sibling whose listed lines are measured to be close', () => {
  // postgres 16, 17 and 18 are within a few % of each other: 15 takes the nearest, and the basis says so
  const pg = lookupBaseImage('postgres:15.8');
  assert.equal(pg?.bytes, lookupBaseImage('postgres:16')?.bytes);
  assert.match(
    pg?.basis ?? '',
    /postgres:15\.8 sized as postgres:16, approximate: no row of the 15 line; the listed lines 16, 17, 18 are within \d+ % of each other/,
  );
  const py = lookupBaseImage('python:3.11.9-slim');
  assert.match(
    py?.basis ?? '',
    /sized as python:3\.12-slim, approximate: no row of the 3\.11 line; the listed slim lines 3\.12, 3\.13/,
  );
  // a row built on an end-of-life suite (node:18 of 2023, bullseye) is no evidence about today's lines
  assert.match(
    lookupBaseImage('node:20')?.basis ?? '',
    /sized as node:22, approximate: no row of the 20 line; the listed lines 22, 24 are within/,
  );
  // too far from every listed line, or no two lines listed for that variant to measure the spread
  assert.equal(lookupBaseImage('postgres:9.6'), null);
  assert.equal(lookupBaseImage('node:14'), null);
});

test('no neighbour across variants, nor without two listed lines to compare', () => {
  for (const ref of [
    'node:20.11.1-bookworm-slim', // one bookworm-slim line listed: no spread to measure
    'golang:1.25-alpine', // golang 1.x: the minor is the release
    'rust:1.89-alpine3.24', // the row rust:1 names no release line
    'node:22.11.0-alpine3.19', // another Alpine release
    'postgres:16.4-bullseye', // another Debian suite
    'nginx:1.31.2-alpine-perl', // another flavour
    'node:lts-buster-slim', // a named tag without a row
  ]) {
    assert.equal(lookupBaseImage(ref), null, `${ref} is unknown`);
  }
});

test('a dated snapshot of a named tag is that tag', () => {
  const dated = lookupBaseImage('debian:trixie-20260803-slim');
  assert.ok(dated);
  assert.equal(dated.bytes, lookupBaseImage('debian:trixie-slim')?.bytes);
  assert.match(dated.basis, /sized as debian:trixie-slim, a dated snapshot/);
});

test('Docker Hub under any of its names, with or without library/, is the same row; a user namespace is not', () => {
  const plain = lookupBaseImageRow('postgres:16');
  assert.ok(plain);
  for (const ref of [
    'docker.io/library/postgres:16',
    'docker.io/postgres:16',
    'index.docker.io/library/postgres:16',
    'registry.docker.com/library/postgres:16',
    'registry-1.docker.io/library/postgres:16',
  ]) {
    assert.equal(lookupBaseImageRow(ref)?.row, plain.row, ref);
  }
  assert.equal(lookupBaseImage('docker.io/someuser/postgres:16'), null);
  assert.equal(lookupBaseImage('docker.io/bitnami/redis:7.4'), null);
});

test('every added family resolves, with the suite or Alpine release its package estimates need', () => {
  const cases: [string, string, string | null][] = [
    ['buildpack-deps:bookworm-scm', 'debian', 'bookworm'],
    ['buildpack-deps:trixie', 'debian', 'trixie'],
    ['nginx:alpine-slim', 'alpine', 'alpine3.24'],
    ['nginx:1.30-alpine-slim', 'alpine', 'alpine3.24'],
    ['postgres:16-bookworm', 'debian', 'bookworm'],
    ['postgres:17', 'debian', 'trixie'],
    ['postgres:18-alpine', 'alpine', 'alpine3.24'],
    ['redis:7', 'debian', 'bookworm'],
    ['redis:7-alpine', 'alpine', 'alpine3.21'],
    ['httpd:2.4', 'debian', 'trixie'],
    ['httpd:2.4-alpine', 'alpine', 'alpine3.24'],
    ['caddy:2', 'alpine', 'alpine3.23'],
    ['caddy:2-builder', 'alpine', 'alpine3.23'],
    ['maven:3-eclipse-temurin-17', 'ubuntu', 'noble'],
    ['eclipse-temurin:17-jdk-noble', 'ubuntu', 'noble'],
    ['eclipse-temurin:17-jre-jammy', 'ubuntu', 'jammy'],
    ['eclipse-temurin:17-jre-alpine', 'alpine', 'alpine3.24'],
    ['php:8.4-fpm', 'debian', 'trixie'],
    ['php:8.4-apache', 'debian', 'trixie'],
    ['php:8.4-fpm-alpine', 'alpine', 'alpine3.24'],
    ['mcr.microsoft.com/dotnet/runtime:8.0', 'debian', 'bookworm'],
    ['mcr.microsoft.com/dotnet/runtime-deps:8.0', 'debian', 'bookworm'],
    ['mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled', 'distroless', 'jammy'],
    ['mcr.microsoft.com/dotnet/runtime-deps:8.0-alpine', 'alpine', null],
    ['alpine:3.22', 'alpine', 'alpine3.22'],
  ];
  for (const [ref, family, release] of cases) {
    const info = lookupBaseImage(ref);
    assert.ok(info, `${ref} resolves`);
    assert.equal(info.family, family, ref);
    assert.equal(info.release, release, ref);
    assert.equal(info.libc, family === 'alpine' ? 'musl' : 'glibc', ref);
    assert.match(info.basis, /(19|20)\d\d-\d\d/, `${ref}: the basis carries a date`);
  }
});

test('apt estimates on postgres use the Debian suite the tag is built on', () => {
  for (const [ref, suite] of [
    ['postgres:16-bookworm', 'bookworm'],
    ['postgres:16', 'trixie'],
    ['postgres:16.4-bookworm', 'bookworm'],
  ]) {
    const hit = lookupBaseImageRow(ref);
    assert.ok(hit, ref);
    assert.equal(debianFlavour(hit.info, hit.row, ref)?.suite, suite, ref);
  }
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
    ['nginx:alpine', 'nginx:alpine-slim'],
    ['postgres:16', 'postgres:16-alpine'],
    ['redis:7', 'redis:7-alpine'],
    ['php:8.4-fpm', 'php:8.4-fpm-alpine'],
    ['eclipse-temurin:17-jdk-noble', 'eclipse-temurin:17-jre-noble'],
    ['buildpack-deps:trixie', 'buildpack-deps:trixie-scm'],
  ];
  for (const [big, small] of pairs) {
    const b = lookupBaseImage(big);
    const s = lookupBaseImage(small);
    assert.ok(b && s, `${big} and ${small} are known`);
    assert.ok(s.bytes < b.bytes, `${small} (${s.bytes}) < ${big} (${b.bytes})`);
  }
});

test('registries other than Docker Hub keep their prefix', () => {
  const deps = lookupBaseImage('mcr.microsoft.com/dotnet/runtime-deps:8.0');
  const runtime = lookupBaseImage('mcr.microsoft.com/dotnet/runtime:8.0');
  const sdk = lookupBaseImage('mcr.microsoft.com/dotnet/sdk:8.0');
  assert.ok(deps && runtime && sdk);
  assert.ok(deps.bytes < runtime.bytes && runtime.bytes < sdk.bytes);
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
  assert.equal(lookupBaseImage('eclipse-temurin:11-jre-alpine'), null, 'no row for temurin 11');
  assert.equal(lookupBaseImage('mcr.microsoft.com/dotnet/sdk:10.0'), null, 'no row for the .NET 10 SDK');
  assert.equal(lookupBaseImage('mcr.microsoft.com/dotnet/aspnet:9.0'), null, 'no row for .NET 9');
  assert.equal(lookupBaseImage('${BASE}'), null);
  assert.equal(lookupBaseImage(''), null);
  assert.equal(lookupBaseImage('   '), null);
});

test('end-of-life and new lines real Dockerfiles use are sized from a cited source, under every spelling', () => {
  const node18 = lookupBaseImage('node:18');
  assert.ok(node18 && node18.bytes > 500_000_000, 'node:18 is a full buildpack-deps image');
  assert.match(node18.basis, /repo-info repos\/node\/remote\/18\.md @\w+ .*2023-01-11/);
  assert.equal(lookupBaseImage('docker.io/library/node:18')?.bytes, node18.bytes);
  assert.match(lookupBaseImage('node:18@sha256:d871edd5b681')?.basis ?? '', /pinned by digest/);
  // the full node:18 row answers for no other variant of the 18 line
  for (const ref of ['node:18-alpine', 'node:18-slim', 'node:18-bookworm-slim'])
    assert.equal(lookupBaseImage(ref), null, ref);

  const py = lookupBaseImage('python:3.14-slim-bookworm');
  assert.ok(py && py.bytes < node18.bytes);
  assert.equal(py.release, 'bookworm');
  assert.match(py.basis, /repo-info repos\/python\/local\/3\.14-slim-bookworm\.md @\w+ .*2026-08-05/);
  assert.equal(lookupBaseImage('python:3.14-slim-trixie')?.bytes === py.bytes, false, 'trixie is not the bookworm row');

  const aspnet = lookupBaseImage('mcr.microsoft.com/dotnet/aspnet:10.0');
  assert.ok(aspnet);
  assert.equal(aspnet.family, 'ubuntu');
  assert.match(aspnet.basis, /dotnet\/dotnet-docker documentation\/sample-image-size-report\.md @\w+/);
  assert.match(aspnet.basis, /compressed 92\.5 MB \/ ratio 0\.419 \(the ratio the same report measured/);
  assert.equal(lookupBaseImage('mcr.microsoft.com/dotnet/aspnet:10.0-alpine'), null, 'no ratio measured for Alpine');

  const rust = lookupBaseImage('docker.io/library/rust:1.97.1-slim-trixie');
  assert.match(rust?.basis ?? '', /sized as rust:1\.97-slim-trixie, a patch neighbour .*rust\/local\/1\.97-slim\.md/);
  assert.equal(lookupBaseImage('rust:1.97.1-slim-bookworm'), null);
});
