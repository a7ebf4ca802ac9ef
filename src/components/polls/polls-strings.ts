// The polls' UI strings in the six UN languages. They travel in the polls chunk (loaded when the
// first poll arrives or a host opens the form), not with the call: a dialogue without polls never
// downloads them.
import type { PollType } from '../../protocol/polls.js';

export interface PollStrings {
  region: string;
  /** Said by screen readers when a poll opens. */
  opened: (question: string) => string;
  closedNow: (question: string) => string;
  vote: string;
  changeVote: string;
  sending: string;
  voteRecorded: string;
  chooseOne: string;
  chooseRange: (min: number, max: number) => string;
  chosen: (n: number, max: number) => string;
  tooFew: (min: number) => string;
  noChoice: string;
  scaleHint: (min: number, max: number) => string;
  rankHint: string;
  moveUp: (label: string) => string;
  moveDown: (label: string) => string;
  position: (label: string, n: number, count: number) => string;
  openHint: (max: number) => string;
  charactersLeft: (n: number) => string;
  wordsHint: (max: number) => string;
  results: string;
  voters: (n: number) => string;
  answer: string;
  votes: string;
  points: string;
  share: string;
  all: string;
  byLanguage: string;
  resultsAtClose: string;
  openAnswers: string;
  closed: string;
  prepared: string;
  closePoll: string;
  openPoll: string;
  newPoll: string;
  question: string;
  type: string;
  types: Record<PollType, string>;
  options: string;
  atLeast: string;
  atMost: string;
  resultsClosed: string;
  /** The host's form: each reader sees the options in an order of their own. */
  shuffle: string;
  /** The host's form: single and multiple choices get "Other" with the person's own words. */
  allowOther: string;
  /** The choice itself, and the field for one's own words beside it. */
  other: string;
  otherText: string;
  /** "Other" chosen with nothing written. */
  needOther: string;
  prepare: string;
  lowEnd: string;
  highEnd: string;
  cancel: string;
  survey: string;
  needQuestion: string;
  needOptions: string;
  forbidden: string;
  rateLimited: string;
  unreachable: string;
}

type Code = 'ar' | 'en' | 'es' | 'fr' | 'ru' | 'zh';

const en: PollStrings = {
  region: 'Poll',
  opened: (q) => `Poll open: ${q}`,
  closedNow: (q) => `Poll closed: ${q}`,
  vote: 'Vote',
  changeVote: 'Change my vote',
  sending: 'Sending…',
  voteRecorded: 'Vote recorded. You can change it while the poll is open.',
  chooseOne: 'Choose one.',
  chooseRange: (min, max) => (min === max ? `Choose ${min}.` : `Choose ${min} to ${max}.`),
  chosen: (n, max) => `${n} of ${max} chosen.`,
  tooFew: (min) => `Choose at least ${min}.`,
  noChoice: 'Choose an answer first.',
  scaleHint: (min, max) => `From ${min} (lowest) to ${max} (highest).`,
  rankHint: 'Put the options in order, your first choice at the top, with the Up and Down buttons.',
  moveUp: (label) => `Move up: ${label}`,
  moveDown: (label) => `Move down: ${label}`,
  position: (label, n, count) => `${label}: ${n} of ${count}`,
  openHint: (max) => `Your answer, at most ${max} characters.`,
  charactersLeft: (n) => `${n} characters left`,
  wordsHint: (max) => `One to ${max} words.`,
  results: 'Results',
  voters: (n) => (n === 1 ? '1 vote' : `${n} votes`),
  answer: 'Answer',
  votes: 'Votes',
  points: 'Points',
  share: 'Share',
  all: 'All',
  byLanguage: 'By language',
  resultsAtClose: 'The results will be shown when the poll closes.',
  openAnswers: 'Written answers are kept for the report; they are not shown here.',
  closed: 'Closed',
  prepared: 'Prepared, not open yet',
  closePoll: 'Close poll',
  openPoll: 'Open poll',
  newPoll: 'New poll',
  question: 'Question',
  type: 'Type of answer',
  types: { single: 'One choice', multiple: 'Several choices', scale: 'Scale', ranking: 'Ranking', open: 'Written answer', words: 'A few words' },
  options: 'Options, one per line',
  atLeast: 'At least',
  atMost: 'At most',
  resultsClosed: 'Show the results only when the poll closes',
  shuffle: 'Show the options to each person in an order of their own',
  allowOther: 'Let people add their own answer (\'Other\')',
  other: 'Other',
  otherText: 'Your own answer',
  needOther: 'Write your own answer, or choose another option.',
  prepare: 'Prepare for later',
  lowEnd: 'The lowest means',
  highEnd: 'The highest means',
  cancel: 'Cancel',
  survey: 'Open the UN75 one-minute survey',
  needQuestion: 'Write the question.',
  needOptions: 'Write 2 to 12 options, one per line.',
  forbidden: 'Not allowed: only hosts run polls, and only an open poll takes votes.',
  rateLimited: 'Too many requests: wait a few seconds and try again.',
  unreachable: 'The server did not answer: try again.',
};

