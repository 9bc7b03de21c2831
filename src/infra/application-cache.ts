import type { Application, ApplicationRepository } from '../db/application.repository';
import type { Clock } from './clock';

/**
 * Applications by name for the token hot path, so that issuing a token does not re-read its
 * application. Changes made through this process invalidate the entry at once; changes made by
 * another instance are seen within TTL_MS. Revocation never waits on this cache: it lives in the
 * sessions table, which is read on every refresh. One per database (see Deps); its entries age by
 * the clock it is given, so that a test sees one expire.
 */
const TTL_MS = 5_000;
const LIMIT = 10_000;

export class ApplicationCache {
  private readonly entries = new Map<string, { app: Application | null; expires: number }>();
  private everyOrigin: { origins: Set<string>; expires: number } | undefined;

  constructor(
    private readonly applications: ApplicationRepository,
    private readonly clock: Clock,
  ) {}

  async find(name: string): Promise<Application | null> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(name);
    if (hit && hit.expires > now) return hit.app;
    const app = await this.applications.findByName(name);
    if (this.entries.size >= LIMIT) this.entries.clear();
    this.entries.set(name, { app, expires: now + TTL_MS });
    return app;
  }

  /**
   * The CORS origins of every application, for `/token/*`, whose application is named only in the
   * body (a preflight carries none). Cached like the applications, so that a browser's token
   * requests do not read the whole applications table each time.
   */
  async originsOfAll(): Promise<Set<string>> {
    const now = this.clock.now().getTime();
    if (this.everyOrigin && this.everyOrigin.expires > now) return this.everyOrigin.origins;
    const apps = await this.applications.all();
    const origins = new Set(apps.flatMap((app) => app.corsOrigins));
    this.everyOrigin = { origins, expires: now + TTL_MS };
    return origins;
  }

  forget(...names: string[]): void {
    for (const name of names) this.entries.delete(name);
    this.everyOrigin = undefined;
  }
}
