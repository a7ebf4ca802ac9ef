// The CDN entry: registers every element and exports the public classes and types.
export { Un75Meeting } from './components/meeting/un75-meeting.js';
export { Un75Lobby } from './components/lobby/un75-lobby.js';
export { Un75VideoGrid } from './components/video-grid/un75-video-grid.js';
export { Un75ParticipantTile } from './components/participant-tile/un75-participant-tile.js';
export { Un75Controls } from './components/controls/un75-controls.js';
export { Un75Captions, type Un75TranscriptDetail } from './components/captions/un75-captions.js';
export { Un75SidePanel, type PanelTab, type Un75PanelTabDetail } from './components/side-panel/un75-side-panel.js';
export { Un75Toasts } from './components/toasts/un75-toasts.js';
export { Un75Polls } from './components/polls/un75-polls.js';
export { Un75Report } from './components/report/un75-report.js';
export { Un75Outcomes, type OutcomesData, type Cell } from './components/outcomes/un75-outcomes.js';
export { Un75LanguagePicker, type Un75LanguageChangeDetail } from './components/language-picker/un75-language-picker.js';
export type * from './components/meeting/meeting.types.js';
export type { LobbyJoinDetail } from './components/lobby/lobby.js';
export { MeetingSession, type SessionOptions, type RemoteStreams } from './core/session.js';
export type { Participant, PeerMessage, PeerMessaging, LinkState } from './core/types.js';
export { CaptionService, type CaptionServiceOptions, type CaptionServiceEventMap } from './core/captions.js';
export type { Caption, CaptionNote, RecognitionState, TranscriptFormat } from './core/captions.types.js';
export { WebSpeechRecognizer, RecognitionError, type SpeechRecognizer, type RecognizerStartOptions, type RecognitionResult } from './core/recognition.js';
export {
  BrowserTranslator,
  LibreTranslateTranslator,
  CachedTranslator,
  TranslationError,
  type Translator,
  type TranslationAvailability,
} from './core/translation.js';
export type { Role, PeerInfo } from './protocol/signaling.js';
export type { DialogueReport, ReportFormat } from './protocol/report.js';
export type { ReportCsv } from './report/format.js';
