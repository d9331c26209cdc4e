// The routes the project declares (read from its controllers' decorators) and the ones a new feature would add.
const PREFIXES = { Controller: '', AdminController: 'admin' };

/** `GET /products/:id` and `GET /products/:productId` are the same route: parameters are compared by position. */
function routeKey(method, path) {
  return `${method} ${path.replace(/:[^/]+/g, ':').replace(/\/+$/, '') || '/'}`;
}

function join(...parts) {
  return `/${parts.filter((p) => p !== '').join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

/** Map of route key to its declaration, for every `@Get()`-style decorator in a controller class of `files`. */
function existingRoutes(files) {
  const routes = new Map();
  for (const { file, text } of files) {
    const controller = /@(Controller|AdminController)\(\s*(?:'([^']*)')?\s*\)/.exec(text);
    if (!controller) continue;
    const prefix = join(PREFIXES[controller[1]], controller[2] ?? '');
    for (const match of text.matchAll(/@(Get|Post|Put|Patch|Delete|All)\(\s*(?:'([^']*)')?\s*\)/g)) {
      const method = match[1].toUpperCase();
      const path = join(prefix, match[2] ?? '');
      routes.set(routeKey(method, path), { method, path, file });
    }
  }
  return routes;
}

/** The routes the generated controller declares. */
function featureRoutes(name, options) {
  const routes = [
    { method: 'GET', path: `/${name}` },
    { method: 'GET', path: `/${name}/:id` },
  ];
  if (options.writeBehind)
    routes.push({ method: 'POST', path: `/${name}` }, { method: 'PUT', path: `/${name}/:id` }, { method: 'DELETE', path: `/${name}/:id` });
  return routes;
}

/** An existing route under `/<name>` (another feature or the kit owns the path), or undefined. */
function prefixOwner(routes, name) {
  for (const route of routes.values()) if (route.path === `/${name}` || route.path.startsWith(`/${name}/`)) return route;
  return undefined;
}

module.exports = { existingRoutes, featureRoutes, prefixOwner, routeKey };