const fr: PollStrings = {
  region: 'Sondage',
  opened: (q) => `Sondage ouvert : ${q}`,
  closedNow: (q) => `Sondage clos : ${q}`,
  vote: 'Voter',
  changeVote: 'Modifier mon vote',
  sending: 'Envoi…',
  voteRecorded: 'Vote enregistré. Vous pouvez le modifier tant que le sondage est ouvert.',
  chooseOne: 'Choisissez une réponse.',
  chooseRange: (min, max) => (min === max ? `Choisissez-en ${min}.` : `Choisissez-en de ${min} à ${max}.`),
  chosen: (n, max) => `${n} sur ${max} choisies.`,
  tooFew: (min) => `Choisissez-en au moins ${min}.`,
  noChoice: 'Choisissez d’abord une réponse.',
  scaleHint: (min, max) => `De ${min} (le plus bas) à ${max} (le plus haut).`,
  rankHint: 'Classez les options, votre premier choix en haut, avec les boutons Monter et Descendre.',
  moveUp: (label) => `Monter : ${label}`,
  moveDown: (label) => `Descendre : ${label}`,
  position: (label, n, count) => `${label} : ${n} sur ${count}`,
  openHint: (max) => `Votre réponse, ${max} caractères au plus.`,
  charactersLeft: (n) => `${n} caractères restants`,
  wordsHint: (max) => `De un à ${max} mots.`,
  results: 'Résultats',
  voters: (n) => (n <= 1 ? `${n} vote` : `${n} votes`),
  answer: 'Réponse',
  votes: 'Votes',
  points: 'Points',
  share: 'Part',
  all: 'Tous',
  byLanguage: 'Par langue',
  resultsAtClose: 'Les résultats seront affichés à la clôture du sondage.',
  openAnswers: 'Les réponses écrites sont gardées pour le rapport ; elles ne sont pas affichées ici.',
  closed: 'Clos',
  prepared: 'Préparé, pas encore ouvert',
  closePoll: 'Clore le sondage',
  openPoll: 'Ouvrir le sondage',
  newPoll: 'Nouveau sondage',
  question: 'Question',
  type: 'Type de réponse',
  types: { single: 'Choix unique', multiple: 'Choix multiples', scale: 'Échelle', ranking: 'Classement', open: 'Réponse écrite', words: 'Quelques mots' },
  options: 'Options, une par ligne',
  atLeast: 'Au moins',
  atMost: 'Au plus',
  resultsClosed: 'N’afficher les résultats qu’à la clôture',
  shuffle: 'Présenter les options à chacun dans un ordre différent',
  allowOther: 'Permettre d’ajouter sa propre réponse (« Autre »)',
  other: 'Autre',
  otherText: 'Votre propre réponse',
  needOther: 'Écrivez votre réponse, ou choisissez une autre option.',
  prepare: 'Préparer pour plus tard',
  lowEnd: 'Le plus bas signifie',
  highEnd: 'Le plus haut signifie',
  cancel: 'Annuler',
  survey: 'Ouvrir l’enquête d’une minute UN75',
  needQuestion: 'Écrivez la question.',
  needOptions: 'Écrivez de 2 à 12 options, une par ligne.',
  forbidden: 'Non autorisé : seuls les hôtes mènent les sondages, et seul un sondage ouvert reçoit des votes.',
  rateLimited: 'Trop de demandes : attendez quelques secondes et réessayez.',
  unreachable: 'Le serveur n’a pas répondu : réessayez.',
};

