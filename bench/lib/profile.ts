/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and lists where the CPU went after start-up:
 * the functions with the most self time, and the same time grouped by package.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './child.ts';

interface CpuProfile {
  nodes: { id: number; children?: number[]; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self-time shares, skipping the samples taken in the first `skipMs` (start-up, module loading). */
export function summariseProfile(file: string, skipMs: number, limit = 15): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFrame = new Map<string, number>();
  const byPackage = new Map<string, number>();
  // Self time charged to the nearest package (or provider file) on the stack: node internals and natives
  // (setHeader, writev, hashing) count for the code that called them.
  const byCaller = new Map<string, number>();
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  let elapsedUs = 0;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    elapsedUs += profile.timeDeltas[i] ?? 0;
    const frame = frames.get(id);
    if (!frame || elapsedUs < skipMs * 1000 || frame.functionName === '(idle)') return;
    busy++;
    const file = frame.url ? shorten(frame.url) : '';
    add(byFrame, `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`);
    add(byPackage, packageOf(file) || frame.functionName);
    let owner = '(no JavaScript caller)';
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const url = frames.get(at)?.url;
      const path = url ? shorten(url) : '';
      if (path && !path.startsWith('node:')) {
        owner = path.includes('node_modules') ? packageOf(path) : path;
        break;
      }
    }
    add(byCaller, frame.functionName === '(garbage collector)' ? frame.functionName : owner);
  });
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, hits]) => `${((100 * hits) / busy).toFixed(1).padStart(5)}%  ${name}`);
  return [`busy samples: ${busy}`, 'self time by function:', ...top(byFrame, limit), 'self time by package:', ...top(byPackage, 10),
    'self time charged to the nearest package or source file on the stack:', ...top(byCaller, 20)];
}

function shorten(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

/** `node_modules/express/lib/x.js` → `express`; `provider/src/…` → `provider/src`; `node:internal/…` → `node`. */
function packageOf(file: string): string {
  if (file.startsWith('node:')) return 'node (internals)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (match?.[1]) return match[1];
  return file.split('/').slice(0, 2).join('/');
}
