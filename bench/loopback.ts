// Loopback addresses of their own for the bench's many graphql-ws clients,
// as separate people's clients would have: the server caps WebSocket
// connections per address (WS_MAX_CONNECTIONS_PER_IP, 100 by default), and
// the bench keeps that cap at its default rather than raising it.
import WebSocket from 'ws';

/**
 * The i-th address of a scenario's own block 127.<block>.x.y: 127.<block>.0.1,
 * 127.<block>.0.2, … (Linux routes all of 127/8 to lo). Distinct blocks keep
 * scenarios apart even if an earlier one's sockets are still closing.
 */
export const loopbackAddress = (block: number, i: number) => `127.${block}.${Math.floor(i / 250)}.${1 + (i % 250)}`;

/** graphql-ws takes a WebSocket class: this one binds its socket to `localAddress`. */
export function boundWebSocket(localAddress: string) {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { localAddress });
    }
  };
}
