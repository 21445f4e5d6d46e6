/** The HTTP server: REST API, web page, worker pool. */
export { startServer, type ServeOptions, type RunningServer } from './server.js';
export { openApiDocument } from './openapi.js';
