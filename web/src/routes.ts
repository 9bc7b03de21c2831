/** The console's own paths, below the base /admin/ (no DOM here: the unit tests read this file). */
export type Route =
  | { page: 'apps' }
  | { page: 'setup' }
  | { page: 'orgs' }
  | { page: 'account' }
  | { page: 'audit'; app?: string }
  | { page: 'app'; app: string; tab: 'users' | 'settings' | 'groups' };

const BASE = '/admin';

/** The route of a location; only the audit log reads the query (`?app=`, its application filter). */
export function parseRoute(pathname: string, search = ''): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'orgs') return { page: 'orgs' };
  if (parts[0] === 'account') return { page: 'account' };
  if (parts[0] === 'setup') return { page: 'setup' };
  if (parts[0] === 'audit') {
    const app = new URLSearchParams(search).get('app')?.trim();
    return app ? { page: 'audit', app } : { page: 'audit' };
  }
  if (parts[0] === 'apps' && parts[1]) {
    const tab = parts[2] === 'settings' || parts[2] === 'groups' ? parts[2] : 'users';
    return { page: 'app', app: parts[1], tab };
  }
  return { page: 'apps' };
}

export function routePath(route: Route): string {
  switch (route.page) {
    case 'apps':
      return `${BASE}/`;
    case 'orgs':
      return `${BASE}/orgs`;
    case 'account':
      return `${BASE}/account`;
    case 'setup':
      return `${BASE}/setup`;
    case 'audit':
      return route.app ? `${BASE}/audit?${new URLSearchParams({ app: route.app }).toString()}` : `${BASE}/audit`;
    case 'app':
      return `${BASE}/apps/${encodeURIComponent(route.app)}${route.tab === 'users' ? '' : `/${route.tab}`}`;
  }
}
