/**
 * JSON merge patch (RFC 7396) onto the current config: objects merge key by key, null removes,
 * anything else replaces; a key the config lacks takes the patch's value as it is. Recursion follows
 * the config, so its depth is the config's. Keys such as `__proto__` stay plain data.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch) || !isPlainObject(target)) return patch;
  const out: Record<string, unknown> = {};
  const set = (key: string, value: unknown) =>
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, value] of Object.entries(target)) set(key, value);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else set(key, mergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
