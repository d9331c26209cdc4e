/** Write-behind to PostgreSQL through BullMQ: what features and other kit folders may use. */
export { DeadLettersService } from './dead-letters.service';
export type { DeadLetter } from './dead-letters.service';
export { writeBehindConfig } from './write-behind.config';
export { getWriteBehindToken } from './write-behind.constants';
export { UnwritableValueError } from './write-behind.errors';
export { InjectWriteBehind, WriteBehindModule } from './write-behind.module';
export { WriteBehindRegistry } from './write-behind.registry';
export { WriteBehind } from './write-behind.service';
export { BATCH_SIZE_BOUNDS } from './write-behind.stats';
export type { WriteBehindSnapshot } from './write-behind.stats';
export type { BulkWriteOutcome, RowState, WriteBehindStore, WriteOp, WriteOutcome, WriteRequest } from './write-behind.types';
export type { PendingOp } from './write-state';
