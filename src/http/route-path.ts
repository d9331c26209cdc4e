/** `'products'` + `':id'` → `'/products/:id'`: a route's full path from its controller's and handler's `PATH_METADATA` (the first path when several are given). */
export function joinPaths(...parts: Array<string | string[] | undefined>): string {
  const segments = parts
    .map((part) => (Array.isArray(part) ? part[0] : part) ?? '')
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '');
  return `/${segments.join('/')}`;
}
