import * as C from './constants.js';

/** A descriptor type's name for the per-link counters in `/gstatus`. */
export function typeName(type: number): string {
  switch (type) {
    case C.DESCRIPTOR_PING:
      return 'ping';
    case C.DESCRIPTOR_PONG:
      return 'pong';
    case C.DESCRIPTOR_BYE:
      return 'bye';
    case C.DESCRIPTOR_ROUTE_TABLE_UPDATE:
      return 'qrp';
    case C.DESCRIPTOR_VENDOR:
    case C.DESCRIPTOR_VENDOR_STD:
      return 'vendor';
    case C.DESCRIPTOR_PUSH:
      return 'push';
    case C.DESCRIPTOR_QUERY:
      return 'query';
    case C.DESCRIPTOR_QUERY_HIT:
      return 'hit';
    default:
      return 'other';
  }
}
