/**
 * The environment a child process starts with: only what it needs to run, never the arena's keys. A
 * child (the Temporal dev server, `go install`) has no use for model keys, venue credentials or the
 * API token, and a crash dump or debug endpoint of its could show its environment.
 */

/** What any program needs: where to find programs, a home, a temp dir, a locale. */
const BASE = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ'];

/** The Go toolchain and its module proxy (for `go install`). */
export const GO_VARIABLES = [
  'GOPATH',
  'GOBIN',
  'GOROOT',
  'GOCACHE',
  'GOMODCACHE',
  'GOPROXY',
  'GOFLAGS',
  'GOSUMDB',
  'GONOSUMDB',
  'GONOPROXY',
  'GOPRIVATE',
  'GOTOOLCHAIN',
  'GOENV',
  'GOOS',
  'GOARCH',
  'CGO_ENABLED',
  'CC',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/** `env` reduced to the base variables and `also` (names), plus `set` on top. */
export function childEnv(
  also: readonly string[] = [],
  set: Record<string, string> = {},
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const name of [...BASE, ...also]) if (env[name] !== undefined) out[name] = env[name];
  return { ...out, ...set };
}
