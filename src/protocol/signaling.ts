import { AgendaError, ITEM_ID, parseAgendaItems, parseAgendaState, TAG, type AgendaItem, type AgendaState } from './agenda.js';
import { MAX_REPORT_FRAME_BYTES, parseNotes, parseReport, parseTitle, type DialogueReport } from './report.js';

/**
 * The signaling protocol between a browser and `un75-signal` (design §6.2, docs/protocol.md):
 * JSON text frames, one message each. The same validators run in the browser and on the server.
 */
import { parseAsrLanguages, parseAsrOffer, type AsrOffer } from './asr.js';
import { parseSfuClientMessage, type SfuClientMessage, type SfuServerMessage } from './sfu.js';
import { IDEA_ID, parseIdea, parseIdeaText, parseIdeaVote, type Idea, type IdeaVote } from './ideas.js';
import { parsePollAnswer, parsePollDefinition, parsePollResult, parsePollView, POLL_ID, type Poll, type PollAnswer, type PollResult, type PollState, type PollView } from './polls.js';

export const ROLES = ['participant', 'interpreter', 'host'] as const;
export type Role = (typeof ROLES)[number];

/** Largest frame either side accepts, in bytes. */
export const MAX_FRAME_BYTES = 64 * 1024;
export const ROOM_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const MAX_NAME_LENGTH = 64;
export const MAX_LANGUAGE_TAG_LENGTH = 35;
export const MAX_ID_LENGTH = 64;
/**
 * Largest message peers send each other (chat, captions, announcements: src/core/session.ts), on a
 * data channel or, in a room on the media server, through the server (`relay`), in characters.
 */
export const MAX_PEER_MESSAGE_BYTES = 16 * 1024;
/** Deepest nesting of a signal's `data` (an SDP or a candidate needs 3; simple-peer's transceiver request 5). */
export const MAX_SIGNAL_DEPTH = 8;

/** What a member publishes about itself; the server relays it, never interprets it. */
export interface PeerState {
  name: string;
  role: Role;
  spokenLanguage: string;
  micEnabled: boolean;
  cameraEnabled: boolean;
  handRaised: boolean;
}

/** A room member as the server describes it. */
export interface PeerInfo extends PeerState {
  id: string;
  /** Server clock (ms) when the hand went up; set by the server only, absent while the hand is down. */
  handRaisedAt?: number;
}

/** Someone waiting to be let into a locked room, as hosts see them. */
export interface WaitingPerson {
  id: string;
  name: string;
}

/** What hosts may do to a member (`lock` applies to the room): design §5.5. */
export const HOST_ACTIONS = ['remove', 'request-mute', 'admit', 'deny', 'lower-hand'] as const;
export type HostAction = (typeof HOST_ACTIONS)[number];

