#!/usr/bin/env node
// A stand-in Docker engine on a unix socket that answers with what a real engine answered once
// (test/fixtures/engine/recorded/gathered-*.json, made by scripts/record-gathered.mjs): /_ping, /version, /info,
// /images/{name}/json and /history of the recorded images; 404 for other images, 500 for the save tar (not recorded)
// and for anything else (a build, for one). The language server then gathers and maps a real image's facts without
// dockerd: used by the LSP test of one publish per edit and by the mapped-image case of `npm run bench`.
// usage: node scripts/fake-engine.mjs FIXTURE.json SOCKET   (prints "ready <socket>" once it listens)
import { createServer } from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Serves the recorded answers on `socketPath`; resolves once listening. */
export function startFakeEngine(fixture, socketPath) {
  const recorded = JSON.parse(readFileSync(fixture, 'utf8'));
  const json = (res, status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Api-Version': recorded.version.ApiVersion });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    // the client may prefix an API version: /v1.41/images/...
    const url = new URL(req.url ?? '/', 'http://engine');
    const p = decodeURIComponent(url.pathname.replace(/^\/v\d+\.\d+/, ''));
    if (p === '/_ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Api-Version': recorded.version.ApiVersion });
      res.end('OK');
      return;
    }
    if (p === '/version') return json(res, 200, recorded.version);
    if (p === '/info') return json(res, 200, recorded.info);
    const m = /^\/images\/(.+)\/(json|history|get)$/.exec(p);
    if (m && req.method === 'GET') {
      const image = recorded.images[m[1]];
      if (!image) return json(res, 404, { message: `No such image: ${m[1]}` });
      if (m[2] === 'get') return json(res, 500, { message: 'the save tar was not recorded (scripts/fake-engine.mjs)' });
      return json(res, 200, image[m[2]]);
    }
    json(res, 500, { message: `not recorded: ${req.method} ${p}` });
  });
  rmSync(socketPath, { force: true });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () =>
      resolve({ socketPath, host: `unix://${socketPath}`, image: recorded.image, close: () => server.close() }),
    );
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [fixture, socketPath] = process.argv.slice(2);
  if (!fixture || !socketPath) {
    process.stderr.write('usage: node scripts/fake-engine.mjs FIXTURE.json SOCKET\n');
    process.exit(2);
  }
  await startFakeEngine(fixture, socketPath);
  process.stdout.write(`ready ${socketPath}\n`);
}
