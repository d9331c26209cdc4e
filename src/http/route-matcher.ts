/** Matches a request path against one route; the route's params when it matches, else undefined. */
export type RouteMatcher = (path: string) => Record<string, string> | undefined;

/** Fastify's default `maxParamLength`: a longer parameter is not routed (404), so it is not matched here either. */
const MAX_PARAM_LENGTH = 100;

/**
 * Compiles a Fastify URL pattern made of static segments and `:name`
 * parameters (`/products/:id`) into a matcher that agrees with Fastify's
 * router on the paths it accepts: case-sensitive, no trailing or doubled
 * slash, no empty parameter. A path whose parameter holds a percent-escape
 * is not matched (Fastify would decode it; the request goes the full way).
 * Returns undefined for patterns it does not understand (wildcards, regex
 * or optional parameters, `::` escapes): those routes are not fast-pathed.
 */
export function compileRoutePattern(pattern: string): RouteMatcher | undefined {
  const segments = pattern.split('/').slice(1);
  const names: string[] = [];
  let source = '^';
  for (const segment of segments) {
    if (segment.startsWith(':')) {
      const name = segment.slice(1);
      if (!/^\w+$/.test(name)) return undefined;
      names.push(name);
      source += `/([^/%]{1,${MAX_PARAM_LENGTH}})`;
    } else {
      if (!/^[\w.~-]*$/.test(segment)) return undefined;
      source += `/${segment.replace(/\./g, '\\.')}`;
    }
  }
  const regex = new RegExp(`${source}$`);
  return (path) => {
    const found = regex.exec(path);
    if (found === null) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) params[names[i]] = found[i + 1]!;
    return params;
  };
}