export type StateUpdate = Partial<Omit<PeerState, 'role'>>;

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export type ClientMessage =
  | { type: 'join'; room: string; name: string; token?: string; resume?: string; state?: StateUpdate; role?: Role }
  | { type: 'signal'; to: string; sid: string; data: unknown }
  /**
   * In a room on the media server: a peer message (`data`, the text a data channel would carry) for
   * member `to`, or for everyone else in the room without it. The server stamps the sender.
   */
  | { type: 'relay'; to?: string; data: string }
  | ({ type: 'update' } & StateUpdate)
  | { type: 'leave' }
  | { type: HostAction; id: string }
  | { type: 'lock'; on: boolean }
  | { type: 'set-role'; id: string; role: Role }
  /** A new single-use token for server speech recognition (each `/asr` stream needs its own). */
  | { type: 'asr-token' }
  /** Hosts: replace the room's agenda with `items`, or with a built-in `template` (design §8). */
  | { type: 'agenda-set'; items: AgendaItem[] }
  | { type: 'agenda-set'; template: string }
  /** Hosts: move the room on to its next agenda item. */
  | { type: 'agenda-next' }
  /** Hosts: prepare a poll (not open yet); without an id the server names it. Again with the id of a prepared poll: replaces it. */
  | { type: 'poll-create'; poll: Omit<Poll, 'id'> & { id?: string } }
  /** Hosts: prepare every poll of a built-in template (`un75-survey`), under the template's own ids. */
  | { type: 'poll-create'; template: string }
  /** Hosts: open a prepared poll, or close an open one. */
  | { type: 'poll-open' | 'poll-close'; id: string }
  /** Any member, while the poll is open: one ballot per member, a second replaces the first. */
  | { type: 'poll-vote'; id: string; answer: PollAnswer }
  /** Any member: a new idea (≤ 280 characters), in the member's spoken language (design §8). */
  | { type: 'idea-submit'; text: string }
  /** Any member: agree (1), pass (0) or disagree (-1); a second vote replaces the first. */
  | { type: 'idea-vote'; id: string; vote: IdeaVote }
  /** Hosts: hide an idea from everyone but hosts, or show it again. */
  | { type: 'idea-hide'; id: string; hidden: boolean }
  /** Hosts: merge an idea into another (shown under it), or take it out again (`into: null`). */
  | { type: 'idea-merge'; id: string; into: string | null }
  /** Any member: the language it reads ideas in (its listen language); the server translates them into it too. */
  | { type: 'idea-language'; lang: string }
  /** Hosts: the dialogue's report (an interim one while it goes on); `last`: the room's most recent final report. */
  | { type: 'report-request'; last?: true }
  /** Hosts: the dialogue ends now; its final report goes to every host (`report`). */
  | { type: 'dialogue-end' }
  /** Hosts: the dialogue's title, for its report (1–200 characters). */
  | { type: 'dialogue-title'; title: string }
  /** Hosts: their notes on an agenda question (≤ 4,000 characters; empty removes them). */
  | { type: 'agenda-note'; item: string; text: string }
  /** Interpreters: the language they went on air in (null: off air), for the report's interpretation channels. */
  | { type: 'on-air'; lang: string | null }
  /** Rooms on the media server (design §4.1): publish, answer, candidates, subscriptions (./sfu.ts). */
  | SfuClientMessage;

export type ServerMessage =
  /** `self` is the member as the room sees it: the role and name granted (from the token, else as asked). */
  /**
   * Sent as a socket opens, before any join, by a server with recognisers (`--asr`): the languages
   * it recognises, so that a pre-join screen can say that speech would go to the server.
   */
  | { type: 'hello'; asr?: { languages: string[] } }
  | { type: 'welcome'; id: string; self: PeerInfo; resume: string; peers: PeerInfo[]; iceServers: IceServer[]; locked?: boolean; asr?: AsrOffer; agenda?: AgendaState; polls?: PollView[]; mode?: CallMode }
  /** The answer to `asr-token`: a token for the member's spoken language as it is now. */
  | ({ type: 'asr-token' } & AsrOffer)
  /** The room's agenda changed (set, or moved on to another item). */
  | ({ type: 'agenda' } & AgendaState)
  /** A poll was prepared (to hosts), opened or closed (to everyone). */
  | { type: 'poll'; poll: Poll; state: PollState }
  /** A poll's counts: live polls after ballots (at most twice a second), the others once closed. */
  | { type: 'poll-result'; result: PollResult }
  /** To the voter alone: its ballot for poll `id` is stored (it replaced any earlier one). */
  | { type: 'poll-voted'; id: string }
  /** An idea, new or changed (its text in more languages, its counts, hidden, merged): after the welcome, each visible idea. */
  | { type: 'idea'; idea: Idea }
  /** To members who are not hosts: a host hid this idea. */
  | { type: 'idea-gone'; id: string }
  /** To the sender alone: its idea request is done (`idea-submit`: the new idea's id; `idea-vote`: the vote stored). */
  | { type: 'idea-ok'; id: string; vote?: IdeaVote }
  /** To hosts: the dialogue's report, asked for (`report-request`) or final at its end (`final: true` in it). */
  | { type: 'report'; report: DialogueReport }
  /** To hosts: notes on an agenda question were kept (the answer to `agenda-note`). */
  | { type: 'agenda-note'; item: string; text: string }
  /** The room is locked: a host has to admit us. Nothing of the room is told until then. */
  | { type: 'waiting'; room: string }
  /** To hosts, on every change of who is waiting. */
  | { type: 'waiting-list'; waiting: WaitingPerson[] }
  /** A host let nobody else in (`locked`) or opened the room again. */
  | { type: 'room'; locked: boolean }
  /** A host asks us to mute; the client decides (nothing is forced). */
  | { type: 'mute-requested'; by: string }
  /** A host removed us; the socket closes after this. */
  | { type: 'removed'; by: string }
  /** A host did not let us in (or the wait timed out); the socket closes after this. */
  | { type: 'denied' }
  | { type: 'peer-joined'; peer: PeerInfo }
  | { type: 'peer-left'; id: string }
  | { type: 'signal'; from: string; sid: string; data: unknown }
  /** A peer message a member of a room on the media server sent us (or everyone); `from` set by the server. */
  | { type: 'relay'; from: string; data: string }
  | { type: 'peer-updated'; peer: PeerInfo }
  | { type: 'error'; code: ErrorCode; message: string }
  | SfuServerMessage;

