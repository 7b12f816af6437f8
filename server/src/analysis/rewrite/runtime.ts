// Which image the runtime stage of a multi-stage rewrite starts FROM, by ecosystem: the smallest official
// image that still runs what the builder produced (same libc, same Debian release for glibc-linked code,
// a shell when the remaining instructions need one).

import type { BuildPlan } from '../buildPlan';
import { alpineVersion, debianRelease, parseImageRef, type ImageRef } from '../imageRef';

export interface RuntimeChoice {
  image: string;
  /** Why this image, for the fix title or hover: "static Go binary: no libc needed". */
  reason: string;
  /** The image has no shell (distroless, scratch). */
  shell: boolean;
  /** Users the image knows besides root (so USER keeps working without copying /etc/passwd). */
  users: string[];
}

const DEBIAN_NUMBER: Record<string, string> = { buster: '10', bullseye: '11', bookworm: '12', trixie: '13' };

/** Debian release of the builder: named in the tag, else the release the official images use today. */
function builderRelease(from: string): string {
  const r = parseImageRef(from);
  if (r.repository === 'debian') {
    const m = /^(\d+)/.exec(r.tag ?? '');
    const byNumber = m ? Object.entries(DEBIAN_NUMBER).find(([, n]) => n === m[1])?.[0] : undefined;
    if (byNumber) return byNumber;
  }
  // not named: assume the release of today's official images. A runtime at least as new as the builder keeps
  // glibc-linked binaries working (glibc is backward compatible, not forward).
  return debianRelease(r.tag) ?? 'trixie';
}

/**
 * @param needsShell the runtime stage keeps RUN steps, shell-form CMD/ENTRYPOINT or installs packages.
 * @param debianCommands it runs commands written for the Debian builder (apt-get, useradd): no Alpine then.
 */
export function chooseRuntime(
  plan: BuildPlan,
  needsShell: boolean,
  setsUser = false,
  debianCommands = false,
): RuntimeChoice {
  const choice = chooseImage(plan, needsShell, debianCommands);
  // distroless publishes no version tags; when the Dockerfile sets USER anyway, the :nonroot tag changes
  // nothing at run time and keeps the reference from reading as a floating :latest
  if (!choice.shell && setsUser && choice.image.startsWith('gcr.io/distroless/') && !choice.image.includes(':')) {
    return { ...choice, image: `${choice.image}:nonroot` };
  }
  return choice;
}

/** What the choices read from the builder's FROM. */
interface Builder {
  from: ImageRef;
  /** Its Debian release (named in the tag, else today's), and that release's number. */
  release: string;
  debianNo: string;
  /** The Alpine of the same version as the builder's (or the current one), and the slim Debian of its release. */
  alpine: string;
  slim: string;
}

function chooseImage(plan: BuildPlan, needsShell: boolean, debianCommands: boolean): RuntimeChoice {
  const from = parseImageRef(plan.stage.from);
  const release = builderRelease(plan.stage.from);
  const b: Builder = {
    from,
    release,
    debianNo: DEBIAN_NUMBER[release] ?? '12',
    alpine: `alpine:${alpineVersion(from.tag) ?? '3.24'}`,
    slim: `debian:${release}-slim`,
  };
  switch (plan.ecosystem) {
    case 'go':
    case 'rust':
      return goOrRustImage(plan, needsShell, b, debianCommands);
    case 'c':
      return cImage(plan, needsShell, b);
    case 'java': {
      const v = plan.version ?? '21';
      return shellImage(
        `eclipse-temurin:${v}-jre${plan.musl ? '-alpine' : ''}`,
        `Java ${v} runtime without the JDK and build tool`,
      );
    }
    case 'dotnet':
      return dotnetImage(plan, b);
    case 'node-frontend':
      return shellImage('nginx:alpine', 'static files served by nginx');
    case 'node-service': {
      const tag = b.from.tag ?? '';
      if (b.from.repository === 'node' && !/slim|alpine/.test(tag) && tag !== '')
        return shellImage(`node:${tag}-slim`, 'same Node.js and Debian release, without the build tools');
      return shellImage(plan.stage.from, 'same Node.js image, production dependencies only');
    }
    case 'python': {
      const tag = b.from.tag ?? '';
      if (b.from.repository === 'python' && !/slim|alpine/.test(tag) && tag !== '') {
        const m = /^(.*?)(-(bookworm|bullseye|trixie|buster))?$/.exec(tag);
        const slimTag = m && m[2] ? `${m[1]}-slim${m[2]}` : `${tag}-slim`;
        return shellImage(`python:${slimTag}`, 'same Python and Debian release, without compilers');
      }
      return shellImage(plan.stage.from, 'same Python image, without compilers');
    }
  }
}

