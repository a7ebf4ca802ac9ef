/**
 * The printable report's words in the six UN languages (they come with the report's chunk only).
 * Numbers, dates and language names come from Intl in the reader's language, never from here.
 */
export interface ReportStrings {
  dir: 'ltr' | 'rtl';
  report: string;
  interim: string;
  final: string;
  started: string;
  duration: string;
  minutes: (n: string) => string;
  languages: string;
  interpretation: string;
  none: string;
  participants: string;
  total: string;
  peak: string;
  byLanguage: string;
  language: string;
  people: string;
  agenda: string;
  question: string;
  planned: string;
  spent: string;
  notes: string;
  polls: string;
  answer: string;
  votes: string;
  share: string;
  voters: (n: string) => string;
  hidden: string;
  ideas: string;
  idea: string;
  agree: string;
  pass: string;
  disagree: string;
  noIdeas: string;
  footer: string;
  other: string;
}

const en: ReportStrings = {
  dir: 'ltr',
  report: 'Dialogue report',
  interim: 'Interim report: the dialogue goes on.',
  final: 'Final report.',
  started: 'Started',
  duration: 'Duration',
  minutes: (n) => `${n} min`,
  languages: 'Languages spoken',
  interpretation: 'Interpretation',
  none: 'none',
  participants: 'Participants',
  total: 'In all',
  peak: 'At most at once',
  byLanguage: 'By language',
  language: 'Language',
  people: 'People',
  agenda: 'Agenda',
  question: 'Question',
  planned: 'Planned',
  spent: 'Spent',
  notes: 'Host’s notes',
  polls: 'Polls',
  answer: 'Answer',
  votes: 'Votes',
  share: 'Share',
  voters: (n) => `${n} voters`,
  hidden: 'Counted in the final report.',
  ideas: 'Ideas',
  idea: 'Idea',
  agree: 'Agree',
  pass: 'Pass',
  disagree: 'Disagree',
  noIdeas: 'No ideas.',
  footer: 'Counts, never names.',
  other: 'Other',
};