/** How a room's media travels: peer to peer (`mesh`, the default) or through the media server (`sfu`, design §4.1). */
export const CALL_MODES = ['mesh', 'sfu'] as const;
export type CallMode = (typeof CALL_MODES)[number];

export const ERROR_CODES = [
  'bad-json',
  'bad-message',
  'unknown-type',
  'frame-too-large',
  'not-joined',
  'already-joined',
  'unknown-peer',
  'room-full',
  'rate-limited',
  'unauthorized',
  'server-full',
  'shutting-down',
  'server-error',
  'replaced',
  'forbidden',
  /** The room's shared state (Redis) cannot be reached: the action was not applied, try again. */
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A frame that failed validation: `code` goes back to the sender in an `error` frame. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(message: string): never {
  throw new ProtocolError('bad-message', message);
}

function str(obj: Json, key: string, max: number, pattern?: RegExp): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    fail(`"${key}" must be a non-empty string of at most ${max} characters`);
  }
  if (pattern && !pattern.test(value)) fail(`"${key}" is not valid`);
  return value;
}

function optionalStr(obj: Json, key: string, max: number): string | undefined {
  return obj[key] === undefined ? undefined : str(obj, key, max);
}

/**
 * Control characters (newlines included), bidirectional controls, other invisible format characters
 * and white space: they would let a name forge a line of a transcript, reorder the text around it or
 * look like another's.
 */
const UNSAFE_IN_NAME = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\s]+/gu;

/**
 * A display name as everyone shows it: every run of control, bidi, invisible format and white-space
 * characters becomes one space, trimmed; '' when nothing visible is left. It never gets longer. The
 * server cleans every name it hands out; browsers clean what they receive the same way.
 */
export function cleanName(raw: string): string {
  return raw.replace(UNSAFE_IN_NAME, ' ').trim();
}

function name(obj: Json, key: string): string {
  return cleanName(str(obj, key, MAX_NAME_LENGTH)) || fail(`"${key}" is blank`);
}

/** Throws unless `value` nests at most `max` arrays or objects deep. */
function checkDepth(value: unknown, max: number): void {
  if (typeof value !== 'object' || value === null) return;
  if (max <= 0) fail('"data" is nested too deep');
  for (const child of Object.values(value as object)) checkDepth(child, max - 1);
}

/** A BCP 47 language tag, loosely: a primary subtag and optional subtags (`ar`, `zh-Hant-TW`). */
export const LANGUAGE_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

/** Validates the fields of a state update; unknown fields are ignored, not relayed. */
export function parseStateUpdate(obj: Json): StateUpdate {
  const update: StateUpdate = {};
  if (obj.name !== undefined) update.name = name(obj, 'name');
  if (obj.spokenLanguage !== undefined) {
    update.spokenLanguage = str(obj, 'spokenLanguage', MAX_LANGUAGE_TAG_LENGTH, LANGUAGE_TAG);
  }
  for (const key of ['micEnabled', 'cameraEnabled', 'handRaised'] as const) {
    if (obj[key] === undefined) continue;
    if (typeof obj[key] !== 'boolean') fail(`"${key}" is not valid`);
    update[key] = obj[key] as boolean;
  }
  return update;
}

