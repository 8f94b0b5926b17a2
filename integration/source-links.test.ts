/**
 * The flow inspector's cards and the security lab name the code behind each message and each refusal ("Performed by
 * exchangeCode in client/src/oauth/oauth-client.ts", "Stopped by getAuthorizationCode in provider/src/oauth/model.ts"),
 * and the README links files. A reader follows those names: every file must exist and define the function named.
 * Moving a file or renaming a function without updating its mentions fails here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS } from '../client/src/lab/registry.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Whether `file` defines `name`: a function, class, const, method or object member of that name. */
function defines(file: string, name: string): boolean {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const definitions = [
    `\\bfunction\\s+${name}\\b`,
    `\\bclass\\s+${name}\\b`,
    `^\\s*(?:export\\s+)?(?:const|let)\\s+${name}\\b`,
    `^\\s*(?:(?:async|static|override|get)\\s+)*${name}\\s*\\(`,
    `^\\s*${name}\\s*:`,
  ];
  return definitions.some((pattern) => new RegExp(pattern, 'm').test(text));
}

/** What a missing or wrong reference looks like in the failure message. */
const problem = (file: string, name?: string) =>
  !existsSync(join(ROOT, file))
    ? `${file} does not exist`
    : name !== undefined && !defines(file, name)
      ? `${file} does not define ${name}`
      : undefined;

/** The `source` / `sourceFunction` pairs that the client's code records on the inspector's cards. */
function inspectorSources(): { file: string; name?: string }[] {
  const dir = join(ROOT, 'client/src');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  return files.flatMap((file) =>
    [...readFileSync(join(dir, file), 'utf8').matchAll(/\bsource: '([^']+)',(?:\s*sourceFunction: '([^']+)')?/g)].map(
      (match) => ({
        file: match[1] as string,
        name: match[2],
      }),
    ),
  );
}

describe('the code the inspector and the lab name exists', () => {
  it('every card’s source file and function (flow inspector)', () => {
    const sources = inspectorSources();
    expect(sources.length).toBeGreaterThanOrEqual(7);
    expect(sources).toContainEqual({ file: 'client/src/oauth/oauth-client.ts', name: 'exchangeCode' });
    expect(sources.map(({ file, name }) => problem(file, name)).filter(Boolean)).toEqual([]);
  });

  it('every experiment’s file, and every function the lab says stops an attack', () => {
    // The lab's cards name the experiment's own file (attacker.ts builds the path from the id).
    expect(EXPERIMENTS.map(({ id }) => problem(`client/src/lab/experiments/${id}.ts`)).filter(Boolean)).toEqual([]);
    const refs = EXPERIMENTS.flatMap((experiment) => experiment.attempts.flatMap((attempt) => attempt.stoppedBy));
    expect(refs.length).toBeGreaterThanOrEqual(15);
    expect(refs.map((ref) => problem(ref.file, ref.function)).filter(Boolean)).toEqual([]);
  });

  it('every file the README links', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const targets = [...readme.matchAll(/\]\(((?:client|provider|integration|bench|docs|common)\/[^)#\s]*)\)/g)].map(
      (match) => match[1] as string,
    );
    expect(targets.length).toBeGreaterThan(30);
    expect(targets.map((target) => problem(target)).filter(Boolean)).toEqual([]);
  });

  it('notices a function that is not there', () => {
    expect(problem('provider/src/oauth/model.ts', 'getAuthorizationCode')).toBeUndefined();
    expect(problem('provider/src/oauth/model.ts', 'randomToken')).toBe(
      'provider/src/oauth/model.ts does not define randomToken',
    );
    expect(problem('client/src/trace.ts')).toBe('client/src/trace.ts does not exist');
  });
});
