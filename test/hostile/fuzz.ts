// Random Dockerfiles for fuzzing, from a fixed seed: real instruction fragments (flags, variables, heredocs,
// globs, stage references, ignore comments) cut, repeated and spliced with random bytes, so the inputs reach deep
// into the parser, the variable expansion, the estimators and the rules rather than stopping at the first line.

import { prng } from './cases';

const FRAGMENTS = [
  'FROM ',
  'FROM alpine:3.20',
  'FROM node:20 AS build',
  'FROM build',
  'FROM scratch',
  'FROM --platform=$P ${IMG:-debian}:${TAG}',
  ' AS ',
  'ARG ',
  'ARG V=1',
  'ENV A=$A$A',
  'ENV ',
  '${A:-${B:+x}}',
  '${',
  '}',
  '$',
  '\\',
  '\\\n',
  '\n',
  '\r\n',
  '\r',
  '\t',
  'RUN ',
  'RUN apt-get update && apt-get install -y curl',
  'RUN apk add --no-cache git',
  'RUN pip install -r requirements.txt',
  'RUN npm ci',
  'RUN --mount=type=cache,target=/root/.npm npm ci',
  'RUN --mount=from=build,source=/a,target=/b ls',
  'RUN <<EOF\n',
  'EOF\n',
  '<<-EOT',
  'COPY ',
  'COPY . .',
  'COPY --from=build /out /out',
  'COPY --from=0 ',
  'COPY [',
  ']',
  '[z-a]',
  '*',
  '**',
  '?',
  '!',
  'ADD https://example.com/a.tgz /a',
  'ADD --chown=1:1 ',
  'WORKDIR ',
  'WORKDIR /app',
  'USER ',
  'CMD ["a"]',
  'ENTRYPOINT ',
  'ONBUILD ',
  'ONBUILD RUN x',
  'HEALTHCHECK CMD x',
  'SHELL ["/bin/bash","-c"]',
  'LABEL a=b',
  'EXPOSE 80',
  'VOLUME /v',
  'STOPSIGNAL 9',
  '# escape=`\n',
  '# syntax=docker/dockerfile:1\n',
  '# hadolint ignore=DL3008\n',
  '# layer-insight ignore=copy-before-install\n',
  '"',
  "'",
  '`',
  '&&',
  '||',
  ';',
  '|',
  '>',
  '(',
  ')',
  '{',
  '}',
  '=',
  ',',
  '\u0000',
  '\ufeff',
  '\u001b[2J',
  '\u202e',
  '\ud800',
  '😀',
  ' ',
  '  ',
  '-',
  '--',
  '/',
  '..',
  '../',
  '/etc/passwd',
];

/** `count` random Dockerfiles of up to `maxPieces` fragments each, the same for the same seed. */
export function fuzzInputs(seed: number, count: number, maxPieces = 60): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const pieces: string[] = [];
    const len = 1 + Math.floor(rnd() * maxPieces);
    for (let i = 0; i < len; i++) {
      const r = rnd();
      if (r < 0.8) pieces.push(pick(FRAGMENTS));
      else if (r < 0.9) pieces.push(randomText(rnd, 1 + Math.floor(rnd() * 20)));
      else pieces.push(pick(FRAGMENTS).repeat(2 + Math.floor(rnd() * 50)));
      if (rnd() < 0.3) pieces.push('\n');
    }
    out.push(pieces.join(''));
  }
  return out;
}

function randomText(rnd: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rnd() * (rnd() < 0.9 ? 128 : 0x10000)));
  return s;
}
