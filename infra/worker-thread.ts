import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `file`: under tsx (as the project runs) a TypeScript module is loaded through
 * tsx's require hook, since a Worker refuses a .ts entry; compiled JavaScript runs as it is.
 */
export function startWorker(file: string, workerData: unknown): Worker {
  if (file.endsWith('.ts')) {
    return new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true, workerData });
  }
  return new Worker(file, { workerData });
}

/**
 * Runs `file` on a worker thread until it posts its result (or fails). The worker posts
 * `{ progress }` messages as it goes and `{ result }` once; `onProgress` hears the former.
 */
export function runOnWorker<T>(file: string, workerData: unknown, onProgress?: (progress: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = startWorker(file, workerData);
    let settled = false;
    worker.on('message', (message: { progress: number } | { result: T }) => {
      if ('progress' in message) {
        onProgress?.(message.progress);
        return;
      }
      settled = true;
      resolve(message.result);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`worker ${file} exited with code ${code} before answering`));
    });
  });
}
