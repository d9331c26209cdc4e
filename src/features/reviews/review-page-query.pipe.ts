import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../config';
import { ZodValidationPipe } from '../../http';
import { reviewsConfig, type ReviewsConfig } from './reviews.config';
import { reviewPageQuerySchema } from './review.dto';

/** Validates the query of `GET /products/:id/reviews` against the limits of the feature config. */
@Injectable()
export class ReviewPageQueryPipe extends ZodValidationPipe<ReturnType<typeof reviewPageQuerySchema>> {
  constructor(@InjectConfig(reviewsConfig) config: ReviewsConfig) {
    super(reviewPageQuerySchema(config));
  }
}
