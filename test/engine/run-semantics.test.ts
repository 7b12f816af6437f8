// Whole-RUN estimates against real builds, on a Debian base made like the official debian:bookworm-slim (harness.ts
// ensureOfficialLike): build dependencies installed and purged in one RUN, the official images' apt-mark/purge
// pattern, a branch guarded by a build arg left unset (and one set by default), and a `case` on the architecture.
// Each RUN layer's estimate must be within 35 % of its `docker history` size, or under 2 MB where the layer is under
// 1 MB. The table is printed at the end.
// Also: chown, chmod and touch on files a COPY brought in, built with both builders: each such layer holds the
// changed files whole again (overlayfs copy-up), which the estimate must count (estimate/run/metadata.ts).
// The packages that stay are a few MB or more (curl): a package of ~1 MB is dominated by dpkg's state (1.1 to 1.8 MB
// measured here) and by how much of it is documentation the slim image does not unpack (xz-utils, 1.2 MB of
// Installed-Size, made a 1.1 MB layer with dpkg's state; estimated 2.5 MB), which the estimate takes as an average
// (DOCS_EXCLUDED_FACTOR; the known miss of estimate-accuracy.test.ts).

import { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { readBuildContext } from '../../server/src/facts/context';
import { buildFixture, engineSuite, ensureOfficialLike, type TestEngine } from './harness';

const TOLERANCE = 0.35;

const engineTest = engineSuite();
const rows: string[] = [];

after(() => {
  if (rows.length)
    console.log(
      [
        '',
        'whole-RUN estimate vs measured (docker history, overlay2, legacy builder):',
        '| case | line | estimate | measured | diff |',
        '|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
});

/** The Dockerfiles built, by name; `FROM` is added (the base for the engine's platform). */
const CASES: Record<string, string[]> = {
  'purge-build-deps': [
    "RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && echo 'int main(void){return 0;}' > /tmp/a.c && gcc /tmp/a.c -o /usr/local/bin/a && apt-get purge -y --auto-remove gcc libc6-dev && rm -rf /var/lib/apt/lists/* /tmp/a.c",
    // git goes with what only it needed; curl and the libraries it shares with git stay
    'RUN apt-get update && apt-get install -y --no-install-recommends curl git && git --version && apt-get purge -y --auto-remove git && rm -rf /var/lib/apt/lists/*',
  ],
  'apt-mark-pattern': [
    [
      'RUN set -eux; savedAptMark="$(apt-mark showmanual)";',
      'apt-get update; apt-get install -y --no-install-recommends ca-certificates gnupg wget;',
      'wget --version > /dev/null;',
      "apt-mark auto '.*' > /dev/null;",
      '[ -z "$savedAptMark" ] || apt-mark manual $savedAptMark > /dev/null;',
      'apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false;',
      'rm -rf /var/lib/apt/lists/*',
    ].join(' \\\n  '),
    // the same, keeping one package the RUN installed (as the official images keep a runtime library)
    [
      'RUN set -eux; savedAptMark="$(apt-mark showmanual)";',
      'apt-get update; apt-get install -y --no-install-recommends gcc curl;',
      "apt-mark auto '.*' > /dev/null;",
      'apt-mark manual $savedAptMark curl > /dev/null;',
      'apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false;',
      'rm -rf /var/lib/apt/lists/*',
    ].join(' \\\n  '),
  ],
  'arg-guarded': [
    'ARG GPU',
    'ARG WITH_CURL=1',
    'RUN if [ -n "$GPU" ]; then apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*; fi',
    'RUN if [ "$WITH_CURL" = "1" ]; then apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*; else echo no curl; fi',
  ],
  'case-arch': [
    [
      'RUN set -eux; arch="$(dpkg --print-architecture)";',
      'case "$arch" in',
      '  amd64) apt-get update; apt-get install -y --no-install-recommends curl; rm -rf /var/lib/apt/lists/* ;;',
      '  arm64) apt-get update; apt-get install -y --no-install-recommends gcc; rm -rf /var/lib/apt/lists/* ;;',
      '  *) apt-get update; apt-get install -y --no-install-recommends git; rm -rf /var/lib/apt/lists/* ;;',
      'esac',
    ].join(' \\\n  '),
  ],
};

interface RawHistory {
  CreatedBy: string;
  Size: number;
}

/** linux/amd64, linux/arm64...: what the engine builds for. */
async function enginePlatform(e: TestEngine): Promise<string> {
  const arch = ((await e.docker.info()) as { Architecture: string }).Architecture;
  return `linux/${arch === 'x86_64' ? 'amd64' : arch === 'aarch64' ? 'arm64' : arch}`;
}

/** Builds one case; its RUN layers with the estimate and the measured size. */
async function measure(
  e: TestEngine,
  name: string,
  text: string,
  opts: { files?: Record<string, Buffer>; builder?: 'legacy' | 'buildkit' } = {},
): Promise<{ line: number; est: number | null; measured: number; basis: string }[]> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-run-semantics-'));
  try {
    await fs.promises.writeFile(path.join(dir, 'Dockerfile'), text);
    for (const [rel, bytes] of Object.entries(opts.files ?? {})) {
      await fs.promises.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await fs.promises.writeFile(path.join(dir, rel), bytes);
    }
    const tag = `li-run-semantics/${name}:latest`;
    await buildFixture(e, dir, { builder: opts.builder ?? 'legacy', tag, timeoutMs: 30 * 60_000 });
    const a = analyze(text, { context: await readBuildContext(dir) });
    const runs = a.steps.filter((s) => s.step.keyword === 'RUN');
    const entries = ((await e.docker.getImage(tag).history()) as RawHistory[])
      .filter((h) => h.CreatedBy.includes('/bin/sh -c') && !h.CreatedBy.includes('#(nop)'))
      .slice(0, runs.length)
      .reverse();
    assert.equal(entries.length, runs.length, `${name}: one history entry per RUN`);
    return runs.map((r, i) => ({
      line: r.step.line,
      est: r.size?.bytes ?? null,
      measured: entries[i].Size,
      basis: r.size?.basis ?? r.sizeNote ?? '',
    }));
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

engineTest(
  'whole-RUN estimates (purge, apt-mark, build-arg branches, case by architecture) are within 35 % of the layers',
  { timeout: 60 * 60_000 },
  async (e) => {
    await ensureOfficialLike(e, 'bookworm', true);
    const platform = await enginePlatform(e);
    const misses: string[] = [];
    for (const [name, lines] of Object.entries(CASES)) {
      const text = [`FROM --platform=${platform} debian:bookworm-slim`, ...lines, ''].join('\n');
      for (const m of await measure(e, name, text)) {
        const diff = m.est === null ? NaN : (m.est - m.measured) / m.measured;
        rows.push(
          `| ${name} | ${m.line} | ${m.est === null ? 'none' : (m.est / 1e6).toFixed(2) + ' MB'} | ${(m.measured / 1e6).toFixed(2)} MB | ${Number.isFinite(diff) ? (diff * 100).toFixed(1) + ' %' : '-'} |`,
        );
        const ok = m.est !== null && (m.measured < 1e6 ? m.est < 2e6 : Math.abs(diff) <= TOLERANCE);
        if (!ok) misses.push(`${name} line ${m.line}: estimate ${m.est} vs measured ${m.measured} (${m.basis})`);
      }
    }
    assert.deepEqual(misses, []);
  },
);

engineTest(
  'chown, chmod and touch on files a COPY brought store them again: each layer is estimated within 10 %, with both builders',
  { timeout: 20 * 60_000 },
  async (e) => {
    await ensureOfficialLike(e, 'bookworm', true);
    const platform = await enginePlatform(e);
    const text = [
      `FROM --platform=${platform} debian:bookworm-slim`,
      'COPY app /app',
      'RUN chown -R nobody:nogroup /app',
      'RUN chmod 0755 /app/big.bin',
      'RUN touch /app/notes.txt',
      'RUN chown nobody /app',
      'RUN chmod -R a+r /app && touch /app/big.bin',
      '',
    ].join('\n');
    const files = { 'app/big.bin': Buffer.alloc(3_000_000, 7), 'app/notes.txt': Buffer.alloc(20_000, 1) };
    const misses: string[] = [];
    for (const builder of ['legacy', 'buildkit'] as const) {
      for (const m of await measure(e, `metadata-${builder}`, text, { files, builder })) {
        const diff = m.est === null ? NaN : (m.est - m.measured) / m.measured;
        rows.push(
          `| metadata (${builder}) | ${m.line} | ${m.est === null ? 'none' : (m.est / 1e6).toFixed(3) + ' MB'} | ${(m.measured / 1e6).toFixed(3)} MB | ${Number.isFinite(diff) ? (diff * 100).toFixed(1) + ' %' : '-'} |`,
        );
        // a layer holding only metadata is a few kB (the folder entries); one holding a file again is its size
        const ok = m.est !== null && (m.measured < 100_000 ? m.est < 100_000 : Math.abs(diff) <= 0.1);
        if (!ok) misses.push(`${builder} line ${m.line}: estimate ${m.est} vs measured ${m.measured} (${m.basis})`);
      }
    }
    assert.deepEqual(misses, []);
  },
);
