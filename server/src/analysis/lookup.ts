// Reading a table (data/*.json, a constant map of names) by a name the Dockerfile wrote. The tables are plain objects,
// so a name such as `constructor` would find Object.prototype's members: only the table's own entries count.

export function lookup<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}