const STRINGS: Record<string, ReportStrings> = {
  en,
  fr: {
    dir: 'ltr',
    report: 'Rapport du dialogue',
    interim: 'Rapport intermédiaire : le dialogue continue.',
    final: 'Rapport final.',
    started: 'Début',
    duration: 'Durée',
    minutes: (n) => `${n} min`,
    languages: 'Langues parlées',
    interpretation: 'Interprétation',
    none: 'aucune',
    participants: 'Participants',
    total: 'En tout',
    peak: 'Au plus en même temps',
    byLanguage: 'Par langue',
    language: 'Langue',
    people: 'Personnes',
    agenda: 'Ordre du jour',
    question: 'Question',
    planned: 'Prévu',
    spent: 'Passé',
    notes: 'Notes de l’animateur',
    polls: 'Sondages',
    answer: 'Réponse',
    votes: 'Votes',
    share: 'Part',
    voters: (n) => `${n} votants`,
    hidden: 'Compté dans le rapport final.',
    ideas: 'Idées',
    idea: 'Idée',
    agree: 'D’accord',
    pass: 'Passer',
    disagree: 'Pas d’accord',
    noIdeas: 'Aucune idée.',
    footer: 'Des nombres, jamais des noms.',
    other: 'Autre',
  },
  es: {
    dir: 'ltr',
    report: 'Informe del diálogo',
    interim: 'Informe provisional: el diálogo continúa.',
    final: 'Informe final.',
    started: 'Inicio',
    duration: 'Duración',
    minutes: (n) => `${n} min`,
    languages: 'Idiomas hablados',
    interpretation: 'Interpretación',
    none: 'ninguna',
    participants: 'Participantes',
    total: 'En total',
    peak: 'Como máximo a la vez',
    byLanguage: 'Por idioma',
    language: 'Idioma',
    people: 'Personas',
    agenda: 'Orden del día',
    question: 'Pregunta',
    planned: 'Previsto',
    spent: 'Dedicado',
    notes: 'Notas del anfitrión',
    polls: 'Encuestas',
    answer: 'Respuesta',
    votes: 'Votos',
    share: 'Porcentaje',
    voters: (n) => `${n} votantes`,
    hidden: 'Se cuenta en el informe final.',
    ideas: 'Ideas',
    idea: 'Idea',
    agree: 'De acuerdo',
    pass: 'Paso',
    disagree: 'En desacuerdo',
    noIdeas: 'Ninguna idea.',
    footer: 'Cifras, nunca nombres.',
    other: 'Otro',
  },
  ru: {
    dir: 'ltr',
    report: 'Отчёт о диалоге',
    interim: 'Промежуточный отчёт: диалог продолжается.',
    final: 'Итоговый отчёт.',
    started: 'Начало',
    duration: 'Продолжительность',
    minutes: (n) => `${n} мин`,
    languages: 'Языки участников',
    interpretation: 'Устный перевод',
    none: 'нет',
    participants: 'Участники',
    total: 'Всего',
    peak: 'Наибольшее число одновременно',
    byLanguage: 'По языкам',
    language: 'Язык',
    people: 'Человек',
    agenda: 'Повестка',
    question: 'Вопрос',
    planned: 'План',
    spent: 'Факт',
    notes: 'Заметки ведущего',
    polls: 'Опросы',
    answer: 'Ответ',
    votes: 'Голоса',
    share: 'Доля',
    voters: (n) => `Проголосовали: ${n}`,
    hidden: 'Учитывается в итоговом отчёте.',
    ideas: 'Идеи',
    idea: 'Идея',
    agree: 'Согласен',
    pass: 'Пропустить',
    disagree: 'Не согласен',
    noIdeas: 'Идей нет.',
    footer: 'Только числа, никаких имён.',
    other: 'Другое',
  },
  zh: {
    dir: 'ltr',
    report: '对话报告',
    interim: '中期报告：对话仍在进行。',
    final: '最终报告。',
    started: '开始时间',
    duration: '时长',
    minutes: (n) => `${n} 分钟`,
    languages: '使用的语言',
    interpretation: '口译',
    none: '无',
    participants: '参与者',
    total: '总计',
    peak: '同时在线最多',
    byLanguage: '按语言',
    language: '语言',
    people: '人数',
    agenda: '议程',
    question: '问题',
    planned: '计划',
    spent: '实际',
    notes: '主持人笔记',
    polls: '投票',
    answer: '答案',
    votes: '票数',
    share: '比例',
    voters: (n) => `${n} 人投票`,
    hidden: '计入最终报告。',
    ideas: '想法',
    idea: '想法',
    agree: '同意',
    pass: '跳过',
    disagree: '不同意',
    noIdeas: '没有想法。',
    footer: '只有数字，没有姓名。',
    other: '其他',
  },
  ar: {
    dir: 'rtl',
    report: 'تقرير الحوار',
    interim: 'تقرير مؤقت: الحوار مستمر.',
    final: 'التقرير النهائي.',
    started: 'البداية',
    duration: 'المدة',
    minutes: (n) => `${n} دقيقة`,
    languages: 'اللغات المستخدمة',
    interpretation: 'الترجمة الفورية',
    none: 'لا شيء',
    participants: 'المشاركون',
    total: 'المجموع',
    peak: 'الحد الأقصى في وقت واحد',
    byLanguage: 'حسب اللغة',
    language: 'اللغة',
    people: 'الأشخاص',
    agenda: 'جدول الأعمال',
    question: 'السؤال',
    planned: 'المخطط',
    spent: 'الفعلي',
    notes: 'ملاحظات المضيف',
    polls: 'استطلاعات الرأي',
    answer: 'الإجابة',
    votes: 'الأصوات',
    share: 'النسبة',
    voters: (n) => `عدد المصوتين: ${n}`,
    hidden: 'يُحتسب في التقرير النهائي.',
    ideas: 'الأفكار',
    idea: 'الفكرة',
    agree: 'موافق',
    pass: 'تخطٍّ',
    disagree: 'غير موافق',
    noIdeas: 'لا توجد أفكار.',
    footer: 'أرقام فقط، بلا أسماء.',
    other: 'أخرى',
  },
};

/** The strings of `lang` (its primary language), else English. */
export function reportStrings(lang: string): { code: string; t: ReportStrings } {
  const code = lang.toLowerCase().split('-')[0]!;
  return STRINGS[code] ? { code, t: STRINGS[code] } : { code: 'en', t: en };
}
