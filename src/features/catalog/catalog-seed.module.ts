import { Module } from '@nestjs/common';
import { CatalogSeeder } from './catalog.seeder';

/** The demo seed, in every role: the write path loads row states after it (see `ProductWriteRepository.whenReady`). */
@Module({ providers: [CatalogSeeder], exports: [CatalogSeeder] })
export class CatalogSeedModule {}
