import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command to its end; rejects with the command and the tail of its output when it fails. */
export async function runCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await new Promise<CommandResult>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
  if (result.code !== 0) {
    const tail = result.output.trimEnd().split('\n').slice(-30).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code}):\n${tail}`);
  }
  return result.output;
}
