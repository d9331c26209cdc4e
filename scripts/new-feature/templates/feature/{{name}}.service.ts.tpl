import { Injectable } from '@nestjs/common';
import { CacheService } from '../../cache';
// #if writeBehind
import { InjectWriteBehind, type PendingOp, type WriteBehind, type WriteOutcome } from '../../write-behind';
import { {{NAME}}_ENTITY } from './{{name}}.constants';
// #endif
import { {{Thing}}NotFoundError } from './{{name}}.errors';
// #if jobs
import { {{Name}}Publisher } from './{{name}}.publisher';
// #endif
// #if writeBehind
import { {{THING}}_CACHE, {{THING}}_PAGE_CACHE, {{THING}}_PAGES_TAG, {{thingCamel}}Key, {{thingCamel}}PageKey } from './{{thing}}.cache';
// #else
import { {{THING}}_PAGE_CACHE, {{thingCamel}}PageKey } from './{{thing}}.cache';
// #endif
import { encode{{Thing}}Cursor } from './{{thing}}.dto';
import { {{Thing}}Repository } from './{{thing}}.repository';
// #if writeBehind
import type { {{Thing}}, {{Thing}}Input, {{Thing}}Page, {{Thing}}State } from './{{thing}}.types';
// #else
import type { {{Thing}}, {{Thing}}Page } from './{{thing}}.types';
// #endif

/**
 * The rules of {{name}}: lookups (cached by `@Cached()` on the route),
 * pages (cached here, tagged).
// #if writeBehind
 * Writes go through the write-behind kit: queued in Redis and answered at
 * once, landed in PostgreSQL by a worker moments later; a lookup that
 * misses the cache sees writes not yet flushed (the pending state in Redis
 * wins over PostgreSQL). Each write updates the cached {{thing}} and drops
 * the cached pages (again once it has landed: see `{{Thing}}WriteRepository.flush`).
// #endif
 */
@Injectable()
export class {{Name}}Service {
  constructor(
    private readonly repository: {{Thing}}Repository,
    private readonly cache: CacheService,
// #if writeBehind
    @InjectWriteBehind({{NAME}}_ENTITY) private readonly writes: WriteBehind<{{Thing}}State>,
// #endif
// #if jobs
    private readonly jobs: {{Name}}Publisher,
// #endif
  ) {}

  /** One {{thing}}; `GET /{{name}}/:id` caches it through `@Cached()`. */
  async get(id: number): Promise<{{Thing}}> {
// #if writeBehind
    const op = (await this.writes.pending([id])).get(id);
    const found = op ? fromPending(op) : await this.repository.findById(id);
// #else
    const found = await this.repository.findById(id);
// #endif
    if (!found) throw new {{Thing}}NotFoundError(id);
    return found;
  }

  /** A page in id order, cached per (cursor, limit) under the pages tag. */
  async page(afterId: number, limit: number): Promise<{{Thing}}Page> {
    const page = await this.cache.getOrLoad(
      {{thingCamel}}PageKey(afterId, limit),
      async () => {
        // One extra row tells whether another page follows without a COUNT.
        const rows = await this.repository.findPage(afterId, limit + 1);
        const items = rows.slice(0, limit);
        return { items, nextCursor: rows.length > limit ? encode{{Thing}}Cursor(items[items.length - 1].id) : null };
      },
      {{THING}}_PAGE_CACHE,
    );
    return page ?? { items: [], nextCursor: null };
  }
// #if writeBehind

  async create(input: {{Thing}}Input): Promise<{{Thing}}> {
    const now = new Date().toISOString();
    const state: {{Thing}}State = { ...input, updatedAt: now };
    const created = accepted(0, await this.writes.write({ kind: 'create', unique: '', meta: now, state }), state);
    await this.written(created);
    return created;
  }

  async replace(id: number, input: {{Thing}}Input): Promise<{{Thing}}> {
    const state: {{Thing}}State = { ...input, updatedAt: new Date().toISOString() };
    const replaced = accepted(id, await this.writes.write({ kind: 'update', id, unique: '', state }), state);
    await this.written(replaced);
    return replaced;
  }

  async delete(id: number): Promise<void> {
    accepted(id, await this.writes.write({ kind: 'delete', id }), undefined);
    await this.cache.delete({{thingCamel}}Key(id));
    await this.cache.deleteByTag({{THING}}_PAGES_TAG);
  }

  /** After an accepted write: the next read of it is a hit (on every pod), the pages are dropped. */
  private async written(item: {{Thing}}): Promise<void> {
    await this.cache.set({{thingCamel}}Key(item.id), item, {{THING}}_CACHE);
    await this.cache.deleteByTag({{THING}}_PAGES_TAG);
// #if jobs
    await this.jobs.publish({ id: item.id, version: item.version });
// #endif
  }
// #endif
}
// #if writeBehind

/** The {{thing}} a pending write makes, or undefined for a pending delete. */
function fromPending(op: PendingOp): {{Thing}} | undefined {
  return op.kind === 'upsert' ? to{{Thing}}(op.id, op.version, op.meta, op.state as {{Thing}}State) : undefined;
}

/** The {{thing}} a write produced, or the error that says why there is none. */
function accepted(id: number, outcome: WriteOutcome, state: {{Thing}}State | undefined): {{Thing}} {
  switch (outcome.kind) {
    case 'accepted':
      return state ? to{{Thing}}(outcome.id, outcome.version, outcome.meta, state) : ({ id: outcome.id } as {{Thing}});
    case 'missing':
      throw new {{Thing}}NotFoundError(id);
    case 'stale':
    case 'duplicate':
      // Unconditional writes with no unique field: neither can happen (add a precondition or a unique field, and an error for it).
      throw new Error(`unexpected write outcome ${outcome.kind} for {{thing}} ${id}`);
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown write outcome ${JSON.stringify(unknown)}`);
    }
  }
}

function to{{Thing}}(id: number, version: number, createdAt: string, state: {{Thing}}State): {{Thing}} {
  return { id, name: state.name, version, createdAt, updatedAt: state.updatedAt };
}
// #endif
