// Image references (server/src/analysis/imageRef.ts): the one reader, and how firmly a reference pins its image.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  floats,
  parseImageRef,
  referenceProblem,
  stagePin,
  tagPin,
  whyFloats,
  type TagPin,
} from '../../server/src/analysis/imageRef';
import { parseDockerfile } from '../../server/src/analysis/parse';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

test('tagPin: a digest pins, a full version is low, partial and named tags and latest float', () => {
  const cases: [string, TagPin][] = [
    // a digest pins whatever the tag says
    [`node@${DIGEST}`, 'digest'],
    [`node:latest@${DIGEST}`, 'digest'],
    [`ubuntu:24.04@${DIGEST}`, 'digest'],
    // full versions: three numeric components, wherever they are in the tag
    ['rust:1.97.1-slim-trixie', 'version'],
    ['python:3.12.4', 'version'],
    ['node:20.11.1-alpine3.19', 'version'],
    ['golang:v1.22.5', 'version'],
    ['ghcr.io/blackdex/rust-musl:x86_64-musl-stable-1.97.1', 'version'],
    ['localhost:5000/app:1.2.3', 'version'],
    // a date-stamped snapshot (Debian, Ubuntu) is not pushed again either
    ['debian:trixie-20260803-slim', 'version'],
    ['ubuntu:jammy-20240111', 'version'],
    // partial versions
    ['node:20', 'partial'],
    ['python:3.12', 'partial'],
    ['node:20-alpine', 'partial'],
    ['mcr.microsoft.com/dotnet/sdk:10.0-noble', 'partial'],
    ['localhost:5000/app:1.2', 'partial'],
    // named tags, whatever digits they hold
    ['debian:bookworm-slim', 'named'],
    ['registry.example.com/team/app:builder-go', 'named'],
    ['app:base2', 'named'],
    ['node:lts', 'named'],
    ['tiangolo/uvicorn-gunicorn-fastapi:python3.10', 'named'],
    // latest, said or meant
    ['node:latest', 'latest'],
    ['node', 'none'],
    ['docker.io/library/node', 'none'],
    ['localhost:5000/app', 'none'],
    ['scratch', 'scratch'],
    // not a reference we can read
    ['$VAR', 'unknown'],
    ['node:${VERSION}', 'unknown'],
    ['{{', 'unknown'],
    ['', 'unknown'],
    ['node:', 'unknown'],
    ['Node:20', 'unknown'],
    [`node:${'1'.repeat(600)}`, 'unknown'],
  ];
  for (const [ref, pin] of cases) assert.equal(tagPin(ref), pin, ref);
  assert.deepEqual(
    cases.filter(([ref]) => floats(tagPin(ref))).map(([ref]) => ref),
    cases.filter(([, pin]) => ['partial', 'named', 'latest', 'none'].includes(pin)).map(([ref]) => ref),
  );
});

test('whyFloats says what the tag names and why it moves; null when it does not float', () => {
  assert.equal(whyFloats('node:20'), 'the tag "20" names a major version and moves with each release');
  assert.equal(
    whyFloats('python:3.12-slim'),
    'the tag "3.12-slim" names a minor version and moves with each patch release',
  );
  assert.equal(
    whyFloats('debian:bookworm-slim'),
    'the tag "bookworm-slim" is a name, not a full version, and moves with each new build',
  );
  assert.equal(whyFloats('node:latest'), 'the tag "latest" moves with every release');
  assert.equal(whyFloats('node'), 'no tag means "latest", which moves with every release');
  for (const ref of ['node:20.11.1', `node:20@${DIGEST}`, 'scratch', '$BASE']) assert.equal(whyFloats(ref), null, ref);
});

test('stagePin: an earlier stage does not float; a variable without a value leaves the base unknown', () => {
  const pins = (text: string) => {
    const m = parseDockerfile(text);
    return m.stages.map((s) => stagePin(s, m.globalArgs));
  };
  assert.deepEqual(pins('FROM node:20 AS base\nFROM base\nFROM base:2\n'), ['partial', 'stage', 'partial']);
  // a default value decides
  assert.deepEqual(pins('ARG V=3.12.4\nARG B=node\nFROM python:${V}\nFROM $B\n'), ['version', 'none']);
  // no default: the image is chosen at build time (the build-arg cause covers it)
  assert.deepEqual(pins('ARG BASE\nFROM ${BASE}\nFROM node:$UNDECLARED\n'), ['unknown', 'unknown']);
  // BuildKit's platform args have no value in the file: a stage picked by TARGETARCH is not an image without a tag
  assert.deepEqual(pins('FROM alpine:3.20.3 AS build_amd64\nFROM build_${TARGETARCH}\n'), ['version', 'unknown']);
});

test('parseImageRef: Docker Hub under any of its names, a registry port is not a tag', () => {
  for (const ref of [
    'node:20',
    'docker.io/library/node:20',
    'index.docker.io/node:20',
    'registry-1.docker.io/library/node:20',
  ])
    assert.deepEqual(parseImageRef(ref), { registry: null, repository: 'node', tag: '20', digest: null }, ref);
  assert.deepEqual(parseImageRef('localhost:5000/team/app'), {
    registry: 'localhost:5000',
    repository: 'team/app',
    tag: null,
    digest: null,
  });
  assert.deepEqual(parseImageRef(`gcr.io/distroless/cc-debian12:nonroot@${DIGEST}`), {
    registry: 'gcr.io',
    repository: 'distroless/cc-debian12',
    tag: 'nonroot',
    digest: DIGEST,
  });
  // the grammar check: what Docker refuses
  assert.equal(referenceProblem('node:20-bookworm-slim'), null);
  assert.match(referenceProblem('x:-tag') ?? '', /not a tag/);
  assert.match(referenceProblem('Alpine') ?? '', /lowercase/);
});
