import type { AgentConfig } from '../arena-config/types';

/**
 * The config as the API shows it. AgentConfig holds no secret (keys are variable NAMES), but a base
 * URL could carry credentials someone typed into it: those parts are masked.
 */
export function publicConfig(config: AgentConfig): AgentConfig {
  const masked = (url: string | undefined) => (url === undefined ? undefined : maskUrl(url));
  const dm = config.decisionMaker;
  const ex = config.exchange;
  if (!dm?.baseUrl && !ex?.baseUrl) return config;
  return {
    ...config,
    decisionMaker: dm?.baseUrl ? { ...dm, baseUrl: masked(dm.baseUrl) } : dm,
    exchange: ex?.baseUrl ? { ...ex, baseUrl: masked(ex.baseUrl) } : ex,
  };
}

function maskUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.username || url.password) {
      url.username = '***';
      url.password = '';
    }
    for (const key of [...url.searchParams.keys()]) {
      if (/key|token|secret|sig|auth|pass/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return '***';
  }
}
