import { bruteForceCases, perIpCases } from '../helpers/brute-force-cases';

// The same rules on Redis, across two instances and through a Redis outage: tests/services/.
describe('brute-force protection (memory store)', () => bruteForceCases({}));
describe('per-IP ceiling (memory store)', () => perIpCases({}));
