import { test } from 'node:test';
import assert from 'node:assert/strict';
import { df, findings, run } from '../fixes';

const RULE = 'floating-base-tag';

test('no tag is DL3006, :latest is DL3007, in every stage', () => {
  const f = findings(
    df('FROM golang AS build', 'RUN go version', 'FROM alpine:latest', 'COPY --from=build /usr/local/go/VERSION /'),
    RULE,
  );
  assert.deepEqual(
    f.map((x) => [x.line, x.hadolint]),
    [
      [1, 'DL3006'],
      [3, 'DL3007'],
    ],
  );
  assert.match(f[0].message, /golang:latest/);
});

test('a registry with a port is not a tag', () => {
  assert.equal(findings(df('FROM localhost:5000/team/app'), RULE).length, 1);
  assert.equal(findings(df('FROM localhost:5000/team/app:1.4'), RULE).length, 0);
});

test('not flagged: version tags, digests, stage references, scratch, ARG-built references resolved to a tag', () => {
  assert.equal(findings(df('FROM node:20'), RULE).length, 0);
  assert.equal(findings(df('FROM node:lts-alpine'), RULE).length, 0);
  assert.equal(
    findings(df('FROM node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'), RULE).length,
    0,
  );
  assert.equal(findings(df('FROM node:20 AS base', 'FROM base'), RULE).length, 0);
  assert.equal(findings(df('FROM scratch'), RULE).length, 0);
  assert.equal(findings(df('ARG V=3.12', 'FROM python:${V}'), RULE).length, 0);
  assert.equal(findings(df('ARG IMG=python', 'FROM ${IMG}'), RULE).length, 1);
});

test('silenced by the hadolint pragma of either code', () => {
  assert.equal(findings(df('# hadolint ignore=DL3007', 'FROM alpine:latest'), RULE).length, 0);
  assert.equal(findings(df('# hadolint ignore=DL3006', 'FROM alpine'), RULE).length, 0);
});

test('only no tag and latest: partial and named tags float in the cache model, but are not flagged', () => {
  for (const ref of ['node:20', 'python:3.12-slim', 'debian:bookworm-slim', 'registry.example.com/app:builder-go']) {
    const text = df(`FROM ${ref}`, 'RUN true');
    assert.equal(findings(text, RULE).length, 0, ref);
    assert.equal(run(text).steps[1].cacheRisk.level, 'medium', ref);
  }
});

test('not flagged: a base chosen at build time (a variable without a value), or text that is no reference', () => {
  const text = df('FROM alpine:3.20.3 AS build_amd64', 'FROM build_${TARGETARCH}${TARGETVARIANT} AS build');
  assert.equal(findings(text, RULE).length, 0);
  assert.equal(findings(df('ARG BASE', 'FROM ${BASE}'), RULE).length, 0);
  assert.equal(findings(df('FROM {{ runtime_image }}'), RULE).length, 0);
  // the same reference without the variable is flagged
  assert.equal(findings(df('FROM build_amd64'), RULE).length, 1);
});
