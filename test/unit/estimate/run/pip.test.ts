// What Python installs add to a RUN layer (server/src/analysis/estimate/run/pip.ts): pip with its dependency
// closure, pins and includes, torch's CUDA and CPU builds, pip's cache; uv sync, poetry and pipenv from their
// lockfiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureContext, stepsAt } from '../helpers';

const size = (lines: string[], line: number, context?: Awaited<ReturnType<typeof fixtureContext>>) => {
  const s = stepsAt(lines.join('\n'), context ? { context } : {})(line).size;
  assert.ok(s, `line ${line} has a size`);
  return s;
};

test('pip install -r reads the requirements the stage copied in, with their includes; the rest is a lower bound', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt(
    [
      'FROM python:3.12-slim',
      'WORKDIR /srv',
      'COPY requirements.txt .',
      'RUN pip install --no-cache-dir -r requirements.txt',
      'RUN pip install -r requirements.txt',
      'RUN pip install -r missing.txt',
    ].join('\n'),
    { context: ctx },
  );
  const noCache = at(4).size;
  const cached = at(5).size;
  assert.ok(noCache && cached);
  assert.match(noCache.basis, /3 requested in requirements\.txt/);
  // requests brings urllib3, idna, certifi, charset-normalizer
  assert.match(noCache.basis, /[1-9]\d* dependencies/);
  assert.match(noCache.basis, /lower bound\): not-a-real-distribution-xyz, -r extra\.txt \(not read\)/);
  assert.ok(cached.bytes > noCache.bytes, 'the wheel cache stays without --no-cache-dir');
  assert.equal(at(6).size, null);
  assert.match(at(6).sizeNote ?? '', /missing\.txt/);
});

test('pip install flask counts what flask needs, not flask alone', () => {
  const flask = size(['FROM python:3.12-slim', 'RUN pip install --no-cache-dir flask'], 2);
  const bare = size(['FROM python:3.12-slim', 'RUN pip install --no-cache-dir blinker'], 2);
  assert.match(flask.basis, /7 distributions \(1 requested, 6 dependencies\)/);
  assert.doesNotMatch(flask.basis, /lower bound/);
  // werkzeug and jinja2 are each larger than flask: the closure is several MB, flask itself well under one
  assert.ok(flask.bytes > 4e6 && flask.bytes < 20e6, `flask with dependencies: ${flask.bytes}`);
  assert.ok(bare.bytes < 0.5e6);
});

test('pip install torch on linux/amd64 brings the CUDA wheels; the CPU index does not', () => {
  const cuda = size(['FROM python:3.12-slim', 'RUN pip install --no-cache-dir torch torchvision'], 2);
  const cpu = size(
    [
      'FROM python:3.12-slim',
      'RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch torchvision',
    ],
    2,
  );
  assert.match(cuda.basis, /nvidia-cudnn/);
  assert.ok(cuda.bytes > 3e9, `torch with its CUDA wheels: ${cuda.bytes}`);
  assert.doesNotMatch(cpu.basis, /nvidia/);
  assert.match(cpu.basis, /CPU-only build/);
  assert.ok(cpu.bytes > 300e6 && cpu.bytes < 1.5e9, `CPU-only torch: ${cpu.bytes}`);
  const pinned = size(['FROM python:3.12-slim', 'RUN pip install --no-cache-dir torch==2.5.1+cpu -f https://x'], 2);
  assert.equal(
    pinned.bytes,
    size(
      [
        'FROM python:3.12-slim',
        'RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch',
      ],
      2,
    ).bytes,
  );
});

test("pip's cache holds the downloaded wheels: the saving --no-cache-dir promises", () => {
  const kept = size(['FROM python:3.12-slim', 'RUN pip install numpy'], 2);
  const none = size(['FROM python:3.12-slim', 'RUN pip install --no-cache-dir numpy'], 2);
  const wheel = kept.bytes - none.bytes;
  // numpy's wheel is ~16 MB (pip-no-cache-dir: "numpy alone leaves ~20 MB")
  assert.ok(wheel > 10e6 && wheel < 25e6, `numpy's cached wheel: ${wheel}`);
  assert.match(kept.basis, /downloaded wheels kept in ~\/\.cache\/pip/);
  const env = size(['FROM python:3.12-slim', 'ENV PIP_NO_CACHE_DIR=1', 'RUN PIP_NO_CACHE_DIR=1 pip install numpy'], 3);
  assert.equal(env.bytes, none.bytes);
});

