import type { Command } from '../command.js';
import { explainCommand } from './explain.js';
import { fitCommand } from './fit.js';
import { reassignCommand } from './reassign.js';
import { retryCommand } from './retry.js';
import { routeCommand } from './route.js';
import { runCommand } from './run.js';
import { schemaCommand } from './schema.js';
import { statusCommand } from './status.js';
import { testCommand } from './test.js';
import { validateCommand } from './validate.js';

/** Every `kurultai` command, in the order `kurultai --help` lists them. A new command is one file and one line here. */
export const COMMANDS: readonly Command[] = [routeCommand, explainCommand, validateCommand, testCommand, fitCommand, runCommand, statusCommand, retryCommand, reassignCommand, schemaCommand];
