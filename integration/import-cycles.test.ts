/**
 * Both apps read top-down: server → app → routes → protocol and HTTP helpers → store and config. No module may
 * import, directly or through others, a module that imports it: shared types live in a module below both (the
 * client's context.ts). This walks every import of every source file, type-only ones included, and names any cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Every .ts file under `dir`, as absolute paths. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The local modules a file imports: `import … from './x.ts'`, `export … from`, `import('./x.ts')`. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map(
    (match) => match[1] as string,
  );
  return specifiers.map((specifier) => resolve(dirname(file), specifier));
}

/** Which local modules each file imports, limited to `files`. */
function graphOf(files: string[]): Map<string, string[]> {
  return new Map(files.map((file) => [file, importsOf(file).filter((target) => files.includes(target))]));
}

/** The cycles of an import graph, each as the files around it, by depth-first search. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const visit = (file: string, path: string[]) => {
    state.set(file, 'visiting');
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...path.slice(path.indexOf(next)), file]);
      else if (!state.has(next)) visit(next, [...path, file]);
    }
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, []);
  return cycles.map((cycle) => cycle.map((file) => relative(ROOT, file)));
}

describe('no import cycles (each app reads top-down)', () => {
  for (const app of ['client', 'provider']) {
    it(`${app}/src has none, type-only imports included`, () => {
      const files = sources(join(ROOT, app, 'src'));
      expect(files.length).toBeGreaterThan(10);
      expect(findCycles(graphOf(files))).toEqual([]);
    });
  }

  it('names the files of a cycle when there is one', () => {
    // The cycle the client had before context.ts: app.ts imports every route, and each route imported app.ts.
    const [app, home, config] = ['client/src/app.ts', 'client/src/routes/home.ts', 'client/src/config.ts'].map((file) =>
      join(ROOT, file),
    ) as [string, string, string];
    const graph = new Map([
      [app, [home, config]],
      [home, [app, config]],
      [config, []],
    ]);
    expect(findCycles(graph)).toEqual([['client/src/app.ts', 'client/src/routes/home.ts']]);
  });

  it('reads the imports of a real file, type-only ones included', () => {
    const imports = importsOf(join(ROOT, 'client/src/routes/home.ts')).map((file) => relative(ROOT, file));
    expect(imports).toContain('client/src/context.ts');
  });
});
