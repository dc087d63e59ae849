/**
 * A strict reader of the Prometheus text exposition format 0.0.4, as a scraper reads it: `# HELP` and
 * `# TYPE` lines, samples `name{label="value",...} value [timestamp]` with escaped label values, each
 * family's samples together and each family once (what Prometheus refuses otherwise), histogram
 * samples `_bucket`/`_sum`/`_count` of their family. (The npm parser of this format folds the series of a
 * labelled histogram into one, so the tests read the text with this one.)
 */
import assert from 'node:assert/strict';

export interface Sample {
  /** The sample's own name: `x_total`, `x_bucket`, `x_count`, ... */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

export type Exposition = Map<string, Family>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?[ \t]+(\S+)(?:[ \t]+-?\d+)?$/;
const SUFFIXES: Record<Family['type'], string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parseExposition(text: string): Exposition {
  const families: Exposition = new Map();
  const closed = new Set<string>();
  let current: Family | undefined;
  const open = (name: string): Family => {
    if (current?.name === name) return current;
    assert.ok(!closed.has(name), `family ${name} appears twice`);
    if (current) closed.add(current.name);
    current = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
    families.set(name, current);
    return current;
  };
  for (const [i, line] of text.split('\n').entries()) {
    const where = `line ${i + 1}: ${line.slice(0, 120)}`;
    if (line.trim() === '') continue;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (meta) {
      const [, kind, name, rest = ''] = meta;
      assert.match(name!, NAME, where);
      const family = open(name!);
      if (kind === 'HELP') family.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      else {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest), where);
        assert.equal(family.samples.length, 0, `${where}: TYPE after samples`);
        family.type = rest as Family['type'];
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    assert.ok(match, `not a sample: ${where}`);
    const [, name, labelText, valueText] = match;
    const family = current && SUFFIXES[current.type].some((s) => `${current!.name}${s}` === name) ? current : open(name!);
    family.samples.push({ name: name!, labels: parseLabels(labelText ?? '', where), value: parseValue(valueText!, where) });
  }
  return families;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const label = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  while (label.lastIndex < text.length) {
    const start = label.lastIndex;
    const match = label.exec(text);
    assert.ok(match, `bad labels at ${start}: ${where}`);
    assert.ok(!(match[1]! in labels), `label ${match[1]} twice: ${where}`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** As Prometheus reads it (Go's ParseFloat): NaN and Inf in any case (prom-client writes `Nan`). */
function parseValue(text: string, where: string): number {
  const word = text.toLowerCase();
  if (word === 'nan') return NaN;
  if (word === 'inf' || word === '+inf') return Infinity;
  if (word === '-inf') return -Infinity;
  const value = Number(text);
  assert.ok(text !== '' && !Number.isNaN(value), `bad value: ${where}`);
  return value;
}

/** GET `url` as Prometheus does; the text read strictly. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ families: Exposition; contentType: string }> {
  const response = await fetch(url, { headers: { accept: 'text/plain;version=0.0.4', ...headers } });
  assert.equal(response.status, 200, `${url} answered ${response.status}`);
  return { families: parseExposition(await response.text()), contentType: response.headers.get('content-type') ?? '' };
}

/** The samples named `name` (a family's own name, or a histogram's `_count` / `_sum` / `_bucket`) whose labels include `labels`. */
export function samples(families: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return [...families.values()]
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The sum of those samples' values (0 when there is none). */
export function total(families: Exposition, name: string, labels: Record<string, string> = {}): number {
  return samples(families, name, labels).reduce((sum, s) => sum + s.value, 0);
}

/** Those samples summed per value of the label `by`. */
export function byLabel(families: Exposition, name: string, by: string, labels: Record<string, string> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples(families, name, labels)) out[s.labels[by] ?? ''] = (out[s.labels[by] ?? ''] ?? 0) + s.value;
  return out;
}
