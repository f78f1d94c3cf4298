import { describe, expect, it } from 'vitest';
import { RATIONALE_MAX_CHARS, readRoutingAnswer } from './routing-answer.js';

const COUNCIL = ['jochi', 'temujin', 'kublai'];
const read = (answer: string) => readRoutingAnswer(answer, COUNCIL);

describe('readRoutingAnswer', () => {
  it('reads a bare JSON object', () => {
    expect(read('{"agent": "jochi", "rationale": "The work is to verify the login flow."}')).toEqual({
      ok: true,
      agent: 'jochi',
      rationale: 'The work is to verify the login flow.',
    });
  });

  it('reads the object inside a code fence', () => {
    expect(read('```json\n{\n  "agent": "temujin",\n  "rationale": "It asks for code."\n}\n```')).toMatchObject({ ok: true, agent: 'temujin' });
  });

  it('reads the object among prose, braces inside its strings included', () => {
    const answer = 'Having read the task, my choice is {"agent": "temujin", "rationale": "It changes the {config} loader."} as asked.';
    expect(read(answer)).toEqual({ ok: true, agent: 'temujin', rationale: 'It changes the {config} loader.' });
  });

  it('skips braces in prose that are not JSON', () => {
    expect(read('Options {a, b} weighed; {"agent": "kublai", "rationale": "Planning."}')).toMatchObject({ ok: true, agent: 'kublai' });
  });

  it("takes the agent's id whatever its case", () => {
    expect(read('{"agent": " Jochi ", "rationale": "Testing."}')).toMatchObject({ ok: true, agent: 'jochi' });
  });

  it('refuses an answer without a JSON object', () => {
    expect(read('I would give this to Jochi.')).toEqual({ ok: false, problem: 'the answer holds no JSON object with an "agent"' });
  });

  it('refuses broken JSON', () => {
    expect(read('{"agent": "jochi", "rationale": "unterminated}')).toEqual({ ok: false, problem: 'the answer holds no JSON object with an "agent"' });
  });

  it('refuses an object without an agent', () => {
    expect(read('{"rationale": "Someone careful."}')).toEqual({ ok: false, problem: 'the answer holds no JSON object with an "agent"' });
  });

  it('refuses an agent that is not a string', () => {
    expect(read('{"agent": ["jochi"], "rationale": "Testing."}')).toEqual({ ok: false, problem: '"agent" is not a string' });
  });

  it('refuses an agent the council does not have, naming the council', () => {
    expect(read('{"agent": "batu", "rationale": "Batu is free."}')).toEqual({ ok: false, problem: 'unknown agent "batu"; the council has jochi, temujin, kublai' });
  });

  it('quotes only a short, cleaned part of an unknown agent', () => {
    const answer = JSON.stringify({ agent: `x\u001b[2J${'y'.repeat(200)}`, rationale: 'r' });
    expect(read(answer)).toEqual({ ok: false, problem: `unknown agent "x[2J${'y'.repeat(35)}…"; the council has jochi, temujin, kublai` });
  });

  it('refuses a missing or empty rationale', () => {
    expect(read('{"agent": "jochi"}')).toEqual({ ok: false, problem: 'the answer gives no "rationale"' });
    expect(read('{"agent": "jochi", "rationale": " \\n "}')).toEqual({ ok: false, problem: 'the answer gives no "rationale"' });
  });

  it('refuses two different choices, as an answer that echoes the prompt holds', () => {
    const echoed = 'Answer with {"agent": "<id>", "rationale": "<one sentence>"}. {"agent": "jochi", "rationale": "Testing."}';
    expect(read(echoed)).toEqual({ ok: false, problem: 'the answer holds 2 different choices' });
  });

  it('takes one choice written twice as one', () => {
    const twice = '{"agent": "jochi", "rationale": "Testing."}\n\nAgain: {"agent": "jochi", "rationale": "Testing."}';
    expect(read(twice)).toMatchObject({ ok: true, agent: 'jochi' });
  });

  it('makes the rationale one line without control characters', () => {
    const answer = JSON.stringify({ agent: 'jochi', rationale: 'It needs\ntests\u001b[31m and \u202eaudits\u009b.' });
    expect(read(answer)).toMatchObject({ ok: true, rationale: 'It needs tests[31m and audits.' });
  });

  it('cuts a long rationale to the cap, marking the cut', () => {
    const answer = JSON.stringify({ agent: 'jochi', rationale: 'word '.repeat(200) });
    const result = read(answer);
    expect(result.ok && result.rationale.length).toBe(RATIONALE_MAX_CHARS);
    expect(result.ok && result.rationale.endsWith('…')).toBe(true);
  });
});
