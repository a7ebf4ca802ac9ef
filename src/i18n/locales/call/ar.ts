import type { CallStrings } from '../../types.js';

const plural = (n: number) => {
  switch (new Intl.PluralRules('ar').select(n)) {
    case 'zero':
      return 'لا مشاركين';
    case 'one':
      return 'مشارك واحد';
    case 'two':
      return 'مشاركان';
    case 'few':
      return `${n} مشاركين`;
    default:
      return `${n} مشاركًا`;
  }
};

export const ar: CallStrings = {
  controls: 'عناصر التحكم في المكالمة',
  shareScreen: 'مشاركة الشاشة',
  handRaised: 'اليد مرفوعة',
  raiseHand: 'رفع اليد',
  leave: 'مغادرة',
  participants: plural,
  you: (name) => `${name} (أنت)`,
  micMuted: 'الميكروفون مكتوم',
  speaking: 'يتحدث',
  screen: (name) => `شاشة ${name}`,
  waitingForOthers: 'في انتظار انضمام الآخرين',
  connecting: 'جارٍ الاتصال…',
  reconnecting: 'جارٍ إعادة الاتصال…',
  left: 'لقد غادرت الحوار.',
  rejoin: 'الانضمام مجددًا',
  pin: (label) => `تثبيت ${label}`,
  mainView: 'العرض الرئيسي',

  // Captions
  captions: 'الترجمة النصية المباشرة',
  captionLog: 'سجل الترجمة النصية',
  machineTranslated: 'ترجمة آلية',
  machineTranslatedShort: 'آلية',
  original: 'الأصل',
  captionNoTranslator: 'لا يوجد مترجم: يُعرض النص الأصلي',
  captionTranslationUnavailable: 'لا تتوفر ترجمة إلى هذه اللغة: يُعرض النص الأصلي',
  captionTranslationDownloadable: 'تتطلب الترجمة تنزيل نموذج: يُعرض النص الأصلي',
  captionTranslationDownloading: 'جارٍ تنزيل نموذج الترجمة: يُعرض النص الأصلي',
  captionTranslationFailed: 'تعذّرت الترجمة: يُعرض النص الأصلي',
  downloadModel: 'تنزيل نموذج الترجمة',
  modelProgress: (from, to, percent) => `نموذج الترجمة ${from} ← ${to}: ${percent}`,
  noCaptionsFor: (names) => `لا توجد ترجمة نصية لكلام ${names}: المتصفح لا يتعرّف على الكلام.`,
  recognitionUnsupported: 'متصفحك لا يتعرّف على الكلام: لن يرى الآخرون ترجمة نصية لما تقوله.',
  recognitionDenied: 'رُفض الإذن بالتعرّف على الكلام: لن يرى الآخرون ترجمة نصية لما تقوله.',
  recognitionLanguage: (language) => `التعرّف على الكلام غير متاح باللغة ${language}: لن يرى الآخرون ترجمة نصية لما تقوله.`,
  recognitionFailed: 'توقّف التعرّف على الكلام: لن يرى الآخرون ترجمة نصية لما تقوله.',
  downloadTranscript: 'تنزيل المحضر',
  languages: 'اللغات',
  listenLanguage: 'أستمع بلغة',
  spokenLanguage: 'أتحدث بلغة',
  // Interpretation
  interpreter: 'مترجم فوري',
  interpreters: 'المترجمون الفوريون',
  interpretingInto: (language) => `يترجم إلى ${language}`,
  booth: 'مقصورة الترجمة الفورية',
  onAir: (language) => `على الهواء: ${language}`,
  offAir: 'خارج الهواء',
  partnerOnAir: (name, language) => `${name} على الهواء بلغة ${language}`,
  goOnAir: 'على الهواء',
  takeOver: 'تسلّم الترجمة',
  swapDirection: 'عكس الاتجاه، حاليًا',
  muteChannel: 'كتم القناة',
  iHear: 'أستمع إلى',
  floor: 'القاعة (الصوت الأصلي)',
  relayChannel: (language) => `ترجمة تتابعية من ${language}`,
  humanInterpretation: 'ترجمة فورية بشرية',
  floorVolume: 'الصوت الأصلي تحت صوت المترجم',
  channelLive: (language, name) => `${language}: المترجم ${name} على الهواء`,
  noChannel: 'لا يوجد مترجم للغتك: الصوت الأصلي مع ترجمة مكتوبة',
  people: 'الأشخاص',
  chat: 'الدردشة',
  transcript: 'النص المدوَّن',
  sidePanel: 'الأشخاص والدردشة والنص المدوَّن',
  closePanel: 'إغلاق اللوحة',
  chatUnread: (n) => {
    switch (new Intl.PluralRules('ar').select(n)) {
      case 'zero':
        return 'الدردشة';
      case 'one':
        return 'الدردشة، رسالة واحدة غير مقروءة';
      case 'two':
        return 'الدردشة، رسالتان غير مقروءتين';
      case 'few':
        return `الدردشة، ${n} رسائل غير مقروءة`;
      default:
        return `الدردشة، ${n} رسالة غير مقروءة`;
    }
  },
  roleHost: 'المضيف',
  roleParticipant: 'مشارك',
  micOn: 'الميكروفون مفتوح',
  raisedHands: 'الأيدي المرفوعة',
  actionsFor: (name) => `إجراءات بشأن ${name}`,
  askToMute: 'طلب كتم الصوت',
  removePerson: 'إخراج',
  makeHost: 'تعيين مضيفًا',
  makeInterpreter: 'تعيين مترجمًا',
  makeParticipant: 'تعيين مشاركًا',
  lowerHand: 'إنزال اليد',
  waitingToJoin: 'في انتظار الدخول',
  admit: 'سماح بالدخول',
  deny: 'رفض',
  lockRoom: 'قفل الغرفة',
  chatMessage: 'الرسالة',
  send: 'إرسال',
  charactersLeft: (n) => `الأحرف المتبقية: ${n}`,
  showOriginal: 'عرض النص الأصلي',
  noMessages: 'لا توجد رسائل بعد.',
  relayedBy: (name) => `رسالة سابقة، نقلها ${name}`,
  chatFrom: (name, text) => `${name}: ${text}`,
  transcriptFormat: 'الصيغة',
  formatText: 'نص عادي',
  notifications: 'الإشعارات',
  dismiss: 'تجاهل',
  personJoined: (name) => `انضم ${name}`,
  personLeft: (name) => `غادر ${name}`,
  muteRequested: (name) => `يطلب منك ${name} إغلاق الميكروفون`,
  muteMe: 'كتم صوتي',
  personWaiting: (name) => `${name} ينتظر الدخول`,
  forbidden: 'لا يمكن القيام بذلك إلا للمضيف.',
  chatInvalid: 'لم تُرسَل الرسالة: إنها فارغة أو أطول من 1000 حرف.',
  waitingTitle: 'في انتظار المضيف',
  waitingBody: 'أُبلغ المضيف بوجودك وسيسمح لك بالدخول.',
  removedMessage: 'أخرجك المضيف من هذا الحوار.',
  deniedMessage: 'لم يسمح لك المضيف بالدخول إلى هذا الحوار.',
  agendaItem: (n, count) => `السؤال ${n} من ${count}`,
  minutesLeft: (m) => `الدقائق المتبقية: ${m}`,
  nextQuestion: 'السؤال التالي',
  notTranslated: 'لم يُكتب بلغتك بعد.',
  newPoll: 'استطلاع جديد',
  ideas: 'الأفكار',
  report: 'التقرير',
  reportJson: 'تنزيل التقرير (JSON)',
  reportCsv: 'تنزيل ملفات CSV (Pol.is)',
  reportPage: 'تقرير قابل للطباعة',
  endDialogue: 'إنهاء الحوار',
  reportDone: 'التقرير جاهز.',
  reportReady: 'انتهى الحوار: التقرير النهائي جاهز.',
  notesLabel: 'ملاحظاتك على هذا السؤال، للتقرير',
  notesSave: 'حفظ الملاحظات',
  notesSaved: 'تم حفظ الملاحظات.',
};