function parseRole(value: unknown): Role | undefined {
  if (value === undefined) return undefined;
  if (!ROLES.includes(value as Role)) fail('"role" is not valid');
  return value as Role;
}

/** Parses one frame from a client. Throws {@link ProtocolError} on anything malformed. */
export function parseClientMessage(frame: string): ClientMessage {
  const msg = parseFrame(frame);
  switch (msg.type) {
    case 'join': {
      const join: ClientMessage = {
        type: 'join',
        room: str(msg, 'room', 64, ROOM_PATTERN),
        name: name(msg, 'name'),
      };
      const token = optionalStr(msg, 'token', 4096);
      const resume = optionalStr(msg, 'resume', 128);
      const role = parseRole(msg.role);
      if (token !== undefined) join.token = token;
      if (resume !== undefined) join.resume = resume;
      if (role !== undefined) join.role = role;
      if (msg.state !== undefined) {
        if (!isObject(msg.state)) fail('"state" must be an object');
        join.state = parseStateUpdate(msg.state);
      }
      return join;
    }
    case 'signal':
      if (msg.data === undefined || msg.data === null) fail('"data" is missing');
      checkDepth(msg.data, MAX_SIGNAL_DEPTH);
      return {
        type: 'signal',
        to: str(msg, 'to', MAX_ID_LENGTH),
        sid: str(msg, 'sid', MAX_ID_LENGTH),
        data: msg.data,
      };
    case 'relay': {
      if (typeof msg.data !== 'string' || msg.data.length === 0) fail('"data" must be a non-empty string');
      if (msg.data.length > MAX_PEER_MESSAGE_BYTES) fail(`"data" is longer than ${MAX_PEER_MESSAGE_BYTES} characters`);
      const to = optionalStr(msg, 'to', MAX_ID_LENGTH);
      return to === undefined ? { type: 'relay', data: msg.data } : { type: 'relay', to, data: msg.data };
    }
    case 'update':
      return { type: 'update', ...parseStateUpdate(msg) };
    case 'leave':
      return { type: 'leave' };
    case 'lock':
      if (typeof msg.on !== 'boolean') fail('"on" is not valid');
      return { type: 'lock', on: msg.on };
    case 'set-role':
      return { type: 'set-role', id: str(msg, 'id', MAX_ID_LENGTH), role: parseRole(msg.role) ?? fail('"role" is missing') };
    case 'asr-token':
      return { type: 'asr-token' };
    case 'agenda-set':
      if (msg.template !== undefined) return { type: 'agenda-set', template: str(msg, 'template', 32, /^[a-z0-9-]+$/) };
      return { type: 'agenda-set', items: agenda(() => parseAgendaItems(msg.items)) };
    case 'agenda-next':
      return { type: 'agenda-next' };
    case 'poll-create':
      if (msg.template !== undefined) return { type: 'poll-create', template: str(msg, 'template', 32, /^[a-z0-9-]+$/) };
      return { type: 'poll-create', poll: agenda(() => parsePollDefinition(msg.poll, false).poll) };
    case 'poll-open':
    case 'poll-close':
      return { type: msg.type, id: str(msg, 'id', MAX_ID_LENGTH, POLL_ID) };
    case 'poll-vote':
      return { type: 'poll-vote', id: str(msg, 'id', MAX_ID_LENGTH, POLL_ID), answer: agenda(() => parsePollAnswer(msg.answer)) };
    case 'idea-submit':
      return { type: 'idea-submit', text: agenda(() => parseIdeaText(msg.text)) };
    case 'idea-vote':
      return { type: 'idea-vote', id: str(msg, 'id', MAX_ID_LENGTH, IDEA_ID), vote: agenda(() => parseIdeaVote(msg.vote)) };
    case 'idea-hide':
      if (typeof msg.hidden !== 'boolean') fail('"hidden" must be true or false');
      return { type: 'idea-hide', id: str(msg, 'id', MAX_ID_LENGTH, IDEA_ID), hidden: msg.hidden };
    case 'idea-merge':
      return { type: 'idea-merge', id: str(msg, 'id', MAX_ID_LENGTH, IDEA_ID), into: msg.into === null ? null : str(msg, 'into', MAX_ID_LENGTH, IDEA_ID) };
    case 'idea-language':
      return { type: 'idea-language', lang: str(msg, 'lang', MAX_LANGUAGE_TAG_LENGTH, TAG) };
    case 'report-request':
      return msg.last === true ? { type: 'report-request', last: true } : { type: 'report-request' };
    case 'dialogue-end':
      return { type: 'dialogue-end' };
    case 'dialogue-title':
      return { type: 'dialogue-title', title: agenda(() => parseTitle(msg.title)) };
    case 'agenda-note':
      return { type: 'agenda-note', item: str(msg, 'item', MAX_ID_LENGTH, ITEM_ID), text: agenda(() => parseNotes(msg.text)) };
    case 'on-air':
      return { type: 'on-air', lang: msg.lang === null ? null : str(msg, 'lang', MAX_LANGUAGE_TAG_LENGTH, LANGUAGE_TAG) };
    case 'sfu-publish':
    case 'sfu-answer':
    case 'sfu-candidate':
    case 'sfu-subscribe':
      return parseSfuClientMessage(msg);
    default:
      if (HOST_ACTIONS.includes(msg.type as HostAction)) return { type: msg.type as HostAction, id: str(msg, 'id', MAX_ID_LENGTH) };
      throw new ProtocolError('unknown-type', `unknown message type "${String(msg.type)}"`);
  }
}

