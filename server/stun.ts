import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { crc32 } from 'node:zlib';
import { TokenBucket } from './rate-limit.js';

/**
 * A STUN server (RFC 8489) that answers Binding requests and nothing else: enough for browsers to
 * learn their public address (a `srflx` candidate), so that two people on different networks can
 * connect without a third-party STUN service. It runs on UDP at the same port number as the HTTP
 * server. It never relays media; that is TURN's job.
 *
 * An answer is larger than the request it answers: 32 bytes (IPv4) or 44 (IPv6) for the bare
 * 20-byte request browsers send (Chromium's carry no attribute), 8 more with a FINGERPRINT, so
 * 1.4 to 2.2 times the request. It cannot be smaller (the header plus the one address it exists
 * to give), and refusing requests without padding would refuse browsers. What bounds reflection
 * is a budget of answer bytes per source address (per /64 for IPv6, one site's network): a victim
 * whose address is forged receives at most `burstBytes` at once and `bytesPerSecond` after, however
 * much is sent in its name.
 */

const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const XOR_MAPPED_ADDRESS = 0x0020;
const FINGERPRINT = 0x8028;
const FINGERPRINT_XOR = 0x5354554e;
/** A Binding request has no reason to be large; anything bigger is dropped unread. */
const MAX_REQUEST_BYTES = 548;
/** The largest answer: header, XOR-MAPPED-ADDRESS of an IPv6 address (24), FINGERPRINT (8). */
export const MAX_ANSWER_BYTES = 20 + 24 + 8;
/** The smallest: header and XOR-MAPPED-ADDRESS of an IPv4 address (12): what most browsers get. */
const MIN_ANSWER_BYTES = 20 + 12;

export interface StunLimits {
  /** Bytes of answers one source address (IPv6: one /64) may receive at once. */
  burstBytes: number;
  /** Sustained bytes of answers per second to one source address (IPv6: one /64). */
  bytesPerSecond: number;
  /** Source addresses remembered; the least recently seen is forgotten first. */
  maxSources: number;
  /** Sustained bytes of answers per second for the whole process, whatever the sources. */
  totalBytesPerSecond: number;
}

/**
 * A browser sends a few Binding requests per interface while it gathers candidates, plus
 * retransmissions and keep-alives; an office behind one NAT shares an address, so the burst leaves
 * room for a few dozen people joining at once: 60 of the usual 32-byte IPv4 answers at once, 20 a
 * second (43 and 14 of the largest IPv6 ones), and 5,000 of the largest a second in all. A victim
 * whose address is forged receives no more bytes than when the budget counted answers.
 */
export const DEFAULT_STUN_LIMITS: StunLimits = {
  burstBytes: 60 * MIN_ANSWER_BYTES,
  bytesPerSecond: 20 * MIN_ANSWER_BYTES,
  maxSources: 10_000,
  totalBytesPerSecond: 5000 * MAX_ANSWER_BYTES,
};

export interface StunStats {
  answered: number;
  /** Bytes of those answers. */
  answeredBytes: number;
  /** Not a well-formed Binding request (or not STUN at all). */
  malformed: number;
  /** Over a rate limit. */
  throttled: number;
}

export interface BindingRequest {
  transactionId: Buffer;
  /** The request carried a FINGERPRINT, so the answer carries one too. */
  fingerprint: boolean;
}

/**
 * Reads a datagram as a Binding request, or returns null for anything else: wrong type, wrong
 * cookie, a length that does not match, attributes that overrun, a bad FINGERPRINT, or a
 * comprehension-required attribute we do not know (RFC 8489 §7.3.1 allows answering 420 there;
 * dropping it is simpler, and an error answer would be one more thing to reflect).
 */
export function parseBindingRequest(msg: Buffer): BindingRequest | null {
  if (msg.length < HEADER_BYTES || msg.length > MAX_REQUEST_BYTES) return null;
  if (msg.readUInt16BE(0) !== BINDING_REQUEST) return null;
  const length = msg.readUInt16BE(2);
  if (length % 4 !== 0 || HEADER_BYTES + length !== msg.length) return null;
  if (msg.readUInt32BE(4) !== MAGIC_COOKIE) return null;
  let fingerprint = false;
  for (let at = HEADER_BYTES; at < msg.length; ) {
    if (fingerprint) return null; // FINGERPRINT must be the last attribute
    if (at + 4 > msg.length) return null;
    const type = msg.readUInt16BE(at);
    const size = msg.readUInt16BE(at + 2);
    const next = at + 4 + Math.ceil(size / 4) * 4;
    if (next > msg.length) return null;
    if (type === FINGERPRINT) {
      if (size !== 4) return null;
      if (msg.readUInt32BE(at + 4) !== fingerprintOf(msg.subarray(0, at))) return null;
      fingerprint = true;
    } else if (type < 0x8000) {
      // Comprehension-required. A Binding request may carry none we must understand (no
      // MESSAGE-INTEGRITY: this server hands out no credentials, and does not check any).
      return null;
    }
    at = next;
  }
  return { transactionId: Buffer.from(msg.subarray(8, HEADER_BYTES)), fingerprint };
}

