import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../errors.js';
import { loadYaml } from './load-yaml.js';

const shape = z.strictObject({
  name: z.string(),
  port: z.number().int().optional(),
  target: z.union([z.strictObject({ url: z.string() }), z.strictObject({ file: z.string(), mode: z.enum(['read', 'write']) })]).optional(),
});

const problemsOf = (source: string) => {
  const result = loadYaml(source, 'c.yaml', shape);
  return result.ok ? [] : result.problems.map(formatProblem);
};

describe('loadYaml', () => {
  it('gives the typed value of a valid file', () => {
    const result = loadYaml('name: n\nport: 80\n', 'c.yaml', shape);
    expect(result.ok && result.value).toEqual({ name: 'n', port: 80 });
  });

  it('reports each schema problem at the value it concerns', () => {
    expect(problemsOf('name: n\nport: 8.5\n')).toEqual(['c.yaml:2:7: port: Invalid input: expected int, received number']);
  });

  it('reports an unknown field at its name', () => {
    expect(problemsOf('name: n\nprot: 80\n')).toEqual(['c.yaml:2:1: unknown field "prot"']);
  });

  it('reports a missing field at the map that lacks it', () => {
    expect(problemsOf('port: 80\n')).toEqual(['c.yaml:1:1: name: missing field']);
  });

  it('reports a failed union inside the branch the value meant', () => {
    expect(problemsOf('name: n\ntarget:\n  file: x\n  mode: append\n')).toEqual([
      'c.yaml:4:9: target.mode: Invalid option: expected one of "read"|"write"',
    ]);
  });

  it('reports a union no branch fits at the value', () => {
    expect(problemsOf('name: n\ntarget: 3\n')).toEqual(['c.yaml:2:9: target: Invalid input']);
  });

  it('reports syntax problems before schema problems, and no value', () => {
    expect(problemsOf('name: [\n')).toHaveLength(1);
  });
});
