import type { WriteRequest } from './write-behind.types';

/** What `WriteState.reserve` decided. */
export type Reservation =
  | {
      readonly kind: 'accepted';
      readonly id: number;
      readonly version: number;
      readonly meta: string;
      /** The job to add (`enqueue`) or the waiting job the write joined (`coalesced`). */
      readonly jobId: string;
      readonly path: 'enqueue' | 'coalesced';
      /** For {@link WriteState.rollback}. */
      readonly undo: { readonly prevRow: string; readonly prevPend: string; readonly unique: string };
      /** Reserved ids left after this write. */
      readonly idsLeft: number;
    }
  /** `aborted`: accepted, then undone because another write of its atomic group was refused. */
  | { readonly kind: 'not-loaded' | 'no-ids' | 'missing' | 'aborted' }
  | { readonly kind: 'stale'; readonly currentVersion: number }
  | { readonly kind: 'duplicate'; readonly ownerId: number };

/** A reservation RESERVE accepted. */
export type AcceptedReservation = Extract<Reservation, { kind: 'accepted' }>;

/** One reply of RESERVE as a {@link Reservation} of `request`. */
export function toReservation(reply: readonly string[], request: WriteRequest): Reservation {
  switch (reply[0]) {
    case 'NOT_LOADED':
      return { kind: 'not-loaded' };
    case 'ABORTED':
      return { kind: 'aborted' };
    case 'NO_IDS':
      return { kind: 'no-ids' };
    case 'MISSING':
      return { kind: 'missing' };
    case 'STALE':
      return { kind: 'stale', currentVersion: Math.abs(Number(reply[1])) };
    case 'DUPLICATE':
      return { kind: 'duplicate', ownerId: Number(reply[1]) };
    default: {
      const [path, id, version, meta, jobId, prevRow, prevPend, idsLeft] = reply as [string, string, string, string, string, string, string, string];
      return {
        kind: 'accepted',
        id: Number(id),
        version: Number(version),
        meta,
        jobId,
        path: path === 'ENQUEUE' ? 'enqueue' : 'coalesced',
        undo: { prevRow, prevPend, unique: request.kind === 'delete' ? '' : request.unique },
        idsLeft: Number(idsLeft),
      };
    }
  }
}