/** A Binding success response carrying the requester's address, XOR-ed as RFC 8489 §14.2 says. */
export function bindingSuccess(request: BindingRequest, address: string, port: number): Buffer {
  const ip = addressBytes(address);
  const attribute = 4 + 4 + ip.length;
  const out = Buffer.alloc(HEADER_BYTES + attribute + (request.fingerprint ? 8 : 0));
  out.writeUInt16BE(BINDING_SUCCESS, 0);
  out.writeUInt16BE(out.length - HEADER_BYTES, 2);
  out.writeUInt32BE(MAGIC_COOKIE, 4);
  request.transactionId.copy(out, 8);
  let at = HEADER_BYTES;
  out.writeUInt16BE(XOR_MAPPED_ADDRESS, at);
  out.writeUInt16BE(4 + ip.length, at + 2);
  out.writeUInt8(0, at + 4);
  out.writeUInt8(ip.length === 4 ? 0x01 : 0x02, at + 5);
  out.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), at + 6);
  // The address is XOR-ed with the cookie and, for IPv6, the transaction id that follows it.
  for (let i = 0; i < ip.length; i++) out[at + 8 + i] = ip[i]! ^ out[4 + i]!;
  at += attribute;
  if (request.fingerprint) {
    out.writeUInt16BE(FINGERPRINT, at);
    out.writeUInt16BE(4, at + 2);
    out.writeUInt32BE(fingerprintOf(out.subarray(0, at)), at + 4);
  }
  return out;
}

function fingerprintOf(before: Buffer): number {
  return (crc32(before) ^ FINGERPRINT_XOR) >>> 0;
}

/** 4 bytes for IPv4 (also for an IPv4-mapped IPv6 address, as a dual-stack socket reports it), 16 for IPv6. */
export function addressBytes(address: string): Buffer {
  const plain = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (isIP(plain) === 4 || mapped) return Buffer.from((mapped?.[1] ?? plain).split('.').map(Number));
  if (isIP(plain) !== 6) throw new Error(`not an IP address: ${address}`);
  // An embedded IPv4 tail (::ffff:0:1.2.3.4, 64:ff9b::1.2.3.4) becomes its two hex groups.
  const text = plain.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) =>
    `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`,
  );
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(rest ?? '');
  const middle = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  const words = [...left, ...middle, ...right];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/**
 * The UDP side: one socket, per-source and total budgets of answer bytes, and counters. Malformed
 * or throttled datagrams are dropped without an answer: past its budget, a flood in one address's
 * name gets that address nothing more.
 */
export class StunServer {
  private socket: Socket | null = null;
  private readonly sources = new Map<string, TokenBucket>();
  private readonly total: TokenBucket;
  private readonly counters: StunStats = { answered: 0, answeredBytes: 0, malformed: 0, throttled: 0 };

  constructor(private readonly limits: StunLimits = DEFAULT_STUN_LIMITS) {
    this.total = new TokenBucket(limits.totalBytesPerSecond, limits.totalBytesPerSecond);
  }

  /** Binds UDP `port` on `address` (an IP; `::` also accepts IPv4). */
  listen(port: number, address: string): Promise<void> {
    const socket = createSocket({ type: isIP(address) === 6 ? 'udp6' : 'udp4' });
    socket.on('message', (msg, rinfo) => this.receive(socket, msg, rinfo));
    return new Promise((resolve, reject) => {
      socket.once('error', (err) => {
        socket.close();
        reject(err);
      });
      socket.bind(port, address, () => {
        socket.removeAllListeners('error');
        // An ICMP error for an earlier answer, for instance, must not bring the server down.
        socket.on('error', () => {});
        this.socket = socket;
        resolve();
      });
    });
  }

  /** The UDP port, once bound. */
  get port(): number | null {
    return this.socket ? this.socket.address().port : null;
  }

  stats(): StunStats {
    return { ...this.counters };
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    return new Promise((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  }

  private receive(socket: Socket, msg: Buffer, rinfo: RemoteInfo): void {
    const request = parseBindingRequest(msg);
    if (!request) {
      this.counters.malformed++;
      return;
    }
    let answer: Buffer;
    try {
      answer = bindingSuccess(request, rinfo.address, rinfo.port);
    } catch {
      this.counters.malformed++;
      return;
    }
    if (!this.admit(rinfo.address, answer.length)) {
      this.counters.throttled++;
      return;
    }
    this.counters.answered++;
    this.counters.answeredBytes += answer.length;
    socket.send(answer, rinfo.port, rinfo.address, () => {});
  }

  private admit(address: string, bytes: number): boolean {
    const now = Date.now();
    const source = sourceKey(address);
    let bucket = this.sources.get(source);
    if (bucket) {
      // Most recently seen last: the first key is the one to forget when the map is full.
      this.sources.delete(source);
    } else {
      bucket = new TokenBucket(this.limits.burstBytes, this.limits.bytesPerSecond, now);
      if (this.sources.size >= this.limits.maxSources) this.sources.delete(this.sources.keys().next().value!);
    }
    this.sources.set(source, bucket);
    return bucket.take(bytes, now) && this.total.take(bytes, now);
  }
}

/**
 * Whose budget an answer spends: an IPv4 address, or the /64 of an IPv6 one (a site gets a whole
 * /64, so forging each of its addresses in turn must not multiply what it can be sent).
 */
export function sourceKey(address: string): string {
  const bytes = addressBytes(address);
  return bytes.length === 4 ? bytes.join('.') : `${bytes.subarray(0, 8).toString('hex')}::/64`;
}

/**
 * The STUN URL a browser should use: the host it reached us by (the WebSocket's Host header,
 * without its port, which behind a TLS proxy is the proxy's) and the UDP port we listen on.
 * Returns null for a Host header that is not a plain host name or address.
 */
export function stunUrlFor(hostHeader: string | undefined, udpPort: number): string | null {
  const match = hostHeader && hostHeader.length <= 255 ? /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i.exec(hostHeader) : null;
  return match ? `stun:${match[1]!.toLowerCase()}:${udpPort}` : null;
}
