/**
 * `@jawth/client` (also `jawth/client`): a fetch-based client with Quid's client behaviour, for
 * browsers and Node 20. No dependencies beyond the global fetch.
 */
export { JawthClient, type JawthClientOptions, type LoginResult } from './jawth-client.js';
export { JawthClientError, LoginRequiredError, SecondFactorRequiredError } from './errors.js';
