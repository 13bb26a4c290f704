import type { Express } from 'express';

export interface RouteEntry {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route the app serves, read from express's own router stack (express 5: `app.router.stack`), so a new
 * route is covered by the route-walking tests without anyone listing it. The gateway mounts its routers at
 * the root, so a route's path is its full path.
 */
export function routeTable(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: layer.route.path });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

/** `/v1/requests/:id` → `/v1/requests/{id}` (OpenAPI's spelling). */
export const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
