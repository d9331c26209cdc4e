import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Header that carries the request id in and out. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What an incoming id may look like: short, printable, no spaces (it goes into logs). */
const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's `genReqId`: honours a well-formed incoming `x-request-id` (so a
 * gateway's id follows the request through the logs), else makes a UUID.
 */
export function requestIdFrom(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID();
}
