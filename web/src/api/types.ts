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
