import type { ConnectionState } from '../../core/session.js';
import type { Channel } from '../../core/interpretation.js';
import type { Participant } from '../../core/types.js';
import type { Caption } from '../../core/captions.types.js';
import type { ChatEntry } from '../../core/chat.js';
import type { Role, WaitingPerson } from '../../protocol/signaling.js';
import type { AgendaState } from '../../protocol/agenda.js';
import type { Poll, PollAnswer, PollResult, PollState } from '../../protocol/polls.js';
import type { Idea, IdeaVote } from '../../protocol/ideas.js';

export type { ChatEntry, ConnectionState, Participant, Role, WaitingPerson };

export interface Un75JoinedDetail {
  selfId: string;
}
export interface Un75LeftDetail {
  /**
   * `left` (by choice), `removed` (a host removed this person, or the element was taken off the
   * page), `denied` (a host did not let them in), or an error code such as `room-full` or `forbidden`.
   */
  reason: string;
}
export interface Un75ParticipantDetail {
  participant: Participant;
}
export interface Un75ParticipantLeftDetail {
  participant: Participant;
  reason: string;
}
export interface Un75ConnectionStateDetail {
  state: ConnectionState;
}
export interface Un75ErrorDetail {
  /** A signaling error code (docs/protocol.md) or `no-camera`, `no-microphone`, `no-media`, `screen-share-failed`, `unreachable`. */
  code: string;
  message: string;
}
export interface Un75CaptionDetail {
  caption: Caption;
}

export interface Un75ChannelChangeDetail {
  /** The language this person wants to understand. */
  listenLanguage: string;
  /** The interpretation channel they hear now, or null: the floor at full volume (and captions). */
  channel: Channel | null;
}

export interface Un75ChatDetail {
  /** The message as this reader sees it: `text` in their listen language, `original` as written. */
  message: ChatEntry;
}
export interface Un75WaitingChangeDetail {
  /** Who waits to be let in, oldest first. */
  waiting: WaitingPerson[];
}
export interface Un75LockChangeDetail {
  locked: boolean;
}
export interface Un75WaitingRoomDetail {
  room: string;
}
export interface Un75MuteRequestedDetail {
  /** The host's participant id. */
  by: string;
  /** The host's name. */
  name: string;
}
export interface Un75ModeChangeDetail {
  /** How the call's media travels now: `mesh` (peer to peer) or `sfu` (through the media server). */
  mode: 'mesh' | 'sfu';
}
export interface Un75AgendaChangeDetail {
  /** The room's agenda: `items`, the index of the `current` one, and when it started (`startedAt`, server clock, ms). */
  agenda: AgendaState | undefined;
}
/**
 * A poll as this person knows it: its definition (`question` and option labels per language), its
 * state, its latest counts where they may be seen, and this person's own ballot.
 */
export interface Un75PollDetail {
  poll: Poll;
  state: PollState;
  result?: PollResult;
  ballot?: PollAnswer;
}
/**
 * An idea as this person knows it (see `Un75Meeting.ideas`): its text by language (machine
 * translations listed in `machine`), its counts, and this person's own `vote`. `gone`: a host hid it.
 */
export interface Un75IdeaDetail {
  idea: Idea & { vote?: IdeaVote };
  gone?: true;
}
export interface Un75RoleChangeDetail {
  role: Role;
}
