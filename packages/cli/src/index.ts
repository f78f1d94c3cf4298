export { main, type MainEnvironment } from './main.js';
export { UsageError, type Command, type CommandArgs, type CommandContext } from './command.js';
export { COMMANDS } from './commands/index.js';