const es: PollStrings = {
  region: 'Encuesta',
  opened: (q) => `Encuesta abierta: ${q}`,
  closedNow: (q) => `Encuesta cerrada: ${q}`,
  vote: 'Votar',
  changeVote: 'Cambiar mi voto',
  sending: 'Enviando…',
  voteRecorded: 'Voto registrado. Puede cambiarlo mientras la encuesta esté abierta.',
  chooseOne: 'Elija una respuesta.',
  chooseRange: (min, max) => (min === max ? `Elija ${min}.` : `Elija de ${min} a ${max}.`),
  chosen: (n, max) => `${n} de ${max} elegidas.`,
  tooFew: (min) => `Elija al menos ${min}.`,
  noChoice: 'Elija primero una respuesta.',
  scaleHint: (min, max) => `De ${min} (el más bajo) a ${max} (el más alto).`,
  rankHint: 'Ordene las opciones, su primera elección arriba, con los botones Subir y Bajar.',
  moveUp: (label) => `Subir: ${label}`,
  moveDown: (label) => `Bajar: ${label}`,
  position: (label, n, count) => `${label}: ${n} de ${count}`,
  openHint: (max) => `Su respuesta, como máximo ${max} caracteres.`,
  charactersLeft: (n) => `Quedan ${n} caracteres`,
  wordsHint: (max) => `De una a ${max} palabras.`,
  results: 'Resultados',
  voters: (n) => (n === 1 ? '1 voto' : `${n} votos`),
  answer: 'Respuesta',
  votes: 'Votos',
  points: 'Puntos',
  share: 'Porcentaje',
  all: 'Todos',
  byLanguage: 'Por idioma',
  resultsAtClose: 'Los resultados se mostrarán cuando se cierre la encuesta.',
  openAnswers: 'Las respuestas escritas se guardan para el informe; no se muestran aquí.',
  closed: 'Cerrada',
  prepared: 'Preparada, aún no abierta',
  closePoll: 'Cerrar la encuesta',
  openPoll: 'Abrir la encuesta',
  newPoll: 'Nueva encuesta',
  question: 'Pregunta',
  type: 'Tipo de respuesta',
  types: { single: 'Una opción', multiple: 'Varias opciones', scale: 'Escala', ranking: 'Clasificación', open: 'Respuesta escrita', words: 'Unas palabras' },
  options: 'Opciones, una por línea',
  atLeast: 'Como mínimo',
  atMost: 'Como máximo',
  resultsClosed: 'Mostrar los resultados solo al cerrar la encuesta',
  shuffle: 'Mostrar las opciones a cada persona en un orden propio',
  allowOther: 'Permitir añadir una respuesta propia («Otra»)',
  other: 'Otra',
  otherText: 'Su propia respuesta',
  needOther: 'Escriba su respuesta o elija otra opción.',
  prepare: 'Preparar para más tarde',
  lowEnd: 'El valor más bajo significa',
  highEnd: 'El valor más alto significa',
  cancel: 'Cancelar',
  survey: 'Abrir la encuesta de un minuto UN75',
  needQuestion: 'Escriba la pregunta.',
  needOptions: 'Escriba de 2 a 12 opciones, una por línea.',
  forbidden: 'No permitido: solo los anfitriones dirigen encuestas, y solo una encuesta abierta recibe votos.',
  rateLimited: 'Demasiadas solicitudes: espere unos segundos y vuelva a intentarlo.',
  unreachable: 'El servidor no respondió: vuelva a intentarlo.',
};

