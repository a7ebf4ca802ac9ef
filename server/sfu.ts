// Rooms on the media server (design §4.1): one Janus VideoRoom per un75 room, made and driven by
// this server only. A member publishes one PeerConnection and receives everyone else's feeds on one
// subscriber PeerConnection (Janus 1.x multistream): the server subscribes it to each feed as the
// feed appears, and Janus re-offers without a feed that went away. Browsers see descriptions,
// candidates and which member each m-line carries: never Janus's address, secrets, room, handles
// or feed ids.
//
// What this relies on in Janus 1.1.2's VideoRoom (checked against a real one, test/e2e/sfu.e2e.ts):
// - a feed can be subscribed to only once its publisher's media is up (`webrtcup`): before that the
//   answer is "No such feed";
// - a subscriber handle is re-offered by Janus itself (`updated` with a jsep) when a feed it carries
//   goes away, and a new offer waits (`updating`) while the last one is unanswered: every offer on a
//   subscriber handle, whatever caused it, goes to the browser, which answers them in order;
// - a freed m-line is reused for the next feed, so a `mid` may carry another member after a re-offer
//   (each `sfu-offer` carries the whole mapping);
// - rooms are not tied to the session that made them: they are destroyed here when they empty and
//   when this process closes;
// - handles are logged at Janus's default level ("Creating new handle"), which the e2e test counts.
import { randomInt, randomBytes } from 'node:crypto';
import { ProtocolError, type CallMode, type ServerMessage } from '../src/protocol/signaling.js';
import type { SfuCandidate, SfuClientMessage, SfuPc, SfuStream } from '../src/protocol/sfu.js';
import { JanusClient, JanusError, type HandleEvent, type Jsep } from './janus-client.js';

export interface SfuOptions {
  /** `ws://host:port` of Janus's WebSocket API (private). */
  janus: string;
  apiSecret?: string;
  /** The VideoRoom `admin_key`: rooms can be made only with it. */
  adminKey?: string;
  /**
   * A room is a mesh up to this many members. 0: every room is on the media server from its first
   * member. Moving a mesh room to the SFU as it grows is not built yet: rooms above 0 stay meshes.
   */
  meshMax: number;
  /** How long a request to Janus may take. Default 10 s. */
  timeoutMs?: number;
  /**
   * Sends a frame to a member: the hub keeps it for a member whose socket is away during the resume
   * grace (an offer lost there would leave its subscriber connection waiting). Default: its socket.
   */
  deliver?(member: SfuMemberRef, frame: string): void;
  log(line: string): void;
}

/** Whom an SFU member is, as the gateway needs it: its id, room, and a way to send to its socket. */
export interface SfuMemberRef {
  readonly id: string;
  readonly room: string;
  readonly client: { send(frame: string): void } | null;
}

interface Member {
  readonly ref: SfuMemberRef;
  readonly room: Room;
  /** Its feed id in the VideoRoom: random, never told to anyone. */
  readonly feed: number;
  pub: Promise<number> | null;
  published: boolean;
  sub: number | null;
  /** Feeds it should receive, and those its subscriber handle has (asked for). */
  readonly wanted: Set<number>;
  readonly subscribed: Set<number>;
  /** Subscriber offers sent that the browser has not answered yet. */
  offers: number;
  /** Subscriptions are changed one request at a time. */
  chain: Promise<void>;
  gone: boolean;
}

interface Room {
  readonly name: string;
  /** The VideoRoom's id and secret: kept here only. */
  readonly id: number;
  readonly secret: string;
  created: Promise<void> | null;
  readonly members: Map<string, Member>;
  /** Feed id -> member id. */
  readonly feeds: Map<number, string>;
}

export interface SfuStats {
  rooms: number;
  members: number;
  /** Requests sent to Janus since start. */
  janusRequests: number;
  connected: boolean;
}

const frame = (message: ServerMessage) => JSON.stringify(message);

