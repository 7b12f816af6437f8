// Reads what project files declare that decides how an install can run before the sources arrive:
// - the workspace members: npm/Yarn (package.json "workspaces", an array or { packages: [...] }), pnpm
//   (pnpm-workspace.yaml "packages:" list), Cargo ([workspace] members) and Go (go.work `use`);
// - the lifecycle scripts a Node package manager runs at install (package.json preinstall, install, postinstall,
//   prepare), which may read the sources.
// Line-based readers for the YAML, TOML and go.work forms these files use in practice; anything they do not
// understand yields nothing. Used by context.ts; analysis/ gets plain data.

/** File names that may declare a workspace. */
export const WORKSPACE_FILES = new Set(['package.json', 'pnpm-workspace.yaml', 'Cargo.toml', 'go.work']);

/** The member patterns a workspace file declares ([] for none, or when the text cannot be read). */
export function workspacePatterns(name: string, text: string): string[] {
  switch (name) {
    case 'package.json':
      return fromPackageJson(text);
    case 'pnpm-workspace.yaml':
      return fromPnpmWorkspace(text);
    case 'Cargo.toml':
      return fromCargoToml(text);
    case 'go.work':
      return fromGoWork(text);
    default:
      return [];
  }
}

/** The scripts npm, Yarn and pnpm run when installing a package's dependencies. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

/** A package.json's install-time lifecycle scripts, by name ({} for none, or when the text cannot be read). */
export function installScripts(text: string): Record<string, string> {
  const scripts = parseObject(text)?.scripts;
  const out: Record<string, string> = {};
  if (typeof scripts !== 'object' || scripts === null) return out;
  for (const name of INSTALL_SCRIPTS) {
    const v = (scripts as Record<string, unknown>)[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function fromPackageJson(text: string): string[] {
  const ws = parseObject(text)?.workspaces;
  if (Array.isArray(ws)) return strings(ws);
  if (typeof ws === 'object' && ws !== null) return strings((ws as { packages?: unknown }).packages);
  return [];
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0] ? t.slice(1, -1) : t;
}

/** `packages:` followed by `  - 'apps/*'` items (inline `[a, b]` lists too). */
function fromPnpmWorkspace(text: string): string[] {
  const out: string[] = [];
  let inPackages = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '');
    if (/^\S/.test(line)) {
      const m = /^packages\s*:\s*(.*)$/.exec(line);
      inPackages = m !== null;
      if (m && m[1].startsWith('[')) out.push(...inlineList(m[1]));
      continue;
    }
    const item = inPackages ? /^\s+-\s+(.+)$/.exec(line) : null;
    if (item) out.push(unquote(item[1]));
  }
  return out;
}

function inlineList(text: string): string[] {
  const end = text.indexOf(']');
  return text
    .slice(1, end < 0 ? undefined : end)
    .split(',')
    .map(unquote)
    .filter((s) => s.length > 0);
}

/** `[workspace]` then `members = ["a", "crates/*"]`, on one line or several. */
function fromCargoToml(text: string): string[] {
  let section = '';
  let collecting = false;
  let list = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (collecting) {
      list += ' ' + line;
      if (line.includes(']')) break;
      continue;
    }
    if (line.startsWith('[')) section = line;
    else if (section === '[workspace]' && /^members\s*=/.test(line)) {
      list = line.slice(line.indexOf('=') + 1).trim();
      if (list.includes(']')) break;
      collecting = true;
    }
  }
  return list.startsWith('[') ? inlineList(list) : [];
}

/** `use ./a` or a `use ( ... )` block. */
function fromGoWork(text: string): string[] {
  const out: string[] = [];
  let block = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (block) {
      if (line === ')') block = false;
      else if (line) out.push(unquote(line));
      continue;
    }
    if (/^use\s*\($/.test(line)) block = true;
    else if (/^use\s+\S/.test(line)) out.push(unquote(line.slice(3)));
  }
  return out;
}
