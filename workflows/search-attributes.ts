import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes; every Temporal server the arena talks to must have them registered. */
export const AgentIdAttr = defineSearchAttributeKey('AgentId', SearchAttributeType.KEYWORD);
export const AgentStatusAttr = defineSearchAttributeKey('AgentStatus', SearchAttributeType.KEYWORD);
export const AgentVenueAttr = defineSearchAttributeKey('AgentVenue', SearchAttributeType.KEYWORD);
export const AgentModelAttr = defineSearchAttributeKey('AgentModel', SearchAttributeType.KEYWORD);
export const AgentCycleAttr = defineSearchAttributeKey('AgentCycle', SearchAttributeType.INT);
export const LastCycleAtAttr = defineSearchAttributeKey('LastCycleAt', SearchAttributeType.DATETIME);

export const ARENA_SEARCH_ATTRIBUTES = [
  AgentIdAttr,
  AgentStatusAttr,
  AgentVenueAttr,
  AgentModelAttr,
  AgentCycleAttr,
  LastCycleAtAttr,
] as const;
