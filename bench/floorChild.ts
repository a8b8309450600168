// The guard's floor server (started by floorServer.ts, run as its own
// process like the API server): the least any HTTP server on this machine
// does per request, right now. node:http, the request body read and dropped,
// a fixed small JSON body answered. Loaded with the same autocannon settings
// as the API scenarios, its req/s is the machine's HTTP speed at that moment,
// so a scenario's req/s divided by it cancels how fast or busy the machine is.
import { createServer } from 'node:http';

const BODY = Buffer.from('{"data":{"floor":true}}');
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(BODY.length) };

const server = createServer((request, response) => {
  request.resume();
  request.once('end', () => {
    response.writeHead(200, HEADERS);
    response.end(BODY);
  });
});
// As long as the API server's HTTP_IDLE_TIMEOUT (75 s): autocannon keeps its connections.
server.keepAliveTimeout = 75_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
