import { countTokens } from 'gpt-tokenizer';

// The package's default entry is the o200k_base encoding (GPT-4o and later). Other providers' tokenizers
// differ by some percent either way, so this is an estimate, not a bill.
export const TOKEN_ENCODING = 'o200k_base';

/** Text that looks like a special token (`<|endoftext|>`) is counted as ordinary text instead of throwing. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Estimated number of tokens in `text` (o200k_base). */
export function estimateTokens(text: string): number {
  return countTokens(text, PLAIN_TEXT);
}
