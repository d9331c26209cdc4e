import { Body, Controller, Module, Post } from '@nestjs/common';
import { CatalogWritesModule } from '../../src/features/catalog';
import { InjectWriteBehind, type WriteBehind, type WriteOutcome, type WriteRequest } from '../../src/write-behind';

/**
 * A test-only caller of the products write path that skips the catalog's
 * DTO: `POST /test-only/product-writes` hands its JSON body to
 * `WriteBehind.write` as the write request, as a feature that forgot to
 * validate would. It shows the kit's own check of what its write state can carry.
 */
@Controller('test-only/product-writes')
class RawProductWritesController {
  constructor(@InjectWriteBehind('products') private readonly writes: WriteBehind) {}

  @Post()
  write(@Body() request: WriteRequest): Promise<WriteOutcome> {
    return this.writes.write(request);
  }
}

@Module({ imports: [CatalogWritesModule], controllers: [RawProductWritesController] })
export class RawProductWritesModule {}
