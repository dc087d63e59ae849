/** The hostile corpus: every family together. */
import { ATTACK_REPLIES } from './attacks';
import { CHAT_MODEL_REPLIES } from './chat-models';
import { CUT_AND_SIZE_REPLIES } from './cuts-and-sizes';
import { REASONING_MODEL_REPLIES } from './reasoning-models';
import type { HostileReply } from './types';

export { CORPUS_SYMBOLS, type HostileReply } from './types';

export const HOSTILE_CORPUS: HostileReply[] = [
  ...REASONING_MODEL_REPLIES,
  ...CHAT_MODEL_REPLIES,
  ...ATTACK_REPLIES,
  ...CUT_AND_SIZE_REPLIES,
];
