/** UI strings of one locale. Every locale implements all of them; the compiler checks it. */
export interface Translation {
  $code: string;
  $dir: 'ltr' | 'rtl';

  // Pre-join
  joinTitle: string;
  yourName: string;
  namePlaceholder: string;
  camera: string;
  microphone: string;
  noDevice: string;
  join: string;
  joining: string;
  roomLabel: (room: string) => string;
  /** On the pre-join screen when speech is recognised by the server (`recognition="server"`). */
  speechToServer: string;
  /** The pre-join screen's meter of how loud the microphone hears the visitor. */
  micLevel: string;

  // Controls
  controls: string;
  shareScreen: string;
  handRaised: string;
  raiseHand: string;
  leave: string;

  // Grid and tiles
  participants: (count: number) => string;
  you: (name: string) => string;
  micMuted: string;
  speaking: string;
  screen: (name: string) => string;
  waitingForOthers: string;
  connecting: string;
  reconnecting: string;
  left: string;
  rejoin: string;
  /** The pin toggle on a tile (aria-pressed says whether it is pinned); `label` is the tile's name. */
  pin: (label: string) => string;
  /** The speaker view's large tile (the person speaking, pinned, or a shared screen). */
  mainView: string;

  // Problems
  noCamera: string;
  noMicrophone: string;
  noMedia: string;
  roomFull: string;
  connectionLost: string;
  missingRoom: string;

  // Captions
  captions: string;
  captionLog: string;
  machineTranslated: string;
  machineTranslatedShort: string;
  original: string;
  captionNoTranslator: string;
  captionTranslationUnavailable: string;
  captionTranslationDownloadable: string;
  captionTranslationDownloading: string;
  captionTranslationFailed: string;
  downloadModel: string;
  modelProgress: (from: string, to: string, percent: string) => string;
  /** `names`: everyone without captions, as a list in the UI language ("Boris, Chen and Dana"). */
  noCaptionsFor: (names: string) => string;
  recognitionUnsupported: string;
  recognitionDenied: string;
  recognitionLanguage: (language: string) => string;
  recognitionFailed: string;
  downloadTranscript: string;
  languages: string;
  listenLanguage: string;
  spokenLanguage: string;
  // Interpretation
  interpreter: string;
  interpreters: string;
  interpretingInto: (language: string) => string;
  booth: string;
  onAir: (language: string) => string;
  offAir: string;
  partnerOnAir: (name: string, language: string) => string;
  goOnAir: string;
  takeOver: string;
  swapDirection: string;
  muteChannel: string;
  iHear: string;
  floor: string;
  relayChannel: (language: string) => string;
  humanInterpretation: string;
  floorVolume: string;
  channelLive: (language: string, name: string) => string;
  noChannel: string;
  // Meeting shell: side panel, chat, people, toasts, waiting and removed screens
  people: string;
  chat: string;
  transcript: string;
  sidePanel: string;
  closePanel: string;
  /** The chat button's accessible name, with the unread count when there is one. */
  chatUnread: (count: number) => string;
  roleHost: string;
  roleParticipant: string;
  micOn: string;
  raisedHands: string;
  actionsFor: (name: string) => string;
  askToMute: string;
  removePerson: string;
  makeHost: string;
  makeInterpreter: string;
  makeParticipant: string;
  lowerHand: string;
  waitingToJoin: string;
  admit: string;
  deny: string;
  lockRoom: string;
  chatMessage: string;
  send: string;
  charactersLeft: (count: number) => string;
  showOriginal: string;
  noMessages: string;
  /** On a message of the history a member relayed on arrival: the relaying member could have written it. */
  relayedBy: (name: string) => string;
  chatFrom: (name: string, text: string) => string;
  transcriptFormat: string;
  formatText: string;
  notifications: string;
  dismiss: string;
  personJoined: (name: string) => string;
  personLeft: (name: string) => string;
  muteRequested: (name: string) => string;
  muteMe: string;
  personWaiting: (name: string) => string;
  forbidden: string;
  chatInvalid: string;
  waitingTitle: string;
  waitingBody: string;
  removedMessage: string;
  deniedMessage: string;
  // Agenda (design §8)
  agendaItem: (n: number, count: number) => string;
  minutesLeft: (minutes: number) => string;
  nextQuestion: string;
  /** Under a question shown in another language than the reader's. */
  notTranslated: string;
  // Polls (design §8): the host's control-bar button; the polls' own strings come with their chunk.
  newPoll: string;
  // Ideas (design §8): the control-bar button showing them; their own strings come with their chunk.
  ideas: string;
  // The dialogue report (design §8): the host's control-bar menu and notes per question.
  report: string;
  reportJson: string;
  reportCsv: string;
  reportPage: string;
  endDialogue: string;
  /** Said once a report's files were made (downloaded, or the page opened). */
  reportDone: string;
  /** Said when the dialogue has ended and its final report is ready. */
  reportReady: string;
  notesLabel: string;
  notesSave: string;
  notesSaved: string;
}

export type LocaleCode = 'ar' | 'en' | 'es' | 'fr' | 'ru' | 'zh';

/**
 * The strings the pre-join screen (and its device and connection notices) can show: they come
 * with the element. The others come with the call (src/i18n/call-strings.ts), so the pre-join
 * screen's download does not carry the in-call UI's sentences in six languages.
 */
export type PreJoinKey =
  | '$code'
  | '$dir'
  | 'joinTitle'
  | 'yourName'
  | 'namePlaceholder'
  | 'camera'
  | 'microphone'
  | 'noDevice'
  | 'join'
  | 'joining'
  | 'roomLabel'
  | 'speechToServer'
  | 'micLevel'
  | 'connectionLost'
  | 'missingRoom'
  | 'noCamera'
  | 'noMedia'
  | 'noMicrophone'
  | 'roomFull';
export type PreJoinStrings = Pick<Translation, PreJoinKey>;
export type CallStrings = Omit<Translation, PreJoinKey>;
