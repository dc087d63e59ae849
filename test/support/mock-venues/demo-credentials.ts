/**
 * Credentials the tests use with the local mock venues: the demo values the venues' own
 * documentation publishes (Aster's API docs, Binance's signing example), never real accounts.
 */
export const DEMO_CREDENTIALS = {
  aster: {
    user: '0x63DD5aCC6b1aa0f563956C0e534DD30B6dcF7C4e',
    signer: '0x21cF8Ae13Bb72632562c6Fff438652Ba1a151bb0',
    privateKey: '0x4fd0a42218f3eae43a6ce26d22544e986139a01e5b34a62db53757ffca81bae1',
  },
  binance: {
    apiKey: 'dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83',
    apiSecret: '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9',
  },
  hyperliquid: {
    /** The python SDK's signing-test key, used as an agent (API) wallet of the main account below. */
    agentPrivateKey: '0x0123456789012345678901234567890123456789012345678901234567890123',
    /** A throwaway key for the main account that approved the agent wallet. */
    mainPrivateKey: `0x${'11'.repeat(32)}`,
  },
} as const;
