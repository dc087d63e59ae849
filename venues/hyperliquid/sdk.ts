/**
 * The SDK's subpath modules `@nktkas/hyperliquid/signing` and `@nktkas/hyperliquid/utils`, typed.
 * The package declares them only in its `exports` map, which TypeScript's `moduleResolution: node`
 * does not read: the types come from the files behind them, the values from a require that Node
 * resolves through `exports` as usual.
 */
import type * as SigningModule from '@nktkas/hyperliquid/esm/signing/mod';
import type * as UtilsModule from '@nktkas/hyperliquid/esm/utils/mod';

// The package ships only ES modules: Node 22.12+ loads them with require(), typed by their declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const signing: typeof SigningModule = require('@nktkas/hyperliquid/signing');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const utils: typeof UtilsModule = require('@nktkas/hyperliquid/utils');

export type Signature = SigningModule.Signature;
