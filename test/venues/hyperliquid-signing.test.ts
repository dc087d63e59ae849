import assert from 'node:assert/strict';
import type { ExchangeClient, IRequestTransport } from '@nktkas/hyperliquid';
import vectors from '../fixtures/venues/hyperliquid/signing_vectors.json';
import { signing } from '../../venues/hyperliquid/sdk';
import { createExchangeClient, signerWallet } from '../../venues/hyperliquid/signer';
import { recoverL1Signer } from '../support/mock-venues/hyperliquid/auth';

/**
 * Every L1 vector of test/fixtures/venues/hyperliquid/signing_vectors.json through the adapter's
 * signing path: the ethers wallet the adapter builds from a private key (signerWallet), the SDK's
 * signL1Action / createL1ActionHash, and, for actions the SDK has a method for, the adapter's
 * ExchangeClient (createExchangeClient) end to end with a transport that captures the request. The
 * mock venue's verifier must recover each vector's signer too. The adapter signs no user-signed
 * action (usdSend, withdraw3…), so those vectors are not its concern.
 */

type Signature = { r: string; s: string; v: number };
type Action = Record<string, unknown> & { type: string };

/** Captures what the ExchangeClient would send and answers like the venue. */
class CapturingTransport implements IRequestTransport {
  readonly sent: Array<{ action: Action; nonce: number; signature: Signature; vaultAddress?: string; expiresAfter?: number }> = [];
  constructor(readonly isTestnet: boolean) {}
  async request<T>(_endpoint: string, payload: unknown): Promise<T> {
    this.sent.push(payload as CapturingTransport['sent'][number]);
    return { status: 'ok', response: { type: 'default' } } as T;
  }
}

/** The ExchangeClient call that produces `action`, for the action types the SDK has a method for. */
const VIA_CLIENT: Record<string, (client: ExchangeClient, action: Action) => Promise<unknown>> = {
  order: (client, { type: _t, ...params }) => client.order(params as Parameters<ExchangeClient['order']>[0]),
  createSubAccount: (client, { type: _t, ...params }) =>
    client.createSubAccount(params as Parameters<ExchangeClient['createSubAccount']>[0]),
  subAccountTransfer: (client, { type: _t, ...params }) =>
    client.subAccountTransfer(params as Parameters<ExchangeClient['subAccountTransfer']>[0]),
  scheduleCancel: (client, { type: _t, ...params }) => client.scheduleCancel(params as Parameters<ExchangeClient['scheduleCancel']>[0]),
};

interface L1Case {
  source: string;
  name: string;
  privateKey: string;
  action: Action;
  nonce: number;
  vaultAddress?: `0x${string}`;
  expected: { mainnet: Signature; testnet: Signature };
}

function l1Cases(): L1Case[] {
  const py = vectors.python_sdk;
  const nk = vectors.nktkas_hyperliquid_0_33_3;
  return [
    ...py.l1.map((v) => ({
      source: 'python sdk',
      name: v.name,
      privateKey: py.privateKey,
      action: v.action as Action,
      nonce: v.nonce,
      ...(v.vaultAddress ? { vaultAddress: v.vaultAddress as `0x${string}` } : {}),
      expected: { mainnet: v.mainnet, testnet: v.testnet },
    })),
    {
      source: 'nktkas',
      name: 'order, no vault, no expiry',
      privateKey: nk.privateKey,
      action: nk.action as Action,
      nonce: nk.nonce,
      expected: nk.signature_no_vault_no_expiry,
    },
  ];
}

const pick = ({ r, s, v }: Signature) => ({ r: r.toLowerCase(), s: s.toLowerCase(), v });

