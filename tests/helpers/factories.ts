import request from 'supertest';
import type { Express } from 'express';
import { admin } from './context';

let counter = 0;
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** A password that meets the policy and is not on the common list. */
export const GOOD_PASSWORD = 'correct-horse-battery-7';

export async function createApplication(app: Express, fields: Record<string, unknown> = {}) {
  const res = await admin(app, 'post', '/applications', { name: uniqueName('app'), ...fields });
  if (res.status !== 201) throw new Error(`createApplication: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { name: string; secret: string; secret_version: number };
}

export async function createUser(app: Express, appName: string, fields: Record<string, unknown> = {}) {
  const body = { username: uniqueName('user'), password: GOOD_PASSWORD, ...fields };
  const res = await admin(app, 'post', `/${appName}/users`, body);
  if (res.status !== 201) throw new Error(`createUser: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...(res.body as { uid: string; username: string }), password: body.password as string };
}

export function login(app: Express, appName: string, username: string, password: string) {
  return request(app).post(`/${appName}/login`).send({ username, password });
}

/** A new application with one user, logged in: its login token and refresh token. */
export async function loggedInUser(app: Express, userFields: Record<string, unknown> = {}) {
  const application = await createApplication(app);
  const user = await createUser(app, application.name, userFields);
  const res = await login(app, application.name, user.username, user.password);
  return {
    app: application,
    user,
    token: res.body.token as string,
    refreshToken: res.body.refresh_token as string,
  };
}
