// Which engine answers the Docker API (Docker or Podman), what its measured sizes mean, and which builder a build
// uses on it. Pure: probeEngine (connect.ts) and measure.ts hand in the /version and /info answers.
//
// Checked against the engines themselves (test/engine/podman.test.ts, the other engine suites):
// - Podman's compat API names itself in /version Components ("Podman Engine") and /info carries BuildahVersion.
//   It builds with buildah whatever the request says: `version=2` (BuildKit) is accepted and ignored, and the
//   stream is buildah's text ("STEP 2/5: RUN ...", "--> Using cache <id>"), never a BuildKit trace.
//   Its history sizes are the sizes of the layers' tar streams (a 500,000-byte file gives a 505,856-byte layer).
// - Docker's overlay2 history sizes are the files' bytes in the layer's diff folder; with the containerd image
//   store they are the snapshotter's disk usage, rounded up to blocks.

export type EngineKind = 'docker' | 'podman';
export type Builder = 'buildkit' | 'legacy' | 'buildah';

/** The parts of the Engine API's /version answer read here. */
export interface VersionAnswer {
  Version?: string;
  ApiVersion?: string;
  Os?: string;
  Platform?: { Name?: string };
  Components?: { Name?: string; Version?: string }[];
}

/** The parts of the Engine API's /info answer read here. */
export interface InfoAnswer {
  Driver?: string;
  DriverStatus?: [string, string][];
  BuildahVersion?: string;
  OSType?: string;
}

export interface EngineIdentity {
  kind: EngineKind;
  /** The engine's own version (Podman's, not the API version it emulates). */
  version?: string;
  apiVersion?: string;
  storageDriver?: string;
  /** What the history sizes mean: "overlay2 on-disk, uncompressed", "tar size, uncompressed, Podman overlay store". */
  sizeKind: string;
  /** Builders reachable through the Engine API, preferred first. */
  builders: Builder[];
  /** Builder version when the engine says (buildah's on Podman). */
  builderVersion?: string;
}

/** Docker or Podman, from /version (Components) or /info (BuildahVersion); Docker when neither says Podman. */
export function engineKindOf(version?: VersionAnswer | null, info?: InfoAnswer | null): EngineKind {
  const names = [version?.Platform?.Name ?? '', ...(version?.Components ?? []).map((c) => c.Name ?? '')];
  if (names.some((n) => /podman/i.test(n))) return 'podman';
  if (info?.BuildahVersion) return 'podman';
  return 'docker';
}

/** A human label for what `docker history` sizes mean on this engine and store. */
export function sizeKindFor(kind: EngineKind, driver: string | undefined, driverStatus?: [string, string][]): string {
  if (kind === 'podman') return `tar size, uncompressed, Podman${driver ? ` ${driver} store` : ''}`;
  const containerd = (driverStatus ?? []).some(([k, v]) => k === 'driver-type' && /containerd\.snapshotter/.test(v));
  if (containerd) return `containerd ${driver ?? 'snapshotter'} disk usage (block-rounded, uncompressed)`;
  if (!driver) return 'on-disk, uncompressed';
  return `${driver} on-disk, uncompressed`;
}

function apiAtLeast(apiVersion: string | undefined, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(apiVersion ?? '');
  if (!m) return true; // unknown: assume a current engine
  return Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor);
}

/** Everything the probe learns about the engine, from its /version and /info answers. */
export function identify(version: VersionAnswer | null, info: InfoAnswer | null): EngineIdentity {
  const kind = engineKindOf(version, info);
  const own = version?.Components?.find((c) => /engine/i.test(c.Name ?? ''))?.Version;
  const id: EngineIdentity = {
    kind,
    version: own ?? version?.Version,
    apiVersion: version?.ApiVersion,
    storageDriver: info?.Driver,
    sizeKind: sizeKindFor(kind, info?.Driver, info?.DriverStatus),
    builders: [],
  };
  if (kind === 'podman') {
    id.builders = ['buildah'];
    if (info?.BuildahVersion) id.builderVersion = info.BuildahVersion;
  } else {
    // BuildKit through POST /build?version=2 came with API 1.39 (Docker 18.09); Windows engines have none
    const windows = (info?.OSType ?? version?.Os) === 'windows';
    id.builders = !windows && apiAtLeast(version?.ApiVersion, 1, 39) ? ['buildkit', 'legacy'] : ['legacy'];
  }
  return id;
}

/** "Podman 4.3.1" / "Docker 28.2.2". */
export function engineName(kind: EngineKind | undefined, version: string | undefined): string {
  return `${kind === 'podman' ? 'Podman' : 'Docker'} ${version ?? '?'}`;
}

/**
 * The builder a build uses: the requested one when the engine has it, else the engine's first, with a sentence
 * saying why (the setting asked for something this engine cannot do). Without a known engine, the request stands.
 */
export function pickBuilder(
  requested: Builder | undefined,
  engine: { kind?: EngineKind; builders?: Builder[] } | undefined,
): { builder: Builder; note?: string } {
  const want = requested ?? 'buildkit';
  const have = engine?.builders;
  if (!have || have.length === 0 || have.includes(want)) return { builder: want };
  const builder = have[0];
  const who = engine?.kind === 'podman' ? 'Podman' : 'this Docker engine';
  const what = builder === 'buildah' ? 'buildah (Podman builds every image with it)' : `the ${builder} builder`;
  return {
    builder,
    note: `${who} has no ${want === 'buildkit' ? 'BuildKit' : `${want} builder`}: building with ${what}`,
  };
}