const ru: PollStrings = {
  region: 'Опрос',
  opened: (q) => `Опрос открыт: ${q}`,
  closedNow: (q) => `Опрос закрыт: ${q}`,
  vote: 'Голосовать',
  changeVote: 'Изменить мой голос',
  sending: 'Отправка…',
  voteRecorded: 'Голос учтён. Его можно изменить, пока опрос открыт.',
  chooseOne: 'Выберите один ответ.',
  chooseRange: (min, max) => (min === max ? `Выберите ${min}.` : `Выберите от ${min} до ${max}.`),
  chosen: (n, max) => `Выбрано ${n} из ${max}.`,
  tooFew: (min) => `Выберите не меньше ${min}.`,
  noChoice: 'Сначала выберите ответ.',
  scaleHint: (min, max) => `От ${min} (низшая оценка) до ${max} (высшая).`,
  rankHint: 'Расставьте варианты по порядку, первый выбор наверху, кнопками «Выше» и «Ниже».',
  moveUp: (label) => `Выше: ${label}`,
  moveDown: (label) => `Ниже: ${label}`,
  position: (label, n, count) => `${label}: ${n} из ${count}`,
  openHint: (max) => `Ваш ответ, не более ${max} символов.`,
  charactersLeft: (n) => `Осталось символов: ${n}`,
  wordsHint: (max) => `От одного до ${max} слов.`,
  results: 'Результаты',
  voters: (n) => `Голосов: ${n}`,
  answer: 'Ответ',
  votes: 'Голоса',
  points: 'Баллы',
  share: 'Доля',
  all: 'Все',
  byLanguage: 'По языкам',
  resultsAtClose: 'Результаты будут показаны, когда опрос закроется.',
  openAnswers: 'Письменные ответы сохраняются для отчёта; здесь они не показываются.',
  closed: 'Закрыт',
  prepared: 'Подготовлен, ещё не открыт',
  closePoll: 'Закрыть опрос',
  openPoll: 'Открыть опрос',
  newPoll: 'Новый опрос',
  question: 'Вопрос',
  type: 'Тип ответа',
  types: { single: 'Один вариант', multiple: 'Несколько вариантов', scale: 'Шкала', ranking: 'Ранжирование', open: 'Письменный ответ', words: 'Несколько слов' },
  options: 'Варианты, по одному в строке',
  atLeast: 'Не меньше',
  atMost: 'Не больше',
  resultsClosed: 'Показывать результаты только после закрытия опроса',
  shuffle: 'Показывать варианты каждому в своём порядке',
  allowOther: 'Разрешить добавить свой ответ («Другое»)',
  other: 'Другое',
  otherText: 'Ваш ответ',
  needOther: 'Напишите свой ответ или выберите другой вариант.',
  prepare: 'Подготовить на потом',
  lowEnd: 'Низшая оценка означает',
  highEnd: 'Высшая оценка означает',
  cancel: 'Отмена',
  survey: 'Открыть минутный опрос ООН-75',
  needQuestion: 'Напишите вопрос.',
  needOptions: 'Напишите от 2 до 12 вариантов, по одному в строке.',
  forbidden: 'Нельзя: опросы проводят только ведущие, а голосовать можно только в открытом опросе.',
  rateLimited: 'Слишком много запросов: подождите несколько секунд и повторите.',
  unreachable: 'Сервер не ответил: повторите попытку.',
};

const zh: PollStrings = {
  region: '投票',
  opened: (q) => `投票已开始：${q}`,
  closedNow: (q) => `投票已结束：${q}`,
  vote: '投票',
  changeVote: '更改我的投票',
  sending: '正在发送…',
  voteRecorded: '投票已记录。投票开放期间您可以更改。',
  chooseOne: '请选择一项。',
  chooseRange: (min, max) => (min === max ? `请选择${min}项。` : `请选择${min}至${max}项。`),
  chosen: (n, max) => `已选${n}项，最多${max}项。`,
  tooFew: (min) => `请至少选择${min}项。`,
  noChoice: '请先选择一个答案。',
  scaleHint: (min, max) => `从${min}（最低）到${max}（最高）。`,
  rankHint: '请用“上移”和“下移”按钮排列选项，首选放在最上面。',
  moveUp: (label) => `上移：${label}`,
  moveDown: (label) => `下移：${label}`,
  position: (label, n, count) => `${label}：第${n}位，共${count}位`,
  openHint: (max) => `您的回答，最多${max}个字符。`,
  charactersLeft: (n) => `还可输入${n}个字符`,
  wordsHint: (max) => `一至${max}个词。`,
  results: '结果',
  voters: (n) => `${n}票`,
  answer: '答案',
  votes: '票数',
  points: '分数',
  share: '占比',
  all: '全部',
  byLanguage: '按语言',
  resultsAtClose: '投票结束后将显示结果。',
  openAnswers: '书面回答保存在报告中，不在此处显示。',
  closed: '已结束',
  prepared: '已准备，尚未开始',
  closePoll: '结束投票',
  openPoll: '开始投票',
  newPoll: '新投票',
  question: '问题',
  type: '回答类型',
  types: { single: '单选', multiple: '多选', scale: '量表', ranking: '排序', open: '书面回答', words: '几个词' },
  options: '选项，每行一个',
  atLeast: '至少',
  atMost: '至多',
  resultsClosed: '仅在投票结束后显示结果',
  shuffle: '向每个人以不同顺序显示选项',
  allowOther: '允许添加自己的答案（“其他”）',
  other: '其他',
  otherText: '您自己的答案',
  needOther: '请写下您的答案，或选择其他选项。',
  prepare: '准备稍后使用',
  lowEnd: '最低分表示',
  highEnd: '最高分表示',
  cancel: '取消',
  survey: '开始联合国75周年一分钟调查',
  needQuestion: '请填写问题。',
  needOptions: '请填写2至12个选项，每行一个。',
  forbidden: '不允许：只有主持人可以主持投票，且只有开放中的投票才能投票。',
  rateLimited: '请求过多：请等几秒后重试。',
  unreachable: '服务器没有响应：请重试。',
};

