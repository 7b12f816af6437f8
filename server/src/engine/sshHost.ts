// ssh:// engines: the options dockerode's ssh transport (docker-modem, ssh2) connects with. Keys come from the ssh
// agent (SSH_AUTH_SOCK) and ~/.ssh/id_{ed25519,ecdsa,rsa}; the server's host key is checked against
// ~/.ssh/known_hosts as OpenSSH does (plain and hashed host names, [host]:port for other ports, * and ? patterns,
// @revoked lines), and a host that is not listed, or listed with another key, is refused. Why it was refused is kept
// per host (sshRefusal) so that the status can say it instead of ssh2's "Host denied (verification failed)".

import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SshTarget {
  host: string;
  hostname: string;
  port: number;
  username?: string;
  /** Home folder whose .ssh holds the keys and known_hosts. */
  home: string;
  /** The ssh agent's socket (SSH_AUTH_SOCK), if any. */
  agent?: string;
}

const refusals = new Map<string, string>();

/** Why the last connection to this host was refused by the host-key check; null when it was not. */
export function sshRefusal(host: string): string | null {
  return refusals.get(host) ?? null;
}

/** OpenSSH's name for a host in known_hosts: "host", or "[host]:port" for a port other than 22. */
export function knownHostsName(hostname: string, port: number): string {
  return port === 22 ? hostname : `[${hostname}]:${port}`;
}

/** SHA256:... as `ssh-keygen -l` prints a key's fingerprint. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written at the start of a public key blob ("ssh-ed25519"). */
export function keyType(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const n = key.readUInt32BE(0);
  return n > 0 && n < 64 && key.length >= 4 + n ? key.subarray(4, 4 + n).toString('latin1') : 'unknown';
}

/** `*` and `?` of an OpenSSH host pattern, matched without a RegExp (iterative, backtracking to the last `*`). */
function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Whether a known_hosts host field (comma-separated patterns, or one hashed |1|salt|hash) names this host. */
function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    if (globMatch((negated ? pattern.slice(1) : pattern).toLowerCase(), name.toLowerCase())) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict = { ok: true } | { ok: false; reason: string };

/** Checks a host key against known_hosts text, as OpenSSH's StrictHostKeyChecking=yes would. */
export function checkHostKey(
  knownHosts: string,
  file: string,
  hostname: string,
  port: number,
  key: Buffer,
): HostKeyVerdict {
  const name = knownHostsName(hostname, port);
  const b64 = key.toString('base64');
  let other: string | null = null;
  const lines = knownHosts.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i].trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    const marker = fields[0].startsWith('@') ? (fields.shift() as string) : '';
    if (marker === '@cert-authority' || fields.length < 3 || !hostFieldMatches(fields[0], name)) continue;
    if (fields[2] === b64) {
      if (marker === '@revoked') return { ok: false, reason: `the ssh host key of ${name} is revoked in ${file}` };
      return { ok: true };
    }
    if (fields[1] === keyType(key)) other = `${file}:${i + 1}`;
  }
  const fp = `${keyType(key)} ${fingerprint(key)}`;
  if (other)
    return {
      ok: false,
      reason: `the ssh host key of ${name} (${fp}) is not the one ${other} lists: the host changed its key, or someone is in between; refused`,
    };
  return {
    ok: false,
    reason: `the ssh host key of ${name} (${fp}) is not in ${file}: refused; check it and add it (for example, connect once with ssh${port === 22 ? '' : ` -p ${port}`} ${hostname})`,
  };
}

/** The first private key of ~/.ssh that exists (ssh2 takes one; the agent offers the others). */
function defaultIdentity(home: string): Buffer | undefined {
  for (const f of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    try {
      return fs.readFileSync(path.join(home, '.ssh', f));
    } catch {
      // next
    }
  }
  return undefined;
}

/** Options for ssh2's Client.connect (dockerode's sshOptions): keys, and the known_hosts check. */
export function sshOptions(t: SshTarget, readyTimeoutMs?: number): Record<string, unknown> {
  const file = path.join(t.home, '.ssh', 'known_hosts');
  const opts: Record<string, unknown> = {
    hostVerifier: (key: Buffer): boolean => {
      let text = '';
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        // no known_hosts: nothing is known
      }
      const verdict = checkHostKey(text, file, t.hostname, t.port, key);
      if (verdict.ok) refusals.delete(t.host);
      else refusals.set(t.host, verdict.reason);
      return verdict.ok;
    },
  };
  if (t.agent) opts.agent = t.agent;
  const key = defaultIdentity(t.home);
  if (key) opts.privateKey = key;
  if (readyTimeoutMs) opts.readyTimeout = readyTimeoutMs;
  return opts;
}
