import { ensureTemporalCli } from '../infra/temporal-cli';

/** Prints the path of the Temporal CLI, installing it first when missing (used by CI). */
ensureTemporalCli((msg) => console.error(msg))
  .then((cliPath) => console.log(cliPath))
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
