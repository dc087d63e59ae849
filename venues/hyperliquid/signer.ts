import { ExchangeClient, type IRequestTransport } from '@nktkas/hyperliquid';
import { Wallet } from 'ethers';
import { VenueRejection } from '../venue';
import { nextNonce } from './nonce';

/**
 * The wallet that signs L1 actions: an agent (API) wallet approved by the main account, or the main
 * wallet itself. `variable` names where the key came from, for the message; the key is never shown.
 */
export function signerWallet(privateKey: string, variable: string): Wallet {
  try {
    return new Wallet(privateKey.startsWith('0x') ? privateKey : `0x${privateKey}`);
  } catch {
    throw new VenueRejection('BAD_CREDENTIALS', `hyperliquid: ${variable} does not hold a valid private key (32 bytes as hex)`);
  }
}

/**
 * The SDK's ExchangeClient as the adapter signs with it: L1 actions canonicalised by the SDK's
 * schemas, hashed (msgpack + nonce + vault byte) and signed as EIP-712 Agent{source, connectionId} by
 * the ethers wallet, source "a" on mainnet and "b" on testnet (the transport's isTestnet), nonces from
 * `nonce` (ms timestamps, strictly increasing per signer).
 */
export function createExchangeClient(
  transport: IRequestTransport,
  wallet: Wallet,
  nonce: (address: string) => number = nextNonce,
): ExchangeClient {
  return new ExchangeClient({ transport, wallet, nonceManager: nonce });
}