test('pinned requirements: markers for other platforms drop out, includes are read, unknown names are named', async () => {
  const ctx = await fixtureContext('python-locks');
  const s = size(
    ['FROM python:3.12', 'COPY req/ /app/', 'WORKDIR /app', 'RUN pip install --no-cache-dir -r requirements.txt'],
    4,
    ctx,
  );
  assert.match(s.basis, /req\/requirements\.txt, req\/requirements\/base\.txt/);
  assert.doesNotMatch(s.basis, /pywin32/);
  assert.match(s.basis, /lower bound\): not-a-known-dist/);
  const cpu = size(
    ['FROM python:3.12', 'COPY req/ /app/', 'WORKDIR /app', 'RUN pip install --no-cache-dir -r requirements-cpu.txt'],
    4,
    ctx,
  );
  assert.match(cpu.basis, /CPU-only build/);
});

test("uv sync installs the locked closure for Linux: the lock's own wheel sizes, dev group unless --no-dev", async () => {
  const ctx = await fixtureContext('python-locks');
  const base = ['FROM python:3.12-slim', 'WORKDIR /app', 'COPY uv/uv.lock uv/pyproject.toml* ./'];
  const dev = size([...base, 'RUN uv sync --frozen'], 4, ctx);
  const prod = size([...base, 'RUN uv sync --frozen --no-dev'], 4, ctx);
  // app -> httpx[http2] (+ h2), idna, numpy 2.1.0 (Linux fork); appnope is macOS-only
  assert.match(prod.basis, /4 distributions locked in uv\/uv\.lock/);
  assert.match(dev.basis, /5 distributions/);
  assert.doesNotMatch(prod.basis, /lower bound/);
  // numpy's 16 MB manylinux wheel unpacks to tens of MB (not the 5 MB macOS wheel of the other fork)
  assert.ok(prod.bytes > 40e6 && prod.bytes < 80e6, `uv sync: ${prod.bytes}`);
  const mounted = size(
    [
      'FROM python:3.12-slim',
      'WORKDIR /app',
      'RUN --mount=type=cache,target=/root/.cache/uv --mount=type=bind,source=uv/uv.lock,target=uv.lock uv sync --locked --no-dev',
    ],
    3,
    ctx,
  );
  assert.equal(mounted.bytes, prod.bytes);
});

test('poetry install: groups and markers; the downloaded wheels stay in its cache', async () => {
  const ctx = await fixtureContext('python-locks');
  const base = ['FROM python:3.12-slim', 'WORKDIR /app', 'COPY poetry/poetry.lock ./'];
  const main = size([...base, 'RUN poetry install --no-root --only main'], 4, ctx);
  const all = size([...base, 'RUN poetry install --no-root'], 4, ctx);
  assert.match(main.basis, /3 distributions locked/); // django, asgiref, sqlparse (colorama is Windows-only)
  assert.match(all.basis, /4 distributions locked/); // + pytest
  assert.match(main.basis, /~\/\.cache\/pypoetry/);
  assert.ok(main.bytes > 25e6, `django's tree: ${main.bytes}`);
});

test('pipenv install --deploy: the default section, and develop with --dev', async () => {
  const ctx = await fixtureContext('python-locks');
  const base = ['FROM python:3.12-slim', 'WORKDIR /app', 'COPY pipenv/Pipfile.lock ./'];
  const prod = size([...base, 'RUN PIP_NO_CACHE_DIR=1 pipenv install --system --deploy'], 4, ctx);
  const dev = size([...base, 'RUN PIP_NO_CACHE_DIR=1 pipenv install --system --deploy --dev'], 4, ctx);
  assert.match(prod.basis, /2 distributions locked/); // flask, werkzeug; pywin32 is Windows-only
  assert.match(dev.basis, /3 distributions locked/);
  assert.ok(dev.bytes > prod.bytes);
});
