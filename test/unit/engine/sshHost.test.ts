// The known_hosts check of ssh:// engines (engine/sshHost.ts), as OpenSSH reads the file: plain and hashed names,
// [host]:port, patterns and negations, @revoked, and a changed key told apart from an unknown host.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { checkHostKey, fingerprint, keyType } from '../../../server/src/engine/sshHost';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const b = Buffer.from(body);
  const out = Buffer.alloc(8 + t.length + b.length);
  out.writeUInt32BE(t.length, 0);
  t.copy(out, 4);
  out.writeUInt32BE(b.length, 4 + t.length);
  b.copy(out, 8 + t.length);
  return out;
}
const key = blob('ssh-ed25519', 'the-host-key-bytes-32-long......');
const other = blob('ssh-ed25519', 'another-key-bytes-32-long.......');
const line = (host: string, k = key) => `${host} ${keyType(k)} ${k.toString('base64')}`;
const hashed = (name: string) => {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};

test('a listed host is accepted: plain, [host]:port, hashed, and by pattern', () => {
  assert.deepEqual(checkHostKey(line('build.example.com'), 'kh', 'build.example.com', 22, key), { ok: true });
  assert.deepEqual(checkHostKey(line('[10.0.0.5]:2222'), 'kh', '10.0.0.5', 2222, key), { ok: true });
  assert.deepEqual(checkHostKey(line(hashed('[10.0.0.5]:2222')), 'kh', '10.0.0.5', 2222, key), { ok: true });
  assert.deepEqual(checkHostKey(line('*.example.com,!bad.example.com'), 'kh', 'build.example.com', 22, key), {
    ok: true,
  });
  assert.equal(checkHostKey(line('*.example.com,!bad.example.com'), 'kh', 'bad.example.com', 22, key).ok, false);
  // port 22 is written without brackets; another port must be bracketed
  assert.equal(checkHostKey(line('10.0.0.5'), 'kh', '10.0.0.5', 2222, key).ok, false);
});

test('an unknown host and a changed key are refused with different sentences; @revoked is refused', () => {
  const unknown = checkHostKey('# nothing\n', '/home/u/.ssh/known_hosts', 'h', 22, key);
  assert.equal(unknown.ok, false);
  assert.match(
    unknown.ok ? '' : unknown.reason,
    new RegExp(
      `^the ssh host key of h \\(ssh-ed25519 ${fingerprint(key).replace(/[+/]/g, '\\$&')}\\) is not in /home/u/.ssh/known_hosts: refused`,
    ),
  );
  const changed = checkHostKey(`\n${line('h', other)}\n`, 'kh', 'h', 22, key);
  assert.match(changed.ok ? '' : changed.reason, /is not the one kh:2 lists: the host changed its key/);
  const revoked = checkHostKey(`@revoked ${line('h')}`, 'kh', 'h', 22, key);
  assert.match(revoked.ok ? '' : revoked.reason, /revoked/);
});

test('fingerprints are written as ssh-keygen -l writes them', () => {
  assert.match(fingerprint(key), /^SHA256:[A-Za-z0-9+/]{43}$/);
  assert.equal(keyType(Buffer.from([0, 0])), 'unknown');
});
