import { Injectable } from '@nestjs/common';
import type { DegradationFallback, FallbackContext } from '../../degradation';
import type { {{Thing}}Page } from './{{thing}}.types';

/**
 * What `GET /{{name}}` answers while the `{{name}}` switch is not `on` (an
 * operator's choice, or load shedding: the feature is non-essential): an
 * empty page, with no I/O at all (the response carries `x-degraded: {{name}}`).
 * Make it cheaper than the route, not wrong: a cached answer, a default.
 */
@Injectable()
export class {{Name}}Fallback implements DegradationFallback {
  answer(_context: FallbackContext): {{Thing}}Page {
    return { items: [], nextCursor: null };
  }
}
