// The headless core: a whole meeting without any UI (`import { Meeting } from 'un75-meeting/core'`).
export { Meeting } from './meeting.js';
export type { ChatEntry, Languages, JoinSettings, MeetingError, MeetingErrorCode, MeetingEvents, MeetingOptions, WaitingPerson } from './meeting.js';
export type { ChatService } from './chat.js';
export type { MeetingSession, ConnectionState, RemoteStreams, MeetingPoll, MeetingIdea, NewPoll } from './session.js';
export { rankIdeas, ideaTextFor, MAX_IDEA_LENGTH, type Idea, type IdeaVote } from '../protocol/ideas.js';
export { PollRequestError } from './session.js';
export type { Poll, PollAnswer, PollOption, PollResult, PollState, PollType } from '../protocol/polls.js';
export type { CaptionService } from './captions.js';
export type { Caption, CaptionNote, TranscriptFormat } from './captions.types.js';
export type { Interpretation, Channel, BoothState } from './interpretation.js';
export type { SpeechRecognizer } from './recognition.js';
export type { Translator } from './translation.js';
export type { Participant } from './types.js';
export type { Role } from '../protocol/signaling.js';
export type { ViewSize } from './view-hints.js';
export type { ViewSource } from '../protocol/view.js';
export type { DialogueReport, ReportFormat } from '../protocol/report.js';
export type { ReportCsv } from '../report/format.js';
