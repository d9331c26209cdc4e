import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { InjectConfig } from '../../config';
import { recommendationsConfig, type RecommendationsConfig } from './recommendations.config';
import { RecommenderError } from './recommendations.errors';

/**
 * The wire format the recommender must answer to
 * `GET <RECOMMENDER_URL>/recommendations/<productId>?limit=<n>`:
 * `200 application/json {"productIds": [12, 7, …]}`: at most 100 product ids
 * (integers ≥ 1), best first. Other fields are ignored (room for the
 * recommender to grow); anything else is a malformed answer.
 */
export const recommenderAnswerSchema = z.object({
  productIds: z.array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)).max(100),
});

/** The recommender's answer, validated. */
export type RecommenderAnswer = z.infer<typeof recommenderAnswerSchema>;

/**
 * The HTTP client of the recommender: one GET, the body read and validated
 * inside the call (so that the policy's timeout covers it and its abort
 * cancels it). Every failure is a {@link RecommenderError}, except the
 * abort itself, which the policy turns into a timeout.
 */
@Injectable()
export class RecommenderClient {
  constructor(@InjectConfig(recommendationsConfig) private readonly config: RecommendationsConfig) {}

  /** Recommended product ids for `productId`, best first. */
  async recommend(productId: number, signal?: AbortSignal): Promise<number[]> {
    const url = `${this.config.url}/recommendations/${productId}?limit=${this.config.limit}`;
    let response: Response;
    try {
      response = await fetch(url, { signal, headers: { accept: 'application/json' } });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new RecommenderError('connection', 'no answer', { cause: error });
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new RecommenderError('status', `HTTP ${response.status}`, { status: response.status });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new RecommenderError('malformed', 'the body is not JSON', { cause: error });
    }
    const parsed = recommenderAnswerSchema.safeParse(body);
    if (!parsed.success) throw new RecommenderError('malformed', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    return parsed.data.productIds;
  }
}
