// TEMPORARY stand-in for the base-image size table that the `estimate` branch delivers (same API).
// On merge, take the estimate branch's version of this file.

export interface BaseImageInfo {
  ref: string;
  bytes: number;
  basis: string;
  family: 'debian' | 'ubuntu' | 'alpine' | 'distroless' | 'scratch' | 'busybox' | 'other';
  libc: 'glibc' | 'musl' | 'none';
}

const MB = 1_000_000;
const T: [RegExp, number, BaseImageInfo['family'], BaseImageInfo['libc']][] = [
  [/^scratch$/, 0, 'scratch', 'none'],
  [/^gcr\.io\/distroless\/static/, 2 * MB, 'distroless', 'none'],
  [/^gcr\.io\/distroless\/base/, 20 * MB, 'distroless', 'glibc'],
  [/^gcr\.io\/distroless\/cc/, 23 * MB, 'distroless', 'glibc'],
  [/^gcr\.io\/distroless\/java/, 200 * MB, 'distroless', 'glibc'],
  [/^alpine(:|$)/, 8.4 * MB, 'alpine', 'musl'],
  [/^busybox(:|$)/, 4.3 * MB, 'busybox', 'musl'],
  [/^debian:.*slim/, 78.6 * MB, 'debian', 'glibc'],
  [/^debian(:|$)/, 119.9 * MB, 'debian', 'glibc'],
  [/^ubuntu(:|$)/, 78.2 * MB, 'ubuntu', 'glibc'],
  [/^golang:.*alpine/, 241.4 * MB, 'alpine', 'musl'],
  [/^golang(:|$)/, 833.5 * MB, 'debian', 'glibc'],
  [/^rust:.*alpine/, 900 * MB, 'alpine', 'musl'],
  [/^rust:.*slim/, 800 * MB, 'debian', 'glibc'],
  [/^rust(:|$)/, 1500 * MB, 'debian', 'glibc'],
  [/^node:.*alpine/, 170.8 * MB, 'alpine', 'musl'],
  [/^node:.*slim/, 234.2 * MB, 'debian', 'glibc'],
  [/^node(:|$)/, 1230 * MB, 'debian', 'glibc'],
  [/^python:.*alpine/, 48.9 * MB, 'alpine', 'musl'],
  [/^python:.*slim/, 119.2 * MB, 'debian', 'glibc'],
  [/^python(:|$)/, 1110 * MB, 'debian', 'glibc'],
  [/^nginx:.*alpine/, 62.9 * MB, 'alpine', 'musl'],
  [/^nginx(:|$)/, 170.1 * MB, 'debian', 'glibc'],
  [/^eclipse-temurin:.*jre/, 318.1 * MB, 'ubuntu', 'glibc'],
  [/^eclipse-temurin(:|$)/, 474.8 * MB, 'ubuntu', 'glibc'],
  [/^maven(:|$)/, 560 * MB, 'ubuntu', 'glibc'],
  [/^gradle(:|$)/, 700 * MB, 'ubuntu', 'glibc'],
  [/^mcr\.microsoft\.com\/dotnet\/sdk/, 850 * MB, 'debian', 'glibc'],
  [/^mcr\.microsoft\.com\/dotnet\/aspnet/, 220 * MB, 'debian', 'glibc'],
  [/^mcr\.microsoft\.com\/dotnet\/runtime/, 190 * MB, 'debian', 'glibc'],
];

export function lookupBaseImage(ref: string): BaseImageInfo | null {
  const r = ref.replace(/^docker\.io\/(library\/)?/, '');
  for (const [re, bytes, family, libc] of T) if (re.test(r)) return { ref, bytes, basis: 'temporary table', family, libc };
  return null;
}
