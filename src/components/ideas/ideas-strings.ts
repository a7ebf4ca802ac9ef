// The ideas' UI strings in the six UN languages. They travel in the ideas chunk (loaded when the
// first idea arrives or someone opens the ideas), not with the call.

export interface IdeaStrings {
  region: string;
  yourIdea: string;
  /** Under the field: what an idea is, its limit. */
  hint: (max: number) => string;
  charactersLeft: (n: number) => string;
  submit: string;
  sending: string;
  submitted: string;
  empty: string;
  /** Said by screen readers, once for a burst. */
  newIdea: (text: string) => string;
  newIdeas: (n: number) => string;
  machine: string;
  notTranslated: string;
  showOriginal: string;
  original: string;
  agree: string;
  pass: string;
  disagree: string;
  /** The vote buttons' group. */
  yourAnswer: string;
  counts: (agree: string, pass: string, disagree: string) => string;
  consensus: string;
  fromPoll: string;
  merged: string;
  hidden: string;
  hide: string;
  show: string;
  mergeInto: string;
  merge: string;
  unmerge: string;
  forbidden: string;
  rateLimited: string;
  unreachable: string;
}

const en: IdeaStrings = {
  region: 'Ideas',
  yourIdea: 'Your idea',
  hint: (max) => `At most ${max} characters. Everyone reads it in their own language.`,
  charactersLeft: (n) => `${n} characters left`,
  submit: 'Submit idea',
  sending: 'Sending…',
  submitted: 'Idea submitted.',
  empty: 'No ideas yet.',
  newIdea: (text) => `New idea: ${text}`,
  newIdeas: (n) => `${n} new ideas`,
  machine: 'Machine translation',
  notTranslated: 'Not translated into your language.',
  showOriginal: 'Show original',
  original: 'Original',
  agree: 'Agree',
  pass: 'Pass',
  disagree: 'Disagree',
  yourAnswer: 'Your answer',
  counts: (a, p, d) => `Agree ${a} · Pass ${p} · Disagree ${d}`,
  consensus: 'Every language group agrees',
  fromPoll: 'From a poll answer',
  merged: 'Merged into this idea',
  hidden: 'Hidden from participants',
  hide: 'Hide',
  show: 'Show',
  mergeInto: 'Merge into',
  merge: 'Merge',
  unmerge: 'Separate again',
  forbidden: 'Only a host may do that.',
  rateLimited: 'Too many at once: try again in a few seconds.',
  unreachable: 'The server cannot be reached: try again.',
};

const fr: IdeaStrings = {
  region: 'Idées',
  yourIdea: 'Votre idée',
  hint: (max) => `${max} caractères au plus. Chacun la lit dans sa langue.`,
  charactersLeft: (n) => `${n} caractères restants`,
  submit: 'Proposer l’idée',
  sending: 'Envoi…',
  submitted: 'Idée proposée.',
  empty: 'Aucune idée pour l’instant.',
  newIdea: (text) => `Nouvelle idée : ${text}`,
  newIdeas: (n) => `${n} nouvelles idées`,
  machine: 'Traduction automatique',
  notTranslated: 'Pas traduite dans votre langue.',
  showOriginal: 'Voir l’original',
  original: 'Original',
  agree: 'D’accord',
  pass: 'Passer',
  disagree: 'Pas d’accord',
  yourAnswer: 'Votre réponse',
  counts: (a, p, d) => `D’accord ${a} · Passer ${p} · Pas d’accord ${d}`,
  consensus: 'Tous les groupes de langue sont d’accord',
  fromPoll: 'Réponse à un sondage',
  merged: 'Fusionnées avec cette idée',
  hidden: 'Masquée aux participants',
  hide: 'Masquer',
  show: 'Afficher',
  mergeInto: 'Fusionner avec',
  merge: 'Fusionner',
  unmerge: 'Séparer à nouveau',
  forbidden: 'Seul un hôte peut le faire.',
  rateLimited: 'Trop à la fois : réessayez dans quelques secondes.',
  unreachable: 'Le serveur est injoignable : réessayez.',
};

const es: IdeaStrings = {
  region: 'Ideas',
  yourIdea: 'Su idea',
  hint: (max) => `Como máximo ${max} caracteres. Cada persona la lee en su idioma.`,
  charactersLeft: (n) => `Quedan ${n} caracteres`,
  submit: 'Enviar idea',
  sending: 'Enviando…',
  submitted: 'Idea enviada.',
  empty: 'Todavía no hay ideas.',
  newIdea: (text) => `Nueva idea: ${text}`,
  newIdeas: (n) => `${n} ideas nuevas`,
  machine: 'Traducción automática',
  notTranslated: 'No traducida a su idioma.',
  showOriginal: 'Ver el original',
  original: 'Original',
  agree: 'De acuerdo',
  pass: 'Paso',
  disagree: 'En desacuerdo',
  yourAnswer: 'Su respuesta',
  counts: (a, p, d) => `De acuerdo ${a} · Paso ${p} · En desacuerdo ${d}`,
  consensus: 'Todos los grupos de idioma están de acuerdo',
  fromPoll: 'Respuesta a una encuesta',
  merged: 'Unidas a esta idea',
  hidden: 'Oculta a los participantes',
  hide: 'Ocultar',
  show: 'Mostrar',
  mergeInto: 'Unir a',
  merge: 'Unir',
  unmerge: 'Separar de nuevo',
  forbidden: 'Solo un anfitrión puede hacerlo.',
  rateLimited: 'Demasiadas a la vez: inténtelo de nuevo en unos segundos.',
  unreachable: 'No se puede contactar con el servidor: inténtelo de nuevo.',
};

