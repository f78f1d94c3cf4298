import { describe, expect, it } from 'vitest';
import type { AgentPersona } from './council.js';
import { findAgent } from './find-agent.js';

const agent = (id: string, name: string): AgentPersona => ({ id, name, role: id, instructions: '', spawn: {} });
const council = [agent('temujin', 'Temüjin'), agent('ogedei', 'Ögedei'), agent('jochi', 'Jochi'), agent('kublai-2', 'Kublai')];

describe('findAgent', () => {
  it('finds an agent by its id', () => {
    expect(findAgent(council, 'ogedei')?.id).toBe('ogedei');
  });

  it('finds an agent by its display name, whatever the case, accents and surrounding spaces', () => {
    for (const name of ['Ögedei', 'ögedei', 'OGEDEI', 'Ogedei', '  Ögedei ']) expect(findAgent(council, name)?.id, name).toBe('ogedei');
  });

  it('finds an agent whose display name differs from its id', () => {
    expect(findAgent(council, 'Kublai')?.id).toBe('kublai-2');
  });

  it("prefers the agent with that id to one whose display name it is", () => {
    const confusing = [agent('scribe', 'Jochi'), agent('jochi', 'The Auditor')];
    expect(findAgent(confusing, 'jochi')?.id).toBe('jochi');
    expect(findAgent(confusing, 'The Auditor')?.id).toBe('jochi');
  });

  it('finds no agent for a name the council does not have, nor for a part of one', () => {
    expect(findAgent(council, 'Batu')).toBeUndefined();
    expect(findAgent(council, 'Temü')).toBeUndefined();
    expect(findAgent(council, '')).toBeUndefined();
  });
});
