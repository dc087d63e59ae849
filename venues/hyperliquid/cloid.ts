import { VenueRejection } from '../venue';

/**
 * Hyperliquid's client order id (cloid) is 16 bytes written `0x` + 32 hex digits. The arena's ids
 * are 32 hex characters (execution/client-order-id.ts), so the mapping is one to one.
 */
const ARENA_ID = /^[0-9a-fA-F]{32}$/;
const CLOID = /^0x[0-9a-fA-F]{32}$/;

/** Prefix of the client id given to orders placed without a cloid (by hand, in the venue's UI). */
export const OID_PREFIX = 'oid:';

export function toCloid(clientOrderId: string): `0x${string}` {
  if (!ARENA_ID.test(clientOrderId)) {
    throw new VenueRejection(
      'INVALID_CLIENT_ORDER_ID',
      `hyperliquid: client order id "${clientOrderId}" must be 32 hex characters (it becomes the 128-bit cloid)`,
    );
  }
  return `0x${clientOrderId.toLowerCase()}`;
}

/** The arena id of a venue order: its cloid without `0x`, or `oid:<oid>` when it has none. */
export function clientIdOf(cloid: string | null | undefined, oid: number): string {
  return cloid && CLOID.test(cloid) ? cloid.slice(2).toLowerCase() : `${OID_PREFIX}${oid}`;
}

/** The venue order id inside an `oid:<n>` client id, or null for a cloid-based id. */
export function oidOf(clientOrderId: string): number | null {
  if (!clientOrderId.startsWith(OID_PREFIX)) return null;
  const oid = Number(clientOrderId.slice(OID_PREFIX.length));
  return Number.isSafeInteger(oid) && oid >= 0 ? oid : null;
}
