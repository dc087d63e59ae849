import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here (the file survives restarts, so a crash and its restart read as one log). */
  logFile: string;
}

const STOP_GRACE_MS = 15_000;

/** Every process started here, so that an exit of this process, however it happens, leaves none behind. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One long-running child process that can be started again after it was stopped or killed. */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly options: ManagedProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.isRunning) throw new Error(`${this.name} is already running`);
    const log = fs.openSync(this.options.logFile, 'a');
    try {
      const child = spawn(this.options.command, this.options.args, {
        cwd: this.options.cwd,
        env: this.options.env,
        stdio: ['ignore', log, log],
      });
      running.add(child);
      this.child = child;
      this.exited = new Promise((resolve) =>
        child.once('exit', () => {
          running.delete(child);
          resolve();
        }),
      );
      child.once('error', (err) => fs.appendFileSync(this.options.logFile, `spawn failed: ${err.message}\n`));
    } finally {
      fs.closeSync(log); // the child holds its own descriptor
    }
  }

  /** Sends `signal` and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.isRunning) return;
    this.child!.kill(signal);
    await this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace time. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (!this.isRunning) return;
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.kill('SIGTERM');
    clearTimeout(timer);
  }

  logIncludes(text: string): boolean {
    return fs.existsSync(this.options.logFile) && fs.readFileSync(this.options.logFile, 'utf8').includes(text);
  }

  /** The last lines of its log, each cut to its first 400 characters (the server's stack traces are long). */
  logTail(lines = 40): string {
    if (!fs.existsSync(this.options.logFile)) return '(no log)';
    return fs
      .readFileSync(this.options.logFile, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
      .join('\n');
  }
}
