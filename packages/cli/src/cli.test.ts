import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/kurultai.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const RULES = join(REPO, 'rules');
/** The hand-written rules as they stood before any fitting, kept by the accuracy benchmark. */
const HAND_RULES = join(REPO, 'bench', 'hand-rules');

/** Twelve labelled titles in three fields, two of them held out as a test split. */
const LABELLED_TSV = `field\tsplit\texpect\ttitle
web\ttrain\tjochi\tflaky checkout spec on CI
web\ttrain\tchagatai\treadme for the checkout widget
web\ttrain\tkublai\tplan the cart milestone
web\ttrain\tjochi\tflaky login spec
games\ttrain\tjochi\tflaky physics spec
games\ttrain\tchagatai\treadme for the modding kit
games\ttrain\tkublai\tplan the alpha milestone
games\ttrain\tchagatai\treadme for the save system
lab\ttest\tjochi\tflaky pipeline spec
lab\ttest\tchagatai\treadme for the lab server
lab\ttest\tkublai\tplan the grant milestone
lab\ttrain\tjochi\tflaky aligner spec
`;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `kurultai` binary, as a user would. */
function kurultai(args: readonly string[], options: { cwd?: string; input?: string; env?: Record<string, string> } = {}): Run {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env };
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO, input: options.input ?? '', env, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

