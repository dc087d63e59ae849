export { agentWorkflow } from './agent';
export { agentCycleWorkflow } from './cycle';
export { tradingLockWorkflow } from './trading-lock';
