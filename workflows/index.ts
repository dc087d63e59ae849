export { agentWorkflow } from './agent';
export { agentCycle, agentCycleWorkflow } from './cycle';
export { tradingLockWorkflow } from './trading-lock';
export { alertDispatcherWorkflow } from './alert-dispatcher';