export class SfuGateway {
  private readonly janus: JanusClient;
  private readonly rooms = new Map<string, Room>();
  /** The handle that makes and destroys rooms. */
  private control: number | null = null;
  private lostReason: string | null = null;

  constructor(private readonly options: SfuOptions) {
    this.janus = new JanusClient({
      url: options.janus,
      ...(options.apiSecret ? { apiSecret: options.apiSecret } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      log: options.log,
    });
    this.janus.onLost((reason) => this.lost(reason));
  }

  /** Connects to Janus; rejects with what to fix when it cannot be reached or refuses the secret. */
  async start(): Promise<void> {
    await this.janus.connect();
    this.control = await this.janus.attach(() => {});
  }

  /**
   * Destroys the VideoRooms this process made (they would outlive it in Janus: rooms are not tied to
   * a session), then closes the session. A Janus that does not answer within 2 s is left as it is.
   */
  async close(): Promise<void> {
    const control = this.control;
    const rooms = [...this.rooms.values()];
    this.rooms.clear();
    if (control !== null && this.janus.connected) {
      const destroyed = Promise.allSettled(
        rooms.map((room) => room.created?.then(() => this.janus.message(control, { request: 'destroy', room: room.id, secret: room.secret, permanent: false }))),
      );
      await Promise.race([destroyed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    }
    this.janus.close();
  }

  stats(): SfuStats {
    let members = 0;
    for (const room of this.rooms.values()) members += room.members.size;
    return { rooms: this.rooms.size, members, janusRequests: this.janus.requests, connected: this.janus.connected };
  }

  /** The mode a welcome announces for `room`. */
  mode(_room: string): CallMode {
    return this.options.meshMax === 0 ? 'sfu' : 'mesh';
  }

  /**
   * One SFU frame of a member (already validated and budgeted by its connection). Throws a
   * ProtocolError for what the member may not do; nothing reaches Janus then.
   */
  handle(ref: SfuMemberRef, msg: SfuClientMessage): Promise<void> | void {
    if (this.mode(ref.room) !== 'sfu') throw new ProtocolError('forbidden', `"${msg.type}": this room is not on the media server`);
    if (!this.janus.connected) throw unavailable(this.lostReason);
    const member = this.member(ref);
    switch (msg.type) {
      case 'sfu-publish':
        if (member.pub) throw new ProtocolError('bad-message', '"sfu-publish": already publishing');
        return this.publish(member, msg.jsep);
      case 'sfu-answer': {
        if (member.sub === null || member.offers === 0) throw new ProtocolError('bad-message', '"sfu-answer": no offer to answer');
        member.offers--;
        const sub = member.sub;
        return this.janus.message(sub, { request: 'start' }, msg.jsep).then(
          () => {},
          (err: unknown) => this.failed(member, 'start', err),
        );
      }
      case 'sfu-candidate':
        return this.trickle(member, msg.pc, msg.candidate);
      case 'sfu-subscribe':
        for (const id of msg.ids) {
          const other = member.room.members.get(id);
          if (!other || id === ref.id) throw new ProtocolError('unknown-peer', `"sfu-subscribe": no member "${id}" on the media server in room "${ref.room}"`);
        }
        for (const id of msg.ids) {
          const other = member.room.members.get(id)!;
          if (other.published) member.wanted.add(other.feed);
        }
        this.sync(member);
        return;
    }
  }

  /** A member left its room for good: its handles are detached (Janus re-offers to the others without its feed). */
  memberLeft(roomName: string, id: string): void {
    const room = this.rooms.get(roomName);
    const member = room?.members.get(id);
    if (!room || !member) return;
    member.gone = true;
    room.members.delete(id);
    room.feeds.delete(member.feed);
    for (const other of room.members.values()) {
      other.wanted.delete(member.feed);
      other.subscribed.delete(member.feed);
    }
    void member.pub?.then((h) => this.janus.detach(h), () => {});
    if (member.sub !== null) void this.janus.detach(member.sub);
    if (room.members.size === 0) {
      this.rooms.delete(roomName);
      const created = room.created;
      if (created && this.control !== null) {
        const control = this.control;
        void created
          .then(() => this.janus.message(control, { request: 'destroy', room: room.id, secret: room.secret, permanent: false }))
          .catch((err: unknown) => this.options.log(`un75-signal: could not destroy the media room of "${roomName}": ${(err as Error).message}`));
      }
    }
  }

  private member(ref: SfuMemberRef): Member {
    let room = this.rooms.get(ref.room);
    if (!room) {
      room = { name: ref.room, id: randomInt(1, 2 ** 47), secret: randomBytes(18).toString('base64url'), created: null, members: new Map(), feeds: new Map() };
      this.rooms.set(ref.room, room);
    }
    let member = room.members.get(ref.id);
    if (!member) {
      let feed: number;
      do feed = randomInt(1, 2 ** 47);
      while (room.feeds.has(feed));
      member = { ref, room, feed, pub: null, published: false, sub: null, wanted: new Set(), subscribed: new Set(), offers: 0, chain: Promise.resolve(), gone: false };
      room.members.set(ref.id, member);
      room.feeds.set(feed, ref.id);
    }
    return member;
  }

  private ensureRoom(room: Room): Promise<void> {
    room.created ??= this.janus
      .message(this.control!, {
        request: 'create',
        room: room.id,
        secret: room.secret,
        ...(this.options.adminKey ? { admin_key: this.options.adminKey } : {}),
        is_private: true,
        permanent: false,
        publishers: 100,
        audiocodec: 'opus',
        videocodec: 'vp8',
        notify_joining: false,
      })
      .then(() => {});
    return room.created;
  }

  private async publish(member: Member, jsep: Jsep): Promise<void> {
    const pub = (async () => {
      await this.ensureRoom(member.room);
      const handle = await this.janus.attach((event) => this.onPublisherEvent(member, event));
      if (member.gone) {
        void this.janus.detach(handle);
        throw new ProtocolError('not-joined', 'left the room');
      }
      return handle;
    })();
    member.pub = pub;
    try {
      const handle = await pub;
      await this.janus.message(handle, { request: 'joinandconfigure', ptype: 'publisher', room: member.room.id, id: member.feed }, jsep);
    } catch (err) {
      member.pub = null;
      pub.catch(() => {});
      return this.failed(member, 'publish', err);
    }
    if (member.gone) return;
    // The newcomer receives everyone already publishing; the others receive its feed once its media
    // is up (`webrtcup`): before that the VideoRoom answers a subscription with "No such feed".
    for (const other of member.room.members.values()) if (other !== member && other.published) member.wanted.add(other.feed);
    this.sync(member);
  }

  /** The member's media reached Janus: everyone else in the room receives its feed. */
  private published(member: Member): void {
    if (member.published || member.gone) return;
    member.published = true;
    for (const other of member.room.members.values()) {
      if (other === member) continue;
      other.wanted.add(member.feed);
      this.sync(other);
    }
  }

  private async trickle(member: Member, pc: SfuPc, candidate: SfuCandidate | null): Promise<void> {
    const handle = pc === 'pub' ? await member.pub?.catch(() => null) : member.sub;
    if (handle === null || handle === undefined) throw new ProtocolError('bad-message', `"sfu-candidate": no ${pc === 'pub' ? 'publisher' : 'subscriber'} connection yet`);
    await this.janus.trickle(handle, candidate).catch((err: unknown) => this.failed(member, 'trickle', err));
  }

  /** Brings the member's subscription to what it should receive, one Janus request at a time. */
  private sync(member: Member): void {
    member.chain = member.chain.then(async () => {
      if (member.gone || !this.janus.connected) return;
      const add = [...member.wanted].filter((feed) => !member.subscribed.has(feed) && member.room.feeds.has(feed));
      if (!add.length) return;
      for (const feed of add) member.subscribed.add(feed);
      const streams = add.map((feed) => ({ feed }));
      try {
        if (member.sub === null) {
          const handle = await this.janus.attach((event) => this.onSubscriberEvent(member, event));
          if (member.gone) {
            void this.janus.detach(handle);
            return;
          }
          member.sub = handle;
          await this.janus.message(handle, { request: 'join', ptype: 'subscriber', room: member.room.id, streams });
        } else {
          await this.janus.message(member.sub, { request: 'subscribe', streams });
        }
      } catch (err) {
        for (const feed of add) member.subscribed.delete(feed);
        // A feed that left meanwhile is not an error worth telling.
        if (!member.gone && add.some((feed) => member.room.feeds.has(feed))) this.tell(member, 'subscribe', err);
      }
    });
  }

  /** `failed` for work no frame of the member's waits on: the error goes to it as a frame. */
  private tell(member: Member, what: string, err: unknown): void {
    try {
      this.failed(member, what, err);
    } catch (e) {
      const { code, message } = e as ProtocolError;
      this.send(member, { type: 'error', code, message });
    }
  }

  private onPublisherEvent(member: Member, event: HandleEvent): void {
    if (member.gone) return;
    if (event.kind === 'plugin' && event.jsep?.type === 'answer') this.send(member, { type: 'sfu-answer', jsep: event.jsep });
    else if (event.kind === 'state' && event.what === 'webrtcup') this.published(member);
    else if (event.kind === 'trickle') this.send(member, { type: 'sfu-candidate', pc: 'pub', candidate: event.candidate });
  }

  private onSubscriberEvent(member: Member, event: HandleEvent): void {
    if (member.gone) return;
    if (event.kind === 'trickle') {
      this.send(member, { type: 'sfu-candidate', pc: 'sub', candidate: event.candidate });
      return;
    }
    if (event.kind !== 'plugin' || event.jsep?.type !== 'offer') return;
    member.offers++;
    this.send(member, { type: 'sfu-offer', jsep: event.jsep, streams: this.streamsOf(member, event.data.streams) });
  }

  /** Janus's stream summary as the browser may know it: live audio and video m-lines and whose they are. */
  private streamsOf(member: Member, summary: unknown): SfuStream[] {
    if (!Array.isArray(summary)) return [];
    const streams: SfuStream[] = [];
    for (const s of summary as Record<string, unknown>[]) {
      if (typeof s !== 'object' || s === null || s.active === false) continue;
      if ((s.type !== 'audio' && s.type !== 'video') || typeof s.mid !== 'string' || typeof s.feed_id !== 'number') continue;
      const id = member.room.feeds.get(s.feed_id);
      if (id) streams.push({ mid: s.mid, id, kind: s.type });
    }
    return streams;
  }

  private send(member: Member, message: ServerMessage): void {
    const out = frame(message);
    if (this.options.deliver) this.options.deliver(member.ref, out);
    else member.ref.client?.send(out);
  }

  /** A Janus request for this member failed: the member is told in words, the log gets the details. */
  private failed(member: Member, what: string, err: unknown): void {
    if (err instanceof ProtocolError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    this.options.log(`un75-signal: media server: ${what} for a member of "${member.room.name}" failed: ${message}`);
    if (!this.janus.connected) throw unavailable(this.lostReason);
    throw new ProtocolError('unavailable', `the media server could not ${what === 'start' ? 'start receiving' : what}${err instanceof JanusError && err.code ? ` (Janus error ${err.code})` : ''}`);
  }

  private lost(reason: string): void {
    this.lostReason = reason;
    this.options.log(`un75-signal: lost the media server (Janus): ${reason}`);
    for (const room of this.rooms.values()) {
      for (const member of room.members.values()) this.send(member, { type: 'error', code: 'unavailable', message: 'the media server was lost: audio and video through it have stopped' });
    }
    this.rooms.clear();
  }
}

function unavailable(reason: string | null): ProtocolError {
  return new ProtocolError('unavailable', reason ? 'the media server was lost and is not back: audio and video through it are unavailable' : 'the media server cannot be reached');
}
