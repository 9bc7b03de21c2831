import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema, parseConfig } from '../../src/config/config';
import { loadConfigSources } from '../../src/config/sources';

const CONFIG_DIR = path.resolve(__dirname, '../../config');
const EXAMPLE = path.join(CONFIG_DIR, 'jawth.example.json');

/** The example as the server reads it: named by JAWTH_CONFIG, from a folder without a .env. */
function loadExample() {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-config-example-'));
  try {
    return loadConfigSources({ JAWTH_CONFIG: EXAMPLE }, cwd);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

describe('config/jawth.example.json', () => {
  it('holds exactly the keys of the configuration schema, none misspelt and none missing', () => {
    const keys = Object.keys(JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as object).sort();
    expect(keys).toEqual(Object.keys(configSchema.shape).sort());
  });

  it('is read through JAWTH_CONFIG and passes the schema, every value coming from the file', () => {
    const { values, origin } = loadExample();
    for (const key of Object.keys(configSchema.shape)) expect(origin[key]).toBe(EXAMPLE);
    const config = parseConfig(values);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 5000, bodyLimit: 16 * 1024, trustProxy: 'loopback' });
  });

  it('leaves SECRET_KEY and JAWTH_KEY as placeholders nobody can mistake for keys', () => {
    const { values } = loadExample();
    expect(values.SECRET_KEY).toMatch(/^REPLACE-ME/);
    expect(values.JAWTH_KEY).toMatch(/^REPLACE-ME/);
  });
});

describe('config/nginx.conf and config/jawth.service', () => {
  it('nginx allows the bodies BODY_LIMIT allows, and proxies to HOST:PORT', () => {
    const config = parseConfig(loadExample().values);
    const nginx = fs.readFileSync(path.join(CONFIG_DIR, 'nginx.conf'), 'utf8');
    const size = /client_max_body_size\s+(\d+)k;/.exec(nginx);
    expect(Number(size?.[1]) * 1024).toBe(config.bodyLimit);
    expect(nginx).toContain(`server ${config.host}:${config.port};`);
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For /);
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-Proto /);
  });

  it('the systemd unit runs dist/server.js with the example as JAWTH_CONFIG', () => {
    const unit = fs.readFileSync(path.join(CONFIG_DIR, 'jawth.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\S*node dist\/server\.js$/m);
    expect(unit).toMatch(/^Environment=JAWTH_CONFIG=\/etc\/jawth\/jawth\.json$/m);
    expect(unit).toMatch(/^Environment=WORKERS=\d+$/m);
    expect(unit).toMatch(/^EnvironmentFile=/m);
    for (const option of ['NoNewPrivileges=true', 'ProtectSystem=strict', 'PrivateTmp=true', 'ReadWritePaths=']) {
      expect(unit).toContain(option);
    }
  });
});
