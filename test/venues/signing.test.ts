import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TypedDataEncoder, Wallet } from 'ethers';
import { type ParamEntries, formEncode } from '../../venues/binance-family/encoding';
import {
  ASTER_EIP712_TYPES,
  AsterEip712Signer,
  asterDigest,
  asterDomain,
  asterMessage,
  signAsterLegacy,
  signAsterMessage,
} from '../../venues/aster/signer';
import { NonceManager } from '../../venues/aster/nonce';
import { BinanceHmacSigner, hmacSha256Hex } from '../../venues/binance/signer';

/**
 * Every vector of the fixture files goes through our signing code; the files are read here, so a
 * vector added to them is covered without touching this test.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'venues');
const aster = JSON.parse(readFileSync(path.join(FIXTURES, 'aster', 'signing_vectors.json'), 'utf8'));
const binance = JSON.parse(readFileSync(path.join(FIXTURES, 'binance', 'hmac_vectors.json'), 'utf8'));

interface HmacVector {
  name: string;
  totalParams: string;
  signature: string;
  queryString?: string;
  requestBody?: string;
}
interface LegacyVector {
  name: string;
  nonce: number;
  params: Record<string, unknown>;
  json: string;
  abiEncodedHex: string;
  keccak: string;
  signature: string;
}
interface Eip712Vector {
  name: string;
  chainId: number;
  msg: string;
  domainSeparator: string;
  structHash: string;
  digest: string;
  signature: string;
}

/** "k=v&..." as ordered pairs (the vectors use plain values, so no decoding is needed). */
function parsePairs(text: string): ParamEntries {
  return text.split('&').map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1)];
  });
}

describe('venue signing vectors', () => {
  describe('Binance HMAC-SHA256 (hmac_vectors.json)', () => {
    const vectors = binance.vectors as HmacVector[];

    it('has vectors', () => assert.ok(vectors.length > 0));

    for (const v of vectors) {
      it(`signs "${v.name}"`, () => {
        if (v.queryString !== undefined && v.requestBody !== undefined) {
          // totalParams = query string concatenated with the body, no '&' between them.
          assert.equal(`${v.queryString}${v.requestBody}`, v.totalParams);
        }
        assert.equal(hmacSha256Hex(binance.secretKey, v.totalParams), v.signature);
      });
    }

    it('the request signer reproduces every vector it can build (params + recvWindow + timestamp)', async () => {
      let built = 0;
      for (const v of vectors) {
        const pairs = parsePairs(v.totalParams);
        const [recv, stamp] = pairs.slice(-2);
        if (formEncode(pairs) !== v.totalParams || recv?.[0] !== 'recvWindow' || stamp?.[0] !== 'timestamp') continue;
        const signer = new BinanceHmacSigner(binance.apiKey, binance.secretKey, {
          recvWindow: Number(recv[1]),
          now: () => Number(stamp[1]),
        });
        signer.setClock(Number(stamp[1]), 'initial');
        const signed = await signer.sign(pairs.slice(0, -2));
        assert.equal(signed.payload, `${v.totalParams}&signature=${v.signature}`);
        assert.deepEqual(signed.headers, { 'X-MBX-APIKEY': binance.apiKey });
        built++;
      }
      assert.ok(built > 0, 'at least one vector went through the request signer');
    });

    it('Aster v1 legacy HMAC vector', () => {
      const v = aster.hmac_v1_legacy;
      assert.equal(hmacSha256Hex(v.secretKey, v.totalParams), v.signature);
    });
  });

  describe('Aster legacy scheme A: ABI + keccak + EIP-191 (signing_vectors.json)', () => {
    const vectors = aster.legacy_abi_v3_2025.vectors as LegacyVector[];
    it('has vectors', () => assert.ok(vectors.length > 0));
    for (const v of vectors) {
      it(`signs "${v.name}"`, async () => {
        const out = await signAsterLegacy(v.params, {
          user: aster.keys.user,
          signer: aster.keys.signer,
          nonce: v.nonce,
          privateKey: aster.keys.signerPrivateKey,
        });
        assert.equal(out.json, v.json);
        assert.equal(out.abiEncodedHex, v.abiEncodedHex);
        assert.equal(out.keccak, v.keccak);
        assert.equal(out.signature, v.signature);
      });
    }
  });

  describe('Aster EIP-712 (signing_vectors.json)', () => {
    const vectors = aster.eip712_v3_current.vectors as Eip712Vector[];
    const wallet = new Wallet(aster.keys.signerPrivateKey);

    it('has vectors, and the demo key is the signer', () => {
      assert.ok(vectors.length > 0);
      assert.equal(wallet.address, aster.keys.signer);
    });

    it('the domains match the fixture', () => {
      assert.deepEqual(asterDomain(1666), aster.eip712_v3_current.domain_mainnet);
      assert.deepEqual(asterDomain(714), aster.eip712_v3_current.domain_testnet);
      assert.deepEqual(ASTER_EIP712_TYPES, aster.eip712_v3_current.types);
    });

    for (const v of vectors) {
      it(`signs "${v.name}" (chain ${v.chainId})`, async () => {
        // The message as our builder writes it from the business parameters and the auth fields.
        const pairs = parsePairs(v.msg);
        const nonceAt = pairs.findIndex(([k]) => k === 'nonce');
        const business = pairs.slice(0, nonceAt);
        const field = (name: string) => pairs.find(([k]) => k === name)?.[1];
        const user = field('user');
        const auth = { nonce: field('nonce')!, signer: field('signer')!, user, includeUser: user !== undefined };
        assert.equal(asterMessage(business, auth, 'urlencoded'), v.msg);
        assert.equal(asterMessage(business, auth, 'raw'), v.msg);

        assert.equal(TypedDataEncoder.hashDomain(asterDomain(v.chainId)), v.domainSeparator);
        assert.equal(TypedDataEncoder.from(ASTER_EIP712_TYPES).hash({ msg: v.msg }), v.structHash);
        assert.equal(asterDigest(v.msg, v.chainId), v.digest);
        assert.equal(await signAsterMessage(wallet, v.msg, v.chainId), v.signature);

        // And through the request signer, with the vector's nonce coming out of a nonce manager.
        for (const prefix of [true, false]) {
          const nonces = new NonceManager(() => 0);
          nonces.align(auth.signer, Number(auth.nonce) - 1, true);
          const signer = new AsterEip712Signer({
            user: user ?? aster.keys.user,
            signer: auth.signer,
            privateKey: aster.keys.signerPrivateKey,
            chainId: v.chainId,
            signing: { includeUser: auth.includeUser, signaturePrefix0x: prefix, signEncoding: 'urlencoded' },
            nonces,
          });
          const signed = await signer.sign(business);
          assert.equal(signed.payload, `${v.msg}&signature=${prefix ? v.signature : v.signature.slice(2)}`);
          assert.deepEqual(signed.headers, {});
        }
      });
    }
  });
});
