/** `npm run replay -- --help`: see backtest/replay-command.ts. */
import { ConfigError } from '../arena-config/load';
import { UsageError } from '../backtest/command';
import { replayCommand } from '../backtest/replay-command';
import { WindowError } from '../backtest/window';

replayCommand(process.argv.slice(2), { stdout: process.stdout, env: process.env, cwd: process.cwd() })
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    const known = err instanceof UsageError || err instanceof WindowError || err instanceof ConfigError;
    process.stderr.write(`replay: ${known ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  });
