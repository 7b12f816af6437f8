#!/usr/bin/env node
// Records what the engine module gathers for one real image, as the Engine API answered it, into
// test/fixtures/engine/recorded/gathered-basic.json: a private dockerd (test/engine/harness.ts) builds the `basic`
// fixture with BuildKit, then /version, /info, /images/{ref}/json and /history, and the same for its base image are
// saved verbatim. scripts/fake-engine.mjs serves them back, so the language server maps a real image without an
// engine (the LSP test of one publish per edit, and the mapped-image case of `npm run bench`).
// The save tar (/images/{ref}/get) is not recorded (megabytes of busybox): the fake engine refuses it, as an engine
// that cannot export does, and the server then maps sizes from the history without layer contents.
// usage: npm run compile-tests && node scripts/record-gathered.mjs   (needs dockerd, as the engine tests do)
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const harness = require(join(root, 'out/test/engine/harness.js'));

const pick = (o, keys) => Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));

const IMAGE = 'layer-insight-recorded/basic:1';
const BASE = 'busybox:latest';
const engine = await harness.startEngine();
try {
  await harness.ensureBusybox(engine);
  await harness.buildFixture(engine, join(harness.fixturesDir(), 'basic'), { builder: 'buildkit', tag: IMAGE });
  const d = engine.docker;
  const image = d.getImage(IMAGE);
  const base = d.getImage(BASE);
  const recorded = {
    recordedWith: 'scripts/record-gathered.mjs',
    dockerfile: 'test/fixtures/engine/basic/Dockerfile',
    image: IMAGE,
    base: BASE,
    version: await d.version(),
    // what the server reads of /info (the storage driver says how sizes are counted); not the machine's details
    info: pick(await d.info(), ['Driver', 'DriverStatus', 'ServerVersion', 'OSType', 'Architecture']),
    images: {
      [IMAGE]: { json: await image.inspect(), history: await image.history() },
      [BASE]: { json: await base.inspect(), history: await base.history() },
    },
  };
  const out = join(harness.fixturesDir(), 'recorded', 'gathered-basic.json');
  writeFileSync(out, JSON.stringify(recorded, null, 2) + '\n');
  process.stdout.write(`recorded ${IMAGE} (base ${BASE}) from Docker ${recorded.version.Version} -> ${out}\n`);
} finally {
  await engine.stop();
}
