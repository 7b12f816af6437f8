// Workspaces and monorepos: whether the project an install runs in (a folder of the build context) declares
// workspace members (npm/Yarn package.json "workspaces", pnpm-workspace.yaml, Cargo [workspace], go.work), and
// which member folders the context holds. The declarations come from the context facts
// (facts/projectFiles.ts); the members are the folders of the listing that hold the member manifest and
// match a declared pattern (negated patterns `!x` exclude).

import { compileGlob, type Glob } from './glob';
import type { EcosystemId } from './ecosystems';
import type { BuildContextFacts } from './model';

export type WorkspaceRead =
  | { kind: 'none' }
  /** Member folders relative to the project folder, sorted; `file`: the declaring file's name. */
  | { kind: 'members'; file: string; folders: string[] }
  /** A workspace whose members we cannot list: why, for the finding. */
  | { kind: 'unknown'; why: string };

/** The file declaring the workspace, and the manifest that marks each member folder. */
const DECLARATION: Partial<Record<EcosystemId, { file: string; member: string; always: boolean }>> = {
  npm: { file: 'package.json', member: 'package.json', always: false },
  yarn: { file: 'package.json', member: 'package.json', always: false },
  pnpm: { file: 'pnpm-workspace.yaml', member: 'package.json', always: true },
  cargo: { file: 'Cargo.toml', member: 'Cargo.toml', always: false },
  go: { file: 'go.work', member: 'go.mod', always: true },
};

/** The workspace of the project in context folder `dir` ('' for the root) for ecosystem `eco`. */
export function workspaceOf(context: BuildContextFacts, dir: string, eco: EcosystemId): WorkspaceRead {
  const decl = DECLARATION[eco];
  if (!decl) return { kind: 'none' };
  const at = (name: string) => (dir ? `${dir}/${name}` : name);
  const key = at(decl.file);
  if (!context.files.some((f) => f.path === key)) return { kind: 'none' };
  const patterns = context.workspaces?.[key];
  if (patterns === undefined) {
    // pnpm-workspace.yaml and go.work exist only to declare one; a package.json or Cargo.toml not read is
    // taken as a plain project when no declaration was read at all (facts from an older reader)
    if (decl.always || context.workspaces !== undefined)
      return { kind: 'unknown', why: `${key} was not read, so its workspace members are unknown` };
    return { kind: 'none' };
  }
  if (patterns.length === 0) return { kind: 'none' };
  if (context.truncated)
    return { kind: 'unknown', why: `the context listing stopped early, so the members ${key} declares may be missing` };
  const globs: { glob: Glob; negated: boolean }[] = [];
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const p = cleanMember(negated ? raw.slice(1) : raw);
    if (p === '.') continue; // go.work `use .`: the project folder itself
    if (p.startsWith('../') || p === '..' || p.startsWith('/') || p.includes('$'))
      return { kind: 'unknown', why: `${key} names a member outside its folder (${raw})` };
    const glob = compileGlob(p, { doubleStar: true });
    if (glob) globs.push({ glob, negated });
  }
  const folders = new Set<string>();
  const prefix = dir ? dir + '/' : '';
  for (const f of context.files) {
    if (!f.path.startsWith(prefix) || f.path.includes('node_modules/')) continue;
    const rel = f.path.slice(prefix.length);
    const slash = rel.lastIndexOf('/');
    if (slash < 0 || rel.slice(slash + 1) !== decl.member) continue;
    const folder = rel.slice(0, slash);
    let member = false;
    for (const g of globs) if (g.glob.test(folder)) member = !g.negated;
    if (member) folders.add(folder);
  }
  return { kind: 'members', file: decl.file, folders: [...folders].sort() };
}

/** `./apps/` → `apps`. */
function cleanMember(p: string): string {
  let s = p.trim();
  while (s.startsWith('./')) s = s.slice(2);
  while (s.endsWith('/') && s.length > 1) s = s.slice(0, -1);
  return s || '.';
}
