export { agentWorkflow } from './agent';
export { agentCycleWorkflow } from './cycle';