/** Validates a member's description (from the server, or from another process through Redis). */
export function parsePeerInfo(value: unknown): PeerInfo {
  if (!isObject(value)) fail('"peer" is not valid');
  const state = parseStateUpdate(value);
  const raisedAt = value.handRaisedAt;
  const stamp = state.handRaised && typeof raisedAt === 'number' && Number.isFinite(raisedAt) && raisedAt >= 0 ? { handRaisedAt: raisedAt } : {};
  return {
    ...stamp,
    id: str(value, 'id', MAX_ID_LENGTH),
    name: state.name ?? name(value, 'name'),
    role: parseRole(value.role) ?? 'participant',
    spokenLanguage: state.spokenLanguage ?? '',
    micEnabled: state.micEnabled ?? false,
    cameraEnabled: state.cameraEnabled ?? false,
    handRaised: state.handRaised ?? false,
  };
}

/** Parses one frame from the server. Throws {@link ProtocolError} on anything malformed. */
export function parseServerMessage(frame: string): ServerMessage {
  // A report may be larger than other frames (notes on every question, many ideas): the server writes "type" first.
  const msg = parseFrame(frame, frame.startsWith('{"type":"report"') ? MAX_REPORT_FRAME_BYTES : MAX_FRAME_BYTES);
  switch (msg.type) {
    case 'hello': {
      const languages = parseAsrLanguages(msg.asr);
      return { type: 'hello', ...(languages ? { asr: { languages } } : {}) };
    }
    case 'welcome': {
      if (!Array.isArray(msg.peers)) fail('"peers" is not valid');
      const iceServers = Array.isArray(msg.iceServers) ? (msg.iceServers.filter(isObject) as unknown as IceServer[]) : [];
      const self = parsePeerInfo(msg.self);
      const asr = parseAsrOffer(msg.asr);
      return {
        type: 'welcome',
        id: self.id,
        self,
        resume: str(msg, 'resume', 128),
        peers: msg.peers.map(parsePeerInfo),
        iceServers,
        ...(msg.locked === true ? { locked: true } : {}),
        ...(asr ? { asr } : {}),
        ...(msg.agenda !== undefined ? { agenda: agenda(() => parseAgendaState(msg.agenda)) } : {}),
        ...(msg.mode === 'sfu' ? { mode: 'sfu' as const } : {}),
        ...(msg.polls !== undefined ? { polls: agenda(() => (Array.isArray(msg.polls) ? msg.polls.map(parsePollView) : fail('"polls" is not valid'))) } : {}),
      };
    }
    case 'asr-token':
      return { type: 'asr-token', ...(parseAsrOffer(msg) ?? fail('"token" or "languages" is not valid')) };
    case 'agenda':
      return { type: 'agenda', ...agenda(() => parseAgendaState(msg)) };
    case 'poll': {
      const { poll, state } = agenda(() => parsePollView(msg));
      return { type: 'poll', poll, state };
    }
    case 'poll-result':
      return { type: 'poll-result', result: agenda(() => parsePollResult(msg.result)) };
    case 'poll-voted':
      return { type: 'poll-voted', id: str(msg, 'id', MAX_ID_LENGTH, POLL_ID) };
    case 'idea':
      return { type: 'idea', idea: agenda(() => parseIdea(msg.idea)) };
    case 'idea-gone':
      return { type: 'idea-gone', id: str(msg, 'id', MAX_ID_LENGTH, IDEA_ID) };
    case 'idea-ok':
      return { type: 'idea-ok', id: str(msg, 'id', MAX_ID_LENGTH, IDEA_ID), ...(msg.vote !== undefined ? { vote: agenda(() => parseIdeaVote(msg.vote)) } : {}) };
    case 'report':
      return { type: 'report', report: agenda(() => parseReport(msg.report)) };
    case 'agenda-note':
      return { type: 'agenda-note', item: str(msg, 'item', MAX_ID_LENGTH, ITEM_ID), text: agenda(() => parseNotes(msg.text)) };
    case 'waiting':
      return { type: 'waiting', room: str(msg, 'room', 64, ROOM_PATTERN) };
    case 'waiting-list':
      if (!Array.isArray(msg.waiting)) fail('"waiting" is not valid');
      return {
        type: 'waiting-list',
        waiting: msg.waiting.map((w) => {
          if (!isObject(w)) fail('"waiting" is not valid');
          return { id: str(w, 'id', MAX_ID_LENGTH), name: name(w, 'name') };
        }),
      };
    case 'room':
      if (typeof msg.locked !== 'boolean') fail('"locked" is not valid');
      return { type: 'room', locked: msg.locked };
    case 'mute-requested':
    case 'removed':
      return { type: msg.type, by: str(msg, 'by', MAX_ID_LENGTH) };
    case 'denied':
      return { type: 'denied' };
    case 'peer-joined':
    case 'peer-updated':
      return { type: msg.type, peer: parsePeerInfo(msg.peer) };
    case 'peer-left':
      return { type: 'peer-left', id: str(msg, 'id', MAX_ID_LENGTH) };
    case 'signal':
      // The server relays only data it has checked (parseClientMessage).
      return { type: 'signal', from: str(msg, 'from', MAX_ID_LENGTH), sid: str(msg, 'sid', MAX_ID_LENGTH), data: msg.data };
    case 'relay':
      // Its size and shape are the session's to judge, as for a data channel's (budgets count them).
      if (typeof msg.data !== 'string') fail('"data" must be a string');
      return { type: 'relay', from: str(msg, 'from', MAX_ID_LENGTH), data: msg.data };
    case 'sfu-answer':
    case 'sfu-offer':
    case 'sfu-candidate':
      // Checked by the SFU transport with parseSfuServerMessage (./sfu.ts) before it acts on them:
      // that chunk loads only in rooms on the media server, and a mesh page never receives these.
      return msg as unknown as SfuServerMessage;
    case 'error': {
      const code = ERROR_CODES.includes(msg.code as ErrorCode) ? (msg.code as ErrorCode) : 'bad-message';
      return { type: 'error', code, message: typeof msg.message === 'string' ? msg.message : code };
    }
    default:
      throw new ProtocolError('unknown-type', `unknown message type "${String(msg.type)}"`);
  }
}

/** Runs an agenda or poll validator, its complaint becoming a `bad-message`. */
function agenda<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof AgendaError) fail(err.message);
    throw err;
  }
}

function parseFrame(frame: string, limit = MAX_FRAME_BYTES): Json {
  if (frame.length > limit) {
    throw new ProtocolError('frame-too-large', `frames are limited to ${limit} bytes`);
  }
  let msg: unknown;
  try {
    msg = JSON.parse(frame);
  } catch {
    throw new ProtocolError('bad-json', 'the frame is not valid JSON');
  }
  if (!isObject(msg) || typeof msg.type !== 'string') fail('a frame must be a JSON object with a "type"');
  return msg;
}
