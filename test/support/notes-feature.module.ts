import { Body, Controller, Delete, Get, Module, Param, Post, Put } from '@nestjs/common';
import { CacheEvict } from '../../src/cache/cache-evict.decorator';
import { Cached } from '../../src/cache/cached.decorator';
import { ResourceNotFoundError } from '../../src/http/http.errors';

/**
 * A test-only feature that caches through the kit's decorators only:
 * `GET /notes/:id` is `@Cached()` under tag `notes`; the writes evict with
 * `@CacheEvict()` (a key, a tag, or nothing when they throw). Notes live in
 * {@link notes}; {@link loads} counts handler runs of the cached read.
 */
export const notes = new Map<string, string>();
export const loads = { count: 0 };

@Controller('notes')
class NotesController {
  @Get(':id')
  @Cached({ key: 'note:{id}', tags: ['notes'], ttlMs: 60_000 })
  get(@Param('id') id: string): { id: string; text: string } {
    loads.count += 1;
    const text = notes.get(id);
    if (text === undefined) throw new ResourceNotFoundError(`Note ${id} does not exist.`);
    return { id, text };
  }

  /** Stores the text; answers no representation, so the cached one is evicted. */
  @Put(':id')
  @CacheEvict({ keys: ['note:{id}'] })
  put(@Param('id') id: string, @Body() body: { text: string }): { stored: true } {
    notes.set(id, body.text);
    return { stored: true };
  }

  /** Changes the text and then fails: nothing may be evicted. */
  @Put(':id/failing')
  @CacheEvict({ keys: ['note:{id}'] })
  failing(@Param('id') id: string, @Body() body: { text: string }): never {
    notes.set(id, body.text);
    throw new Error('the write failed after changing the store');
  }

  /** Upper-cases every note: every cached note is evicted by tag. */
  @Post('shout')
  @CacheEvict({ tags: ['notes'] })
  shout(): { changed: number } {
    for (const [id, text] of notes) notes.set(id, text.toUpperCase());
    return { changed: notes.size };
  }

  @Delete(':id')
  @CacheEvict({ keys: ['note:{id}'] })
  remove(@Param('id') id: string): { deleted: boolean } {
    return { deleted: notes.delete(id) };
  }
}

@Module({ controllers: [NotesController] })
export class NotesFeatureModule {}
