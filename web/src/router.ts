import { useEffect, useState } from 'react';

/** The console's own paths, below the base /admin/. */
export type Route =
  { page: 'apps' } | { page: 'orgs' } | { page: 'app'; app: string; tab: 'users' | 'settings' | 'groups' };

const BASE = '/admin';

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'orgs') return { page: 'orgs' };
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
    case 'app':
      return `${BASE}/apps/${encodeURIComponent(route.app)}${route.tab === 'users' ? '' : `/${route.tab}`}`;
  }
}

export function navigate(route: Route): void {
  window.history.pushState(null, '', routePath(route));
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return route;
}