/** An image with a shell, which knows the user nobody. */
function shellImage(image: string, reason: string): RuntimeChoice {
  return { image, reason, shell: true, users: ['nobody'] };
}

/** A distroless image: no shell; its users besides root are nonroot (65532) and nobody. */
function distroless(image: string, reason: string): RuntimeChoice {
  return { image, reason, shell: false, users: ['nonroot', '65532', 'nobody'] };
}

function goOrRustImage(plan: BuildPlan, needsShell: boolean, b: Builder, debianCommands: boolean): RuntimeChoice {
  const lang = plan.ecosystem === 'go' ? 'Go' : 'Rust';
  if (plan.musl && !plan.staticBinary) return shellImage(b.alpine, `${lang} binary linked against musl`);
  if (plan.staticBinary && debianCommands)
    return shellImage(b.slim, `static ${lang} binary; the stage runs Debian commands (Debian ${b.release})`);
  if (plan.staticBinary) {
    return needsShell
      ? shellImage(b.alpine, `static ${lang} binary; a shell is still needed`)
      : distroless('gcr.io/distroless/static-debian12', `static ${lang} binary: no libc needed`);
  }
  if (needsShell) return shellImage(b.slim, `${lang} binary linked against glibc (Debian ${b.release})`);
  return plan.ecosystem === 'go'
    ? distroless(
        `gcr.io/distroless/base-debian${b.debianNo}`,
        `Go binary linked against glibc (CGO on; Debian ${b.release} or newer)`,
      )
    : distroless(
        `gcr.io/distroless/cc-debian${b.debianNo}`,
        `Rust binary linked against glibc and libgcc (Debian ${b.release} or newer)`,
      );
}

function cImage(plan: BuildPlan, needsShell: boolean, b: Builder): RuntimeChoice {
  if (plan.musl)
    return shellImage(
      plan.stage.from.includes('alpine') ? plan.stage.from : b.alpine,
      'C/C++ program linked against musl',
    );
  if (plan.staticBinary && !needsShell && plan.runtimePackages.length === 0)
    return distroless('gcr.io/distroless/static-debian12', 'static C/C++ binary: no libc needed');
  if (b.from.repository === 'ubuntu') return shellImage(plan.stage.from, 'same Ubuntu release as the builder (glibc)');
  if (!needsShell && plan.runtimePackages.length === 0)
    return distroless(
      `gcr.io/distroless/cc-debian${b.debianNo}`,
      `C/C++ program linked against glibc (Debian ${b.release})`,
    );
  return shellImage(b.slim, `same Debian release as the builder (${b.release})`);
}

function dotnetImage(plan: BuildPlan, b: Builder): RuntimeChoice {
  const v = plan.version ?? '8.0';
  const variant = /-(alpine[\d.]*|bookworm-slim|jammy|noble|jammy-chiseled|noble-chiseled)$/.exec(
    b.from.tag ?? '',
  )?.[1];
  const kind = plan.web ? 'aspnet' : 'runtime';
  return shellImage(
    `mcr.microsoft.com/dotnet/${kind}:${v}${variant ? '-' + variant : ''}`,
    `.NET ${v} ${kind === 'aspnet' ? 'ASP.NET Core ' : ''}runtime without the SDK`,
  );
}