describe('hyperliquid signing: the fixture vectors through the adapter', () => {
  for (const c of l1Cases()) {
    for (const network of ['mainnet', 'testnet'] as const) {
      const isTestnet = network === 'testnet';
      const expected = c.expected[network];

      it(`${c.source} "${c.name}" (${network}): signL1Action with the adapter's ethers wallet`, async () => {
        const wallet = signerWallet(c.privateKey, 'TEST_KEY');
        const signature = await signing.signL1Action({
          wallet,
          action: c.action,
          nonce: c.nonce,
          isTestnet,
          ...(c.vaultAddress ? { vaultAddress: c.vaultAddress } : {}),
        });
        assert.deepEqual(pick(signature), pick(expected));
      });

      it(`${c.source} "${c.name}" (${network}): the mock venue recovers the signer`, () => {
        const recovered = recoverL1Signer(
          { action: c.action, nonce: c.nonce, signature: expected, vaultAddress: c.vaultAddress },
          isTestnet,
        );
        assert.equal(recovered, signerWallet(c.privateKey, 'TEST_KEY').address.toLowerCase());
        const otherNetwork = recoverL1Signer(
          { action: c.action, nonce: c.nonce, signature: expected, vaultAddress: c.vaultAddress },
          !isTestnet,
        );
        assert.notEqual(otherNetwork, recovered, 'the source byte separates mainnet from testnet');
      });

      const send = VIA_CLIENT[c.action.type];
      if (!send || c.vaultAddress) continue;
      it(`${c.source} "${c.name}" (${network}): end to end through the adapter's ExchangeClient`, async () => {
        const transport = new CapturingTransport(isTestnet);
        const client = createExchangeClient(transport, signerWallet(c.privateKey, 'TEST_KEY'), () => c.nonce);
        await send(client, c.action);
        const [sent] = transport.sent;
        assert.equal(JSON.stringify(sent!.action), JSON.stringify(c.action), 'same action, same key order');
        assert.equal(sent!.nonce, c.nonce);
        assert.deepEqual(pick(sent!.signature), pick(expected));
      });
    }
  }

  describe('action hashes (connectionId)', () => {
    const phantom = vectors.python_sdk.phantom_agent;
    it(`python sdk phantom agent: ${phantom.python_input}`, async () => {
      assert.equal(signing.createL1ActionHash({ action: phantom.action, nonce: phantom.nonce }), phantom.connectionId);
      // The adapter's client canonicalises the same order to the same bytes.
      const transport = new CapturingTransport(false);
      const client = createExchangeClient(transport, signerWallet(vectors.python_sdk.privateKey, 'TEST_KEY'), () => phantom.nonce);
      await VIA_CLIENT.order!(client, phantom.action as Action);
      const [sent] = transport.sent;
      assert.equal(signing.createL1ActionHash({ action: sent!.action, nonce: sent!.nonce }), phantom.connectionId);
    });

    const nk = vectors.nktkas_hyperliquid_0_33_3;
    const variants: Array<[keyof typeof nk.hash, { vaultAddress?: `0x${string}`; expiresAfter?: number }]> = [
      ['base', {}],
      ['withVault', { vaultAddress: nk.vaultAddress as `0x${string}` }],
      ['withExpires', { expiresAfter: nk.expiresAfter }],
      ['withBoth', { vaultAddress: nk.vaultAddress as `0x${string}`, expiresAfter: nk.expiresAfter }],
    ];
    for (const [name, extra] of variants) {
      it(`nktkas hash ${name}`, () => {
        assert.equal(signing.createL1ActionHash({ action: nk.action, nonce: nk.nonce, ...extra }), nk.hash[name]);
      });
    }

    it('nktkas vector: the wallet address the adapter derives', () => {
      assert.equal(signerWallet(nk.privateKey, 'TEST_KEY').address, nk.address);
    });
  });

  it('a bad private key is refused with the variable named and the value never shown', () => {
    assert.throws(
      () => signerWallet('0xnot-a-key-secret', 'HYPERLIQUID_PRIVATE_KEY_X'),
      (err: Error) => err.message.includes('HYPERLIQUID_PRIVATE_KEY_X') && !err.message.includes('not-a-key-secret'),
    );
  });
});