let scratch: string;

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/bin.js', import.meta.url))) || !existsSync(fileURLToPath(new URL('../rules/agents.yaml', import.meta.url)))) {
    throw new Error('packages/cli is not built: run `pnpm turbo run build` first (scripts/test does)');
  }
  scratch = mkdtempSync(join(tmpdir(), 'kurultai-cli-'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the default rules folder with one file's text changed. */
function brokenCopy(name: string, file: string, change: (text: string) => string): string {
  const dir = join(scratch, name);
  cpSync(RULES, dir, { recursive: true });
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

/** A copy of the default rules folder whose routing asks Kublai when the confidence is below 0.5. */
function withFallback(name: string): string {
  return brokenCopy(name, 'routing.yaml', (text) => text.replace('version: 1\n', 'version: 1\nfallback: { below: 0.5, ask: kublai }\n'));
}

/** The line and column where `needle` first appears in a file, 1-based, as editors count them. */
function positionOf(path: string, needle: string): string {
  const text = readFileSync(path, 'utf8');
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`"${needle}" is not in ${path}`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

describe('kurultai', () => {
  it('lists its commands with --help and exits 0', () => {
    const run = kurultai(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/route .*\n.*explain .*\n.*validate .*\n.*test /);
  });

  it('prints the overview and exits 2 when no command is given', () => {
    expect(kurultai([]).status).toBe(2);
  });

  it('rejects an unknown command with one line and exit code 2', () => {
    const run = kurultai(['rout']);
    expect(run).toMatchObject({ status: 2, stdout: '', stderr: 'kurultai: unknown command "rout" (see kurultai --help)\n' });
  });

  it.each(['route', 'explain', 'validate', 'test'])('shows the usage of %s with --help and exits 0', (command) => {
    const run = kurultai([command, '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout.startsWith(`Usage: kurultai ${command} `)).toBe(true);
  });

  it('rejects an unknown option with exit code 2 and a pointer to the help', () => {
    const run = kurultai(['route', '--jsn', 'x']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^kurultai: Unknown option '--jsn'.*\(see kurultai route --help\)\n$/);
  });
});

describe('kurultai route', () => {
  it('routes each TEXT to an agent', () => {
    const run = kurultai(['route', 'Write unit tests for the parser', 'Deploy the API to production']);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean).map((line) => line.split(/\s+/)[0])).toEqual(['Jochi', 'Ögedei']);
  });

  it('routes each non-empty line of standard input when no TEXT is given', () => {
    const run = kurultai(['route'], { input: 'Research vector databases\n\nUpdate the changelog for the release\r\nPlan the Q3 roadmap' });
    expect(run.stdout.split('\n').filter(Boolean).map((line) => line.split(/\s+/)[0])).toEqual(['Möngke', 'Chagatai', 'Kublai']);
  });

  it('prints one JSON object per task with --json', () => {
    const run = kurultai(['route', '--json', 'Deploy the API', 'Hello']);
    const records = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => [record['text'], record['agent'], record['name'], record['type']])).toEqual([
      ['Deploy the API', 'ogedei', 'Ögedei', 'operations'],
      ['Hello', 'kublai', 'Kublai', 'general'],
    ]);
    expect(Object.keys(records[0] ?? {})).toEqual(['text', 'agent', 'name', 'type', 'score', 'margin', 'scores', 'matched', 'confidence', 'reason']);
    expect(records[0]?.['confidence']).toBeGreaterThan(0.5);
  });

  it('names the agent `kurultai run` asks instead when the confidence is below the fallback threshold', () => {
    const [unsure, sure] = kurultai(['route', '--json', '--rules', withFallback('route-fallback'), 'Hello', 'Write unit tests for the parser']).stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(unsure).toMatchObject({ agent: 'kublai', confidence: 0.167, fallback: 'kublai' });
    expect(sure).not.toHaveProperty('fallback');
  });

  it('uses the council shipped with kurultai where the working directory has no rules folder', () => {
    const run = kurultai(['route', '--json', 'Fix the flaky tests'], { cwd: scratch });
    expect(JSON.parse(run.stdout)).toMatchObject({ agent: 'jochi' });
  });

  it('uses the rules folder given with --rules', () => {
    const dir = brokenCopy('custom-default', 'agents.yaml', (text) => text.replace('default_agent: kublai', 'default_agent: mongke'));
    expect(JSON.parse(kurultai(['route', '--json', '--rules', dir, 'Hello']).stdout)).toMatchObject({ agent: 'mongke' });
  });

  it('fails with the rules problems, one line each and no stack trace, when the rules are broken', () => {
    const dir = brokenCopy('route-broken', 'routing.yaml', (text) => text.replace('agent: jochi', 'agent: jochy'));
    const run = kurultai(['route', '--rules', dir, 'x']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `kurultai: ${dir}: 1 problem in the rules\n${dir}/routing.yaml:${positionOf(join(dir, 'routing.yaml'), 'jochy')}: unknown agent "jochy"; the council has mongke, temujin, chagatai, jochi, ogedei, kublai\n`,
    );
  });

  it('adds the stack trace of an error with --debug', () => {
    const run = kurultai(['route', '--debug', '--rules', join(scratch, 'nowhere'), 'x']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^kurultai: .*nowhere: 1 problem in the rules\n.*folder not found\nKurultaiError: .*\n\s+at /);
  });

  it('colours its output when FORCE_COLOR asks', () => {
    expect(kurultai(['route', 'Deploy it'], { env: { FORCE_COLOR: '1' } }).stdout).toContain('\u001b[32m');
  });

  it('never colours its output when NO_COLOR is set', () => {
    expect(kurultai(['route', 'Deploy it'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).not.toContain('\u001b[');
  });
});

describe('kurultai explain', () => {
  it("shows every agent's score with the rules, words and places behind it", () => {
    const run = kurultai(['explain', 'Write', 'unit', 'tests', 'for', 'the', 'parser']);
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('Write unit tests for the parser');
    expect(lines[1]).toMatch(/^→ Jochi \(jochi\), type testing, score [\d.]+, margin [\d.]+, confidence \d\.\d\d: highest score$/);
    const testingRule = positionOf(join(RULES, 'routing.yaml'), 'id: testing').replace(/:\d+$/, ':5');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`testing \\+4 "unit tests"  rules/routing\\.yaml:${testingRule}$`)));
    expect(lines).toContainEqual(expect.stringMatching(/fitted-jochi \+[\d.]+ .*"unit" \+[\d.]+.*  rules\/fitted\.yaml:\d+:5$/));
    expect(lines.filter((line) => /^(Möngke|Temüjin|Chagatai|Jochi|Ögedei|Kublai) /.test(line))).toHaveLength(6);
  });

  it('says when the default agent was chosen', () => {
    expect(kurultai(['explain', 'Hello']).stdout.split('\n')[1]).toBe('→ Kublai (kublai), type general, score 0, margin 0, confidence 0.17: no rule matched: the default agent');
  });

  it('says whom `kurultai run` asks to choose when the confidence is below the fallback threshold', () => {
    const lines = kurultai(['explain', '--rules', withFallback('explain-unsure'), 'Hello']).stdout.split('\n');
    expect(lines[2]).toBe("  confidence below the fallback's 0.5: `kurultai run` asks Kublai (kublai) to choose");
  });

  it('says nothing of the fallback when the confidence is at or above its threshold', () => {
    expect(kurultai(['explain', '--rules', withFallback('explain-sure'), 'Write unit tests for the parser']).stdout).not.toContain("the fallback's");
  });

  it('needs a TEXT (exit code 2)', () => {
    expect(kurultai(['explain']).status).toBe(2);
  });
});

describe('kurultai validate', () => {
  it('accepts the default rules folder with exit code 0', () => {
    const run = kurultai(['validate']);
    expect(run).toMatchObject({ status: 0, stdout: 'valid rules (6 agents, 26 rules, 196 examples)\n' });
  });

  it('accepts single files, checked against the agents.yaml beside them', () => {
    const run = kurultai(['validate', 'rules/routing.yaml', 'rules/examples.yaml']);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('reports an unknown operator at its line and column, with exit code 1', () => {
    const dir = brokenCopy('bad-operator', 'routing.yaml', (text) => text.replace('operator: contains', 'operator: includes'));
    const run = kurultai(['validate', dir]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(`${dir}/routing.yaml:${positionOf(join(dir, 'routing.yaml'), 'includes')}: rules[12].when.operator: unknown operator; use one of equal, notEqual, contains, doesNotContain, in, notIn, lessThan, lessThanInclusive, greaterThan, greaterThanInclusive, dateBefore, dateAfter, withinDays\n`);
  });

  it('reports a YAML syntax error at its line and column', () => {
    const dir = brokenCopy('bad-syntax', 'agents.yaml', (text) => text.replace('    name: Möngke', '    name: [Möngke'));
    const run = kurultai(['validate', dir]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^${dir}/agents\\.yaml:\\d+:\\d+: `));
  });

  it('reports every problem of a broken copy, one line each', () => {
    const dir = brokenCopy('many-problems', 'routing.yaml', (text) =>
      text.replace('id: analysis', 'id: research').replace('weight: 4', 'weight: -4').replace('agent: ogedei', 'agent: ogodei'),
    );
    const run = kurultai(['validate', dir]);
    const file = join(dir, 'routing.yaml');
    expect(run.status).toBe(1);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      `${file}:${positionOf(file, 'id: research\n    agent: mongke\n    type: analysis').replace(/:\d+$/, ':9')}: duplicate rule id "research"; it is also defined at ${file}:${positionOf(file, '- id: research').replace(/:\d+$/, ':5')}`,
      `${file}:${positionOf(file, '-4')}: rules[9].weight: must be greater than 0`,
      `${file}:${positionOf(file, 'ogodei')}: unknown agent "ogodei"; the council has mongke, temujin, chagatai, jochi, ogedei, kublai`,
    ]);
  });

  it('reports a file that is not UTF-8', () => {
    const dir = brokenCopy('latin1', 'agents.yaml', (text) => text);
    writeFileSync(join(dir, 'agents.yaml'), Buffer.from('version: 1\nname: M\xf6ngke\n', 'latin1'));
    expect(kurultai(['validate', dir]).stdout).toBe(`${dir}/agents.yaml:2:8: file is not valid UTF-8 (byte 0xF6 here); save it as UTF-8\n`);
  });

  it('reports a path that does not exist', () => {
    const run = kurultai(['validate', 'no-such-rules.yaml']);
    expect(run).toMatchObject({ status: 1 });
    expect(run.stdout).toContain('no-such-rules.yaml');
  });
});

describe('kurultai test', () => {
  it('reports the accuracy of the default rules on their labelled examples and exits 0 above the threshold', () => {
    const run = kurultai(['test']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^pass: \d+\/160 routed as labelled, accuracy \d+\.\d% \(required 90\.0%\) in rules\/examples\.yaml$/m);
  });

  it('prints each miss with its explanation and exits 1 below the threshold', () => {
    const file = join(scratch, 'hard.examples.yaml');
    writeFileSync(file, 'version: 1\nmin_accuracy: 0.75\nexamples:\n  - { text: Deploy the API, expect: ogedei }\n  - { text: Write unit tests, expect: chagatai }\n');
    const run = kurultai(['test', '--rules', HAND_RULES, file]);
    expect(run.status).toBe(1);
    expect(run.stdout.split('\n').filter((line) => /^(miss|FAIL)/.test(line))).toEqual([
      'miss "Write unit tests": expected Chagatai, got Jochi (chagatai 1, jochi 4): testing +4 "unit tests"; writing-verbs +1 "Write"',
      `FAIL: 1/2 routed as labelled, accuracy 50.0% (required 75.0%) in ${file}`,
    ]);
  });

  it('reports an examples file that expects an unknown agent', () => {
    const file = join(scratch, 'ghost.examples.yaml');
    writeFileSync(file, 'version: 1\nmin_accuracy: 0.5\nexamples:\n  - { text: Hi, expect: ghost }\n');
    const run = kurultai(['test', file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${file}:4:25: unknown agent "ghost"; the council has mongke, temujin, chagatai, jochi, ogedei, kublai\n`);
  });

  it('reads a TSV file, one split of it, and reports precision, recall, confusion, no-match and calibration as JSON', () => {
    const file = join(scratch, 'labelled.tsv');
    writeFileSync(file, LABELLED_TSV);
    const run = kurultai(['test', '--rules', HAND_RULES, '--split', 'test', '--json', file]);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown> & { agents: Record<string, { support: number }>; confusion: Record<string, Record<string, number>>; calibration: { bins: unknown[] } };
    expect(report).toMatchObject({ total: 3, required: null, passed: true });
    expect(report.agents['jochi']).toMatchObject({ support: 1 });
    expect(Object.keys(report.confusion)).toEqual(['mongke', 'temujin', 'chagatai', 'jochi', 'ogedei', 'kublai']);
    expect(report.calibration.bins.length).toBeGreaterThan(0);
  });

  it('fails below --min-accuracy', () => {
    const file = join(scratch, 'mislabelled.tsv');
    writeFileSync(file, 'title\texpect\nWrite unit tests\tchagatai\nDeploy the API\togedei\n');
    const run = kurultai(['test', '--rules', HAND_RULES, '--min-accuracy', '0.9', file]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^FAIL: 1\/2 routed as labelled, accuracy 50\.0% \(required 90\.0%\) in /m);
  });

  it('names the line of a TSV row that lacks its label', () => {
    const file = join(scratch, 'unlabelled.tsv');
    writeFileSync(file, 'title\texpect\nDeploy the API\t\n');
    const run = kurultai(['test', file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${file}:2:1: a label is missing`);
  });
});

describe('kurultai fit', () => {
  it('writes fitted rules into the rules folder and prints the accuracy before and after, cross-validated by field', () => {
    const dir = join(scratch, 'fit-rules');
    cpSync(HAND_RULES, dir, { recursive: true });
    const file = join(scratch, 'labelled.tsv');
    writeFileSync(file, LABELLED_TSV);
    const run = kurultai(['fit', '--rules', dir, file]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^learned from 12 examples in 3 fields: \d+ weighted words and phrases$/m);
    expect(run.stdout).toMatch(/^accuracy before \(hand-written rules\): [\d.]+%\naccuracy after \(cross-validated, 3 folds by field\): [\d.]+%$/m);
    const fitted = readFileSync(join(dir, 'fitted.yaml'), 'utf8');
    expect(fitted).toMatch(/^ {2}- id: fitted-jochi$/m);
    expect(kurultai(['validate', dir]).status).toBe(0);
    expect(kurultai(['explain', '--rules', dir, 'flaky spec']).stdout).toMatch(/fitted-jochi \+[\d.]+ "flaky" \+[\d.]+/);
  });

  it('writes the same file twice from the same examples, leaving its own earlier output out of what it fits on', () => {
    const dir = join(scratch, 'fit-twice');
    cpSync(HAND_RULES, dir, { recursive: true });
    const file = join(scratch, 'labelled.tsv');
    writeFileSync(file, LABELLED_TSV);
    kurultai(['fit', '--rules', dir, file]);
    const first = readFileSync(join(dir, 'fitted.yaml'), 'utf8');
    kurultai(['fit', '--rules', dir, file]);
    expect(readFileSync(join(dir, 'fitted.yaml'), 'utf8')).toBe(first);
  });

  it('needs a labelled FILE (exit code 2)', () => {
    expect(kurultai(['fit']).status).toBe(2);
  });
});
