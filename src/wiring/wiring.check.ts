import { Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { type DegradableRoute, DEGRADABLE_ROUTE, FeatureSwitches } from '../degradation';
import { joinPaths } from '../http';
import { USE_RESILIENCE, ResilienceRegistry } from '../resilience';
import { WiringError } from '../lifecycle';
import { routeName, undeclaredSwitchProblems, unregisteredPolicyProblems, type NameUse } from './wiring.problems';

/**
 * Checks, once every provider exists, that each name a route uses was declared: the switch of
 * every `@Degradable()` route, the policy of every `@UseResilience()` route or controller. Throws
 * one {@link WiringError} listing them all. `createApp` calls {@link assert} right after the
 * container is built, before any init hook runs, so a wrong name fails the boot at once rather
 * than after migrations and start-up work (or never: an undeclared switch is silently `on`).
 *
 * What the container itself cannot build (`@InjectPolicy`, `@InjectWriteBehind`, a write-behind
 * store) fails earlier, in Nest; `createApp` turns that error into a `WiringError` too.
 */
@Injectable()
export class WiringCheck {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly switches: FeatureSwitches,
    private readonly policies: ResilienceRegistry,
  ) {}

  assert(): void {
    const switchUses: NameUse[] = [];
    const policyUses: NameUse[] = [];
    for (const { instance, metatype } of this.discovery.getControllers()) {
      if (!instance || !metatype) continue;
      // A controller-wide @UseResilience() is reported once, for the class.
      const classPolicy = this.reflector.get<string | undefined>(USE_RESILIENCE, metatype);
      if (classPolicy !== undefined) policyUses.push({ where: `${metatype.name} (every route)`, name: classPolicy });
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const handlerName of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[handlerName] as (...args: unknown[]) => unknown;
        const where = routeName({
          controller: metatype.name,
          handler: handlerName,
          method: methodOf(this.reflector.get(METHOD_METADATA, handler)),
          path: joinPaths(this.reflector.get(PATH_METADATA, metatype), this.reflector.get(PATH_METADATA, handler)),
        });
        const feature = this.reflector.get<DegradableRoute | undefined>(DEGRADABLE_ROUTE, handler)?.feature;
        if (feature !== undefined) switchUses.push({ where, name: feature });
        const policy = this.reflector.get<string | undefined>(USE_RESILIENCE, handler);
        if (policy !== undefined) policyUses.push({ where, name: policy });
      }
    }
    const problems = [
      ...undeclaredSwitchProblems(
        switchUses,
        this.switches.list().map((s) => s.feature),
      ),
      ...unregisteredPolicyProblems(
        policyUses,
        this.policies.stats().map((p) => p.name),
      ),
    ];
    if (problems.length > 0) throw new WiringError(problems);
  }
}

/** `RequestMethod.GET` → `GET`. */
function methodOf(method: RequestMethod | undefined): string | undefined {
  return method === undefined ? undefined : RequestMethod[method];
}
