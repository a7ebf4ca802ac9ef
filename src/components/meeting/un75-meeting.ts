import { define } from '../define.js';
import { Un75Meeting } from './meeting.js';
import type {
  Un75CaptionDetail,
  Un75ChannelChangeDetail,
  Un75ChatDetail,
  Un75LockChangeDetail,
  Un75MuteRequestedDetail,
  Un75RoleChangeDetail,
  Un75AgendaChangeDetail,
  Un75ModeChangeDetail,
  Un75PollDetail,
  Un75IdeaDetail,
  Un75WaitingChangeDetail,
  Un75WaitingRoomDetail,
  Un75ConnectionStateDetail,
  Un75ErrorDetail,
  Un75JoinedDetail,
  Un75LeftDetail,
  Un75ParticipantDetail,
  Un75ParticipantLeftDetail,
} from './meeting.types.js';

export { Un75Meeting };
define('un75-meeting', Un75Meeting);

declare global {
  interface HTMLElementTagNameMap {
    'un75-meeting': Un75Meeting;
  }
  interface GlobalEventHandlersEventMap {
    'un75-joined': CustomEvent<Un75JoinedDetail>;
    'un75-left': CustomEvent<Un75LeftDetail>;
    'un75-participant-joined': CustomEvent<Un75ParticipantDetail>;
    'un75-participant-left': CustomEvent<Un75ParticipantLeftDetail>;
    'un75-connection-state': CustomEvent<Un75ConnectionStateDetail>;
    'un75-error': CustomEvent<Un75ErrorDetail>;
    'un75-caption': CustomEvent<Un75CaptionDetail>;
    'un75-channel-change': CustomEvent<Un75ChannelChangeDetail>;
    'un75-chat': CustomEvent<Un75ChatDetail>;
    'un75-chat-change': CustomEvent<undefined>;
    'un75-waiting-change': CustomEvent<Un75WaitingChangeDetail>;
    'un75-lock-change': CustomEvent<Un75LockChangeDetail>;
    'un75-waiting-room': CustomEvent<Un75WaitingRoomDetail>;
    'un75-mute-requested': CustomEvent<Un75MuteRequestedDetail>;
    'un75-role-change': CustomEvent<Un75RoleChangeDetail>;
    'un75-agenda-change': CustomEvent<Un75AgendaChangeDetail>;
    'un75-mode-change': CustomEvent<Un75ModeChangeDetail>;
    'un75-poll': CustomEvent<Un75PollDetail>;
    'un75-idea': CustomEvent<Un75IdeaDetail>;
  }
}
