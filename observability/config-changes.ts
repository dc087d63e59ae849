/** Which run-time fields a config change touched, for the log. Pure: the agent workflow imports it. */
import { RUNTIME_FIELDS } from '../arena-config/runtime-changes';
import type { AgentConfig } from '../arena-config/types';

export function changedRuntimeFields(before: AgentConfig, after: AgentConfig): string[] {
  return RUNTIME_FIELDS.filter((path) => JSON.stringify(valueAt(before, path)) !== JSON.stringify(valueAt(after, path)));
}

function valueAt(config: AgentConfig, path: string): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/** Who sent an update: the API names its updates `api-...` (api/routes/control.ts); anything else is a raw Temporal update. */
export function updateRequester(updateId: string | undefined): string {
  return updateId?.startsWith('api-') ? 'the API' : `update ${updateId ?? '(unknown)'}`;
}
