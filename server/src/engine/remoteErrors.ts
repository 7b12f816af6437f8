// What went wrong with a remote engine, in words: TLS files that are not there, a server certificate the CA does
// not vouch for, a client certificate the engine refused (tcp:// with TLS); an ssh host key that known_hosts does
// not list or lists differently, a key the server refused (ssh://). probeEngine (connect.ts) asks here first and
// falls back on its generic sentences.

import * as fs from 'node:fs';
import type { ResolvedEngine } from './connect';
import { sshRefusal } from './sshHost';

/** TLS errors of Node's tls module that mean "this server's certificate is not the one we trust". */
const UNTRUSTED_CERT = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A problem found without connecting: TLS files named but missing. Null when there is none. */
export function remoteProblem(r: ResolvedEngine, exists: (p: string) => boolean = fs.existsSync): string | null {
  if (r.kind !== 'tcp' || !r.tls) return null;
  const missing = [r.tls.ca, r.tls.cert, r.tls.key].filter((p): p is string => Boolean(p) && !exists(p as string));
  if (missing.length === 0) return null;
  return `estimates only: TLS files for ${r.host} are missing: ${missing.join(', ')} (set DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem)`;
}

/** A sentence for an error connecting to a remote engine; null when it is not a TLS or ssh error. */
export function remoteErrorMessage(r: ResolvedEngine, err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  if (r.kind === 'tcp' && r.tls) {
    if (UNTRUSTED_CERT.has(code)) {
      const ca = r.tls.ca ? `the CA in ${r.tls.ca}` : 'the system CAs';
      return `estimates only: the engine at ${r.host} presented a certificate that ${ca} does not vouch for (${code}); the connection was refused`;
    }
    if (/certificate required|bad certificate|unknown ca|handshake failure|alert/i.test(msg) || code === 'EPROTO') {
      // OpenSSL's text: "...:sslv3 alert bad certificate:../deps/openssl/...": keep the alert's name
      const alert = /alert ([a-z ]+)/i.exec(msg)?.[1]?.trim() ?? msg;
      return `estimates only: the engine at ${r.host} refused our TLS client certificate${r.tls.cert ? ` (${r.tls.cert})` : ''}: ${alert}`;
    }
  }
  if (r.kind === 'ssh') {
    const refusal = sshRefusal(r.host);
    if (refusal) return `estimates only: ${refusal}`;
    if (/All configured authentication methods failed/i.test(msg))
      return `estimates only: ssh to ${r.host} was refused: no key from the ssh agent or ~/.ssh was accepted`;
    if (/dial-stdio|docker: not found|command not found/i.test(msg))
      return `estimates only: ${r.host} has no docker CLI to reach its engine (ssh runs "docker system dial-stdio" there)`;
  }
  return null;
}