const ar: PollStrings = {
  region: 'استطلاع',
  opened: (q) => `الاستطلاع مفتوح: ${q}`,
  closedNow: (q) => `أُغلق الاستطلاع: ${q}`,
  vote: 'صوّت',
  changeVote: 'غيّر صوتي',
  sending: 'جارٍ الإرسال…',
  voteRecorded: 'سُجّل صوتك. يمكنك تغييره ما دام الاستطلاع مفتوحًا.',
  chooseOne: 'اختر إجابة واحدة.',
  chooseRange: (min, max) => (min === max ? `اختر ${min}.` : `اختر من ${min} إلى ${max}.`),
  chosen: (n, max) => `اخترت ${n} من ${max}.`,
  tooFew: (min) => `اختر ${min} على الأقل.`,
  noChoice: 'اختر إجابة أولًا.',
  scaleHint: (min, max) => `من ${min} (الأدنى) إلى ${max} (الأعلى).`,
  rankHint: 'رتّب الخيارات، واجعل اختيارك الأول في الأعلى، بزرَّي «إلى الأعلى» و«إلى الأسفل».',
  moveUp: (label) => `إلى الأعلى: ${label}`,
  moveDown: (label) => `إلى الأسفل: ${label}`,
  position: (label, n, count) => `${label}: ${n} من ${count}`,
  openHint: (max) => `إجابتك، ${max} حرفًا على الأكثر.`,
  charactersLeft: (n) => `بقي ${n} حرفًا`,
  wordsHint: (max) => `من كلمة واحدة إلى ${max} كلمات.`,
  results: 'النتائج',
  voters: (n) => `عدد الأصوات: ${n}`,
  answer: 'الإجابة',
  votes: 'الأصوات',
  points: 'النقاط',
  share: 'النسبة',
  all: 'الكل',
  byLanguage: 'حسب اللغة',
  resultsAtClose: 'ستُعرض النتائج عند إغلاق الاستطلاع.',
  openAnswers: 'تُحفظ الإجابات المكتوبة للتقرير، ولا تُعرض هنا.',
  closed: 'مغلق',
  prepared: 'مُعدّ، لم يُفتح بعد',
  closePoll: 'أغلق الاستطلاع',
  openPoll: 'افتح الاستطلاع',
  newPoll: 'استطلاع جديد',
  question: 'السؤال',
  type: 'نوع الإجابة',
  types: { single: 'اختيار واحد', multiple: 'اختيارات متعددة', scale: 'مقياس', ranking: 'ترتيب', open: 'إجابة مكتوبة', words: 'بضع كلمات' },
  options: 'الخيارات، خيار في كل سطر',
  atLeast: 'على الأقل',
  atMost: 'على الأكثر',
  resultsClosed: 'لا تُعرض النتائج إلا عند إغلاق الاستطلاع',
  shuffle: 'عرض الخيارات على كل شخص بترتيب خاص به',
  allowOther: 'السماح بإضافة إجابة خاصة («غير ذلك»)',
  other: 'غير ذلك',
  otherText: 'إجابتك الخاصة',
  needOther: 'اكتب إجابتك، أو اختر خيارًا آخر.',
  prepare: 'أعدّه لوقت لاحق',
  lowEnd: 'الأدنى يعني',
  highEnd: 'الأعلى يعني',
  cancel: 'إلغاء',
  survey: 'افتح استبيان الدقيقة الواحدة UN75',
  needQuestion: 'اكتب السؤال.',
  needOptions: 'اكتب من 2 إلى 12 خيارًا، خيارًا في كل سطر.',
  forbidden: 'غير مسموح: لا يدير الاستطلاعات إلا المضيفون، ولا يُصوَّت إلا في استطلاع مفتوح.',
  rateLimited: 'طلبات كثيرة جدًا: انتظر بضع ثوانٍ ثم أعد المحاولة.',
  unreachable: 'لم يُجب الخادم: أعد المحاولة.',
};

export const POLL_STRINGS: Record<Code, PollStrings> = { ar, en, es, fr, ru, zh };

/** The strings for a UI locale code (`t.$code`), English when there are none. */
export function pollStrings(code: string): PollStrings {
  return (POLL_STRINGS as Record<string, PollStrings | undefined>)[code] ?? en;
}
