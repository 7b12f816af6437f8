import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../../server/src/analysis/analyze';
import type { BuildContextFacts } from '../../../../server/src/analysis/model';

const CONTEXT: BuildContextFacts = {
  root: '/ctx',
  files: [
    { path: 'app/big.bin', bytes: 5_000_000 },
    { path: 'app/lib/util.js', bytes: 40_000 },
    { path: 'run.sh', bytes: 2_000 },
  ],
  truncated: false,
  hasDockerignore: false,
};

function sizes(lines: string[]): Map<number, { bytes: number | null; basis: string; lowerBound: boolean }> {
  const a = analyze(['FROM debian:bookworm-slim', ...lines].join('\n'), { context: CONTEXT });
  return new Map(
    a.steps.map((s) => [
      s.step.line,
      {
        bytes: s.size?.bytes ?? null,
        basis: s.size?.basis ?? s.sizeNote ?? '',
        lowerBound: s.size?.lowerBound === true,
      },
    ]),
  );
}

test('chown -R, chmod and touch on copied files put those files in the layer again', () => {
  const s = sizes([
    'COPY app /app', // 2
    'COPY run.sh /usr/local/bin/run.sh', // 3
    'RUN chown -R nobody:nogroup /app', // 4
    'RUN chmod +x /usr/local/bin/run.sh', // 5
    'WORKDIR /app', // 6
    'RUN touch lib/util.js', // 7
    'RUN chown -R nobody /app/lib', // 8: an absolute path under a WORKDIR
  ]);
  assert.equal(s.get(8)?.bytes, 40_000);
  assert.equal(s.get(4)?.bytes, 5_040_000);
  assert.match(s.get(4)?.basis ?? '', /chown copies 2 files .*from COPY line 2.* whole into this layer/);
  assert.equal(s.get(5)?.bytes, 2_000);
  assert.equal(s.get(7)?.bytes, 40_000, 'a relative operand is read from the WORKDIR');
});

test('without -R only the named path counts; a file changed twice in one RUN is stored once', () => {
  const s = sizes([
    'COPY app /app', // 2
    'RUN chown nobody /app', // 3: the folder itself
    'RUN chmod -R a+r /app && touch /app/big.bin && chmod 600 /app/big.bin', // 4
  ]);
  assert.equal(s.get(3)?.bytes, 0);
  assert.equal(s.get(4)?.bytes, 5_040_000);
});

test("the base image's files are not in our tables; a build arg's default is read, an unset variable is not", () => {
  const s = sizes([
    'RUN chown -R nobody /usr/share/doc', // 2: the base image's files
    'ARG DIR=/app',
    'COPY app /app', // 4
    'RUN chown -R nobody "$DIR"', // 5
    'RUN chown -R nobody "$NOT_SET/app"', // 6
  ]);
  assert.equal(s.get(2)?.bytes, 0);
  assert.equal(s.get(5)?.bytes, 5_040_000);
  assert.equal(s.get(6)?.bytes, 0);
});

test('setcap on a copied binary counts it; what else setcap writes stays unknown (a lower bound)', () => {
  const s = sizes(['COPY app /app', 'RUN setcap cap_net_bind_service=+ep /app/big.bin']);
  assert.equal(s.get(3)?.bytes, 5_000_000);
  assert.equal(s.get(3)?.lowerBound, true);
});

test('chmod of a file a step wrote without a size (ADD of a URL, curl -o) has no size, instead of 0 B', () => {
  const s = sizes([
    'ADD https://example.com/tool-linux-amd64 /usr/local/bin/tool', // 2
    'RUN chmod +x /usr/local/bin/tool', // 3
    'RUN curl -fsSLo /usr/local/bin/kubectl https://example.com/kubectl', // 4
    'RUN chmod +x /usr/local/bin/kubectl', // 5
    'RUN chmod +x /usr/local/bin/other', // 6: nothing of ours there
    'RUN useradd -m app && chown app /home/app', // 7: useradd touches /home, names no file of it
  ]);
  assert.equal(s.get(3)?.bytes, null);
  assert.match(s.get(3)?.basis ?? '', /chmod of \/usr\/local\/bin\/tool \(line 2 wrote there, size unknown\)/);
  assert.equal(s.get(5)?.bytes, null);
  assert.match(s.get(5)?.basis ?? '', /line 4 wrote there/);
  assert.equal(s.get(6)?.bytes, 0);
  assert.equal(s.get(7)?.bytes, 0);
});

test('chown of a copied folder alone (no -R) is not a copy of its files, even when their size is unknown', () => {
  const a = analyze(
    ['FROM debian:bookworm-slim', 'WORKDIR /app', 'COPY . /app', 'RUN chown app /app', 'RUN chown -R app /app'].join(
      '\n',
    ),
    {},
  );
  const at = (line: number) => a.steps.find((x) => x.step.line === line);
  assert.equal(at(4)?.size?.bytes, 0);
  assert.ok(!at(4)?.size?.lowerBound);
  assert.equal(at(5)?.size, null, 'the copied files, of unknown size, are stored again');
});
