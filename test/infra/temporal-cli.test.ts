import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalCli, findTemporalCli, TEMPORAL_CLI_MODULE } from '../../infra/temporal-cli';

function writeExecutable(file: string, body = '#!/bin/sh\nexit 0\n'): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body, { mode: 0o755 });
  return file;
}

describe('Temporal CLI lookup', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-cli-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('prefers TEMPORAL_CLI over PATH and the Go bin folder', () => {
    const explicit = writeExecutable(path.join(root, 'explicit', 'temporal'));
    writeExecutable(path.join(root, 'path', 'temporal'));
    writeExecutable(path.join(root, 'home', 'go', 'bin', 'temporal'));
    const env = { TEMPORAL_CLI: explicit, PATH: path.join(root, 'path'), HOME: path.join(root, 'home') };
    assert.equal(findTemporalCli(env), explicit);
  });

  it('rejects a TEMPORAL_CLI that does not exist instead of using another binary', () => {
    writeExecutable(path.join(root, 'path', 'temporal'));
    const env = { TEMPORAL_CLI: path.join(root, 'missing'), PATH: path.join(root, 'path') };
    assert.throws(() => findTemporalCli(env), /TEMPORAL_CLI is set to .*missing.*not an executable/);
  });

  it('uses PATH before the Go bin folder, skipping non-executable files', () => {
    fs.mkdirSync(path.join(root, 'first'));
    fs.writeFileSync(path.join(root, 'first', 'temporal'), 'not executable', { mode: 0o644 });
    const onPath = writeExecutable(path.join(root, 'second', 'temporal'));
    writeExecutable(path.join(root, 'home', 'go', 'bin', 'temporal'));
    const env = { PATH: [path.join(root, 'first'), path.join(root, 'second')].join(':'), HOME: path.join(root, 'home') };
    assert.equal(findTemporalCli(env), onPath);
  });

  it('finds the binary in `go env GOPATH`/bin, then in $HOME/go/bin', () => {
    const gopath = path.join(root, 'gopath');
    // A stand-in `go` that answers `go env GOBIN GOPATH` like the real one.
    writeExecutable(path.join(root, 'tools', 'go'), `#!/bin/sh\necho ""\necho "${gopath}"\n`);
    const env = { PATH: path.join(root, 'tools'), HOME: path.join(root, 'home') };
    assert.equal(findTemporalCli(env), null);
    const inHome = writeExecutable(path.join(root, 'home', 'go', 'bin', 'temporal'));
    assert.equal(findTemporalCli(env), inHome);
    const inGopath = writeExecutable(path.join(gopath, 'bin', 'temporal'));
    assert.equal(findTemporalCli(env), inGopath);
  });

  it('installs with `GOTOOLCHAIN=auto go install` when missing, streaming its output', async () => {
    const gopath = path.join(root, 'gopath');
    const argsFile = path.join(root, 'go-args');
    const fakeGo = `#!/bin/sh
if [ "$1" = env ]; then echo ""; echo "${gopath}"; exit 0; fi
PATH=/usr/bin:/bin
echo "$@ GOTOOLCHAIN=$GOTOOLCHAIN" > "${argsFile}"
echo "go: downloading github.com/temporalio/cli v1.5.1" >&2
mkdir -p "${gopath}/bin" && printf '#!/bin/sh\\n' > "${gopath}/bin/temporal" && chmod +x "${gopath}/bin/temporal"
`;
    writeExecutable(path.join(root, 'tools', 'go'), fakeGo);
    const lines: string[] = [];
    const env = { PATH: path.join(root, 'tools'), HOME: path.join(root, 'home') };
    const cli = await ensureTemporalCli((line) => lines.push(line), env);
    assert.equal(cli, path.join(gopath, 'bin', 'temporal'));
    assert.equal(fs.readFileSync(argsFile, 'utf8').trim(), `install ${TEMPORAL_CLI_MODULE} GOTOOLCHAIN=auto`);
    assert.ok(lines.includes('go: downloading github.com/temporalio/cli v1.5.1'), lines.join('\n'));
  });

  it('reports a failed go install with its output', async () => {
    writeExecutable(
      path.join(root, 'tools', 'go'),
      '#!/bin/sh\n[ "$1" = env ] && exit 1\necho "go: go.mod requires go >= 1.25.0" >&2\nexit 1\n',
    );
    const env = { PATH: path.join(root, 'tools'), HOME: path.join(root, 'home') };
    await assert.rejects(
      ensureTemporalCli(() => {}, env),
      /go install .* failed \(exit 1\):\ngo: go.mod requires go >= 1.25.0/,
    );
  });

  it('says to install Go when neither the CLI nor Go is there', async () => {
    const env = { PATH: path.join(root, 'empty'), HOME: path.join(root, 'home') };
    await assert.rejects(
      ensureTemporalCli(() => {}, env),
      /Go is not installed.*Install Go 1\.25 or newer/,
    );
  });
});
