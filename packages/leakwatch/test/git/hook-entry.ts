// Runs `leakwatch git ...` from source for the hook end-to-end tests (the hooks call
// `<command> git --staged` / `<command> git --pre-push`).
import { gitCommand } from '../../src/cli/commands/git.js';

const [name, ...args] = process.argv.slice(2);
if (name !== 'git') throw new Error(`hook-entry runs only "git", not ${name ?? 'nothing'}`);
process.exitCode = await gitCommand.run(args, {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  env: process.env,
  isTTY: false,
  now: () => new Date(),
});
