import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { adminConfig, type AdminConfig } from './admin.config';
import { InjectConfig } from '../config';
import type { AdminAuthFailure } from './admin.errors';

/**
 * Checks admin bearer tokens against ADMIN_TOKEN in constant time: both sides are hashed
 * (SHA-256) first, so `timingSafeEqual` always compares 32 bytes and neither the token's
 * content nor its length leaks through timing. Only the hash of the token is kept.
 */
@Injectable()
export class AdminTokenVerifier {
  private readonly expected?: Buffer;

  constructor(@InjectConfig(adminConfig) config: AdminConfig) {
    this.expected = config.token === undefined ? undefined : sha256(config.token);
  }

  /** False when no token is configured: the admin API is then off (404), not open. */
  get enabled(): boolean {
    return this.expected !== undefined;
  }

  /** Undefined when `authorization` carries the configured bearer token; else why not. */
  check(authorization: string | undefined): AdminAuthFailure | undefined {
    if (authorization === undefined || authorization === '') return 'missing';
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match) return 'malformed';
    if (this.expected === undefined) return 'wrong';
    return timingSafeEqual(sha256(match[1]), this.expected) ? undefined : 'wrong';
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
