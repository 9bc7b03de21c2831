import { parseRoute, routePath, type Route } from '../../web/src/routes';

describe('console routes', () => {
  it('reads the audit log page, with its application filter from the query', () => {
    expect(parseRoute('/admin/audit')).toEqual({ page: 'audit' });
    expect(parseRoute('/admin/audit', '?app=shop')).toEqual({ page: 'audit', app: 'shop' });
    expect(parseRoute('/admin/audit/', '?app=%20')).toEqual({ page: 'audit' });
    expect(parseRoute('/admin/orgs', '?app=shop')).toEqual({ page: 'orgs' });
  });

  it('reads the home page at the root, with its application from the query, and the applications at apps', () => {
    expect(parseRoute('/admin/')).toEqual({ page: 'home' });
    expect(parseRoute('/admin', '?app=shop')).toEqual({ page: 'home', app: 'shop' });
    expect(parseRoute('/admin/apps')).toEqual({ page: 'apps' });
    expect(parseRoute('/admin/apps/')).toEqual({ page: 'apps' });
    expect(routePath({ page: 'home' })).toBe('/admin/');
    expect(routePath({ page: 'apps' })).toBe('/admin/apps');
  });

  it('reads the first-run setup page (its token is in the fragment, not the path)', () => {
    expect(parseRoute('/admin/setup')).toEqual({ page: 'setup' });
    expect(routePath({ page: 'setup' })).toBe('/admin/setup');
  });

  it('writes paths that read back as the same route', () => {
    const routes: Route[] = [
      { page: 'home' },
      { page: 'home', app: 'shop' },
      { page: 'apps' },
      { page: 'orgs' },
      { page: 'account' },
      { page: 'setup' },
      { page: 'audit' },
      { page: 'audit', app: 'my shop&x' },
      { page: 'app', app: 'shop', tab: 'users' },
      { page: 'app', app: 'shop', tab: 'groups' },
    ];
    for (const route of routes) {
      const [pathname, search = ''] = routePath(route).split('?');
      expect(parseRoute(pathname, search ? `?${search}` : '')).toEqual(route);
    }
    expect(routePath({ page: 'audit', app: 'a&b' })).toBe('/admin/audit?app=a%26b');
  });
});
