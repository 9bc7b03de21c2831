/** The JSON the admin API answers with (src/services/*.service.ts serializers). */
export interface Application {
  name: string;
  access_ttl: string;
  access_ttl_max: string;
  refresh_ttl_max: string;
  cors_origins: string[];
  audience: string | null;
  secret_version: number;
  created_at: string;
  updated_at: string;
  secret?: string;
}

export interface ApplicationInput {
  name?: string;
  access_ttl?: string;
  access_ttl_max?: string;
  refresh_ttl_max?: string;
  cors_origins?: string[];
  audience?: string | null;
}

export interface User {
  uid: string;
  app: string;
  username: string;
  role: string;
  groups: string[];
  orgs: string[];
  disabled: boolean;
  created_at: string;
  last_login: string | null;
}

export interface UserInput {
  username?: string;
  password?: string;
  role?: string;
  disabled?: boolean;
  groups?: string[];
  orgs?: string[];
}

/**
 * One live session of a user: a refresh family, from its login to its latest renewal
 * (src/schemas/responses.schema.ts sessionSchema; the unit tests hold the two in step).
 */
export interface UserSession {
  id: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  /** Address of the family's latest login or rotation, as seen through TRUST_PROXY. */
  ip: string | null;
  user_agent: string | null;
}

export interface Named {
  name: string;
}

export interface AdminSession {
  token: string;
  expires_in: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** One entry of the audit log (src/services/audit.service.ts serializeAuditEntry). */
export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  app: string | null;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
}

/** Filters of GET /audit; empty ones are left out. */
export interface AuditFilter {
  app?: string;
  action?: string;
  /** Entries at or after this time; a Date is sent as ISO 8601 (UTC). */
  since?: Date | string;
  limit: number;
  offset: number;
}
