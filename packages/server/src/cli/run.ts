import { isLwError } from '../errors.js';
import { commands, usage } from './commands.js';
import { exitCodes, type CliIo } from './io.js';

export type { CliIo } from './io.js';

/** Entry point of `leakwatch-server`: 0 ok, 1 failure, 2 usage or input error. */
export const run = async (argv: string[], io: CliIo): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`LW_USAGE: unknown command "${name}"\n\n${usage}`);
    return exitCodes.usage;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (isLwError(error)) {
      io.stderr.write(`${error.code}: ${error.message}\n`);
      return error.status === 400 || error.code === 'LW_NOT_FOUND'
        ? exitCodes.usage
        : exitCodes.failure;
    }
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`LW_USAGE: ${(error as Error).message}\n`);
      return exitCodes.usage;
    }
    io.stderr.write(`LW_INTERNAL: ${(error as Error).message}\n`);
    return exitCodes.failure;
  }
};
