// A worker in its own process, as an operator would run it (`leakwatch-server campaign work`),
// so that the crash tests can SIGKILL it.
import { run } from '../../src/cli/run.js';

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
