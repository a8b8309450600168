// Who is calling, for rate limits and connection caps.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Config } from '../config.js';

/**
 * The client address. Behind one trusted proxy (TRUST_PROXY=true), the last
 * X-Forwarded-For entry is the one that proxy added; earlier entries come
 * from the client and could be forged.
 */
export function clientIp(config: Pick<Config, 'trustProxy'>, req: IncomingMessage): string {
  if (config.trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The key limits count an address under. An IPv6 client usually holds a
 * whole /64 (2^64 addresses), so counting per address would give it unlimited
 * buckets: IPv6 addresses count per /64, IPv4 (also IPv4-mapped) per address.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip.slice(0, 64);
  const parsed = ipaddr.process(ip); // ::ffff:1.2.3.4 -> 1.2.3.4
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(':')}::/64`;
}

/** Without a proxy in front, a connection's key is worked out once (keep-alive sockets carry many requests). */
const keyBySocket = new WeakMap<Socket, string>();

/** The address key of a request's client: what rate limits and connection caps count by. */
export function clientAddressKey(config: Pick<Config, 'trustProxy'>, req: IncomingMessage): string {
  if (config.trustProxy) return addressKey(clientIp(config, req));
  let key = keyBySocket.get(req.socket);
  if (key === undefined) {
    key = addressKey(clientIp(config, req));
    keyBySocket.set(req.socket, key);
  }
  return key;
}