const ru: IdeaStrings = {
  region: 'Идеи',
  yourIdea: 'Ваша идея',
  hint: (max) => `Не более ${max} символов. Каждый читает её на своём языке.`,
  charactersLeft: (n) => `Осталось символов: ${n}`,
  submit: 'Предложить идею',
  sending: 'Отправка…',
  submitted: 'Идея предложена.',
  empty: 'Идей пока нет.',
  newIdea: (text) => `Новая идея: ${text}`,
  newIdeas: (n) => `Новых идей: ${n}`,
  machine: 'Машинный перевод',
  notTranslated: 'Не переведено на ваш язык.',
  showOriginal: 'Показать оригинал',
  original: 'Оригинал',
  agree: 'Согласен',
  pass: 'Пропустить',
  disagree: 'Не согласен',
  yourAnswer: 'Ваш ответ',
  counts: (a, p, d) => `Согласны ${a} · Пропустили ${p} · Не согласны ${d}`,
  consensus: 'Согласны все языковые группы',
  fromPoll: 'Ответ на опрос',
  merged: 'Объединены с этой идеей',
  hidden: 'Скрыта от участников',
  hide: 'Скрыть',
  show: 'Показать',
  mergeInto: 'Объединить с',
  merge: 'Объединить',
  unmerge: 'Разделить снова',
  forbidden: 'Это может сделать только ведущий.',
  rateLimited: 'Слишком много сразу: повторите через несколько секунд.',
  unreachable: 'Сервер недоступен: повторите попытку.',
};

const zh: IdeaStrings = {
  region: '想法',
  yourIdea: '您的想法',
  hint: (max) => `最多 ${max} 个字符。每个人都用自己的语言阅读。`,
  charactersLeft: (n) => `还剩 ${n} 个字符`,
  submit: '提交想法',
  sending: '正在发送…',
  submitted: '想法已提交。',
  empty: '还没有想法。',
  newIdea: (text) => `新想法：${text}`,
  newIdeas: (n) => `${n} 个新想法`,
  machine: '机器翻译',
  notTranslated: '尚未翻译成您的语言。',
  showOriginal: '显示原文',
  original: '原文',
  agree: '同意',
  pass: '跳过',
  disagree: '不同意',
  yourAnswer: '您的回答',
  counts: (a, p, d) => `同意 ${a} · 跳过 ${p} · 不同意 ${d}`,
  consensus: '所有语言群体都同意',
  fromPoll: '来自投票回答',
  merged: '已合并到此想法',
  hidden: '对参与者隐藏',
  hide: '隐藏',
  show: '显示',
  mergeInto: '合并到',
  merge: '合并',
  unmerge: '重新分开',
  forbidden: '只有主持人可以这样做。',
  rateLimited: '操作过于频繁：请几秒钟后再试。',
  unreachable: '无法连接服务器：请重试。',
};

const ar: IdeaStrings = {
  region: 'الأفكار',
  yourIdea: 'فكرتك',
  hint: (max) => `${max} حرفًا على الأكثر. يقرؤها كل شخص بلغته.`,
  charactersLeft: (n) => `يتبقى ${n} حرفًا`,
  submit: 'إرسال الفكرة',
  sending: 'جارٍ الإرسال…',
  submitted: 'أُرسلت الفكرة.',
  empty: 'لا توجد أفكار بعد.',
  newIdea: (text) => `فكرة جديدة: ${text}`,
  newIdeas: (n) => `أفكار جديدة: ${n}`,
  machine: 'ترجمة آلية',
  notTranslated: 'غير مترجمة إلى لغتك.',
  showOriginal: 'عرض النص الأصلي',
  original: 'النص الأصلي',
  agree: 'أوافق',
  pass: 'تخطٍّ',
  disagree: 'لا أوافق',
  yourAnswer: 'إجابتك',
  counts: (a, p, d) => `أوافق ${a} · تخطٍّ ${p} · لا أوافق ${d}`,
  consensus: 'كل المجموعات اللغوية موافقة',
  fromPoll: 'من إجابة على استطلاع',
  merged: 'دُمجت في هذه الفكرة',
  hidden: 'مخفية عن المشاركين',
  hide: 'إخفاء',
  show: 'إظهار',
  mergeInto: 'دمج في',
  merge: 'دمج',
  unmerge: 'فصل من جديد',
  forbidden: 'لا يفعل ذلك إلا المضيف.',
  rateLimited: 'طلبات كثيرة في وقت واحد: أعد المحاولة بعد ثوانٍ.',
  unreachable: 'تعذّر الوصول إلى الخادم: أعد المحاولة.',
};

const ALL: Record<string, IdeaStrings> = { en, fr, es, ru, zh, ar };

/** The strings for a UI language code (`$code` of the call's strings); English for any other. */
export function ideaStrings(code: string): IdeaStrings {
  return ALL[code] ?? en;
}
