/** The console's own paths, below the base /admin/ (no DOM here: the unit tests read this file). */
export type Route =
  | { page: 'home'; app?: string }
  | { page: 'apps' }
  | { page: 'setup' }
  | { page: 'orgs' }
  | { page: 'account' }
  | { page: 'audit'; app?: string }
  | { page: 'app'; app: string; tab: 'users' | 'settings' | 'groups' };

const BASE = '/admin';

/** The route of a location; the home page and the audit log read the query (`?app=`, their application filter). */
export function parseRoute(pathname: string, search = ''): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'orgs') return { page: 'orgs' };
  if (parts[0] === 'account') return { page: 'account' };
  if (parts[0] === 'setup') return { page: 'setup' };
  const app = new URLSearchParams(search).get('app')?.trim();
  if (parts[0] === 'audit') return app ? { page: 'audit', app } : { page: 'audit' };
  if (parts[0] === 'apps' && parts[1]) {
    const tab = parts[2] === 'settings' || parts[2] === 'groups' ? parts[2] : 'users';
    return { page: 'app', app: parts[1], tab };
  }
  if (parts[0] === 'apps') return { page: 'apps' };
  return app ? { page: 'home', app } : { page: 'home' };
}

const withApp = (path: string, app: string | undefined) =>
  app ? `${path}?${new URLSearchParams({ app }).toString()}` : path;

export function routePath(route: Route): string {
  switch (route.page) {
    case 'home':
      return withApp(`${BASE}/`, route.app);
    case 'apps':
      return `${BASE}/apps`;
    case 'orgs':
      return `${BASE}/orgs`;
    case 'account':
      return `${BASE}/account`;
    case 'setup':
      return `${BASE}/setup`;
    case 'audit':
      return withApp(`${BASE}/audit`, route.app);
    case 'app':
      return `${BASE}/apps/${encodeURIComponent(route.app)}${route.tab === 'users' ? '' : `/${route.tab}`}`;
  }
}
