export { agentWorkflow } from './agent';
export { agentCycle, agentCycleWorkflow } from './cycle';
export { tradingLockWorkflow } from './trading-lock';
