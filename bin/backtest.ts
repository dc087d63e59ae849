/** `npm run backtest -- --help`: see backtest/command.ts. */
import { ConfigError } from '../arena-config/load';
import { backtestCommand, UsageError } from '../backtest/command';
import { WindowError } from '../backtest/window';

backtestCommand(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() })
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    const known = err instanceof UsageError || err instanceof WindowError || err instanceof ConfigError;
    process.stderr.write(`backtest: ${known ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  });
