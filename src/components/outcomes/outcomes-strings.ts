// The dashboard's UI strings in the six UN languages. They travel in the outcomes chunk only: a page
// with a meeting and no dashboard never downloads them.

export interface OutcomesStrings {
  title: string;
  filters: string;
  country: string;
  language: string;
  month: string;
  allCountries: string;
  allLanguages: string;
  allMonths: string;
  loading: string;
  failed: string;
  unauthorized: string;
  /** Said (politely) when new totals are shown. */
  shown: (dialogues: string, participants: string) => string;
  totals: string;
  dialogues: string;
  participants: string;
  countries: string;
  languages: string;
  overTime: string;
  byCountry: string;
  byLanguage: string;
  polls: string;
  answer: string;
  count: string;
  voters: (n: string) => string;
  inDialogues: (n: string) => string;
  ideas: string;
  agree: string;
  machine: string;
  /** An idea shown in the language it was written in: none in the reader's. */
  original: (language: string) => string;
  noIdeas: string;
  noPolls: string;
  export: string;
  csv: string;
  json: string;
  /** How a suppressed cell reads. */
  fewerThan5: string;
  suppressedNote: string;
}

type Code = 'ar' | 'en' | 'es' | 'fr' | 'ru' | 'zh';

const en: OutcomesStrings = {
  title: 'Dialogue outcomes',
  filters: 'Filters',
  country: 'Country',
  language: 'Language',
  month: 'Month',
  allCountries: 'All countries',
  allLanguages: 'All languages',
  allMonths: 'All months',
  loading: 'Loading the totals…',
  failed: 'The totals could not be loaded. Try again later.',
  unauthorized: 'This dashboard’s token was refused.',
  shown: (d, p) => `Showing ${d} dialogues, ${p} participants.`,
  totals: 'Totals',
  dialogues: 'Dialogues',
  participants: 'Participants',
  countries: 'Countries',
  languages: 'Languages',
  overTime: 'Participants by month',
  byCountry: 'By country',
  byLanguage: 'By language',
  polls: 'Polls',
  answer: 'Answer',
  count: 'Votes',
  voters: (n) => `${n} voters`,
  inDialogues: (n) => `in ${n} dialogues`,
  ideas: 'Top ideas',
  agree: 'Agree',
  machine: 'Machine translation',
  original: (l) => `Original, in ${l}`,
  noIdeas: 'No ideas yet.',
  noPolls: 'No polls from a shared template yet.',
  export: 'Download',
  csv: 'Totals as CSV',
  json: 'Totals as JSON',
  fewerThan5: 'fewer than 5',
  suppressedNote: 'Counts under 5 people are never shown, to protect participants.',
};

const fr: OutcomesStrings = {
  title: 'Résultats des dialogues',
  filters: 'Filtres',
  country: 'Pays',
  language: 'Langue',
  month: 'Mois',
  allCountries: 'Tous les pays',
  allLanguages: 'Toutes les langues',
  allMonths: 'Tous les mois',
  loading: 'Chargement des totaux…',
  failed: 'Impossible de charger les totaux. Réessayez plus tard.',
  unauthorized: 'Le jeton de ce tableau de bord a été refusé.',
  shown: (d, p) => `${d} dialogues, ${p} participants.`,
  totals: 'Totaux',
  dialogues: 'Dialogues',
  participants: 'Participants',
  countries: 'Pays',
  languages: 'Langues',
  overTime: 'Participants par mois',
  byCountry: 'Par pays',
  byLanguage: 'Par langue',
  polls: 'Sondages',
  answer: 'Réponse',
  count: 'Votes',
  voters: (n) => `${n} votants`,
  inDialogues: (n) => `dans ${n} dialogues`,
  ideas: 'Idées les plus soutenues',
  agree: 'D’accord',
  machine: 'Traduction automatique',
  original: (l) => `Original, en ${l}`,
  noIdeas: 'Pas encore d’idées.',
  noPolls: 'Pas encore de sondage d’un modèle commun.',
  export: 'Télécharger',
  csv: 'Totaux en CSV',
  json: 'Totaux en JSON',
  fewerThan5: 'moins de 5',
  suppressedNote: 'Les effectifs de moins de 5 personnes ne sont jamais affichés, pour protéger les participants.',
};

const es: OutcomesStrings = {
  title: 'Resultados de los diálogos',
  filters: 'Filtros',
  country: 'País',
  language: 'Idioma',
  month: 'Mes',
  allCountries: 'Todos los países',
  allLanguages: 'Todos los idiomas',
  allMonths: 'Todos los meses',
  loading: 'Cargando los totales…',
  failed: 'No se pudieron cargar los totales. Inténtelo más tarde.',
  unauthorized: 'Se rechazó el token de este panel.',
  shown: (d, p) => `${d} diálogos, ${p} participantes.`,
  totals: 'Totales',
  dialogues: 'Diálogos',
  participants: 'Participantes',
  countries: 'Países',
  languages: 'Idiomas',
  overTime: 'Participantes por mes',
  byCountry: 'Por país',
  byLanguage: 'Por idioma',
  polls: 'Encuestas',
  answer: 'Respuesta',
  count: 'Votos',
  voters: (n) => `${n} votantes`,
  inDialogues: (n) => `en ${n} diálogos`,
  ideas: 'Ideas con más apoyo',
  agree: 'De acuerdo',
  machine: 'Traducción automática',
  original: (l) => `Original, en ${l}`,
  noIdeas: 'Todavía no hay ideas.',
  noPolls: 'Todavía no hay encuestas de una plantilla común.',
  export: 'Descargar',
  csv: 'Totales en CSV',
  json: 'Totales en JSON',
  fewerThan5: 'menos de 5',
  suppressedNote: 'Nunca se muestran recuentos de menos de 5 personas, para proteger a los participantes.',
};

const ru: OutcomesStrings = {
  title: 'Итоги диалогов',
  filters: 'Фильтры',
  country: 'Страна',
  language: 'Язык',
  month: 'Месяц',
  allCountries: 'Все страны',
  allLanguages: 'Все языки',
  allMonths: 'Все месяцы',
  loading: 'Загрузка итогов…',
  failed: 'Не удалось загрузить итоги. Повторите попытку позже.',
  unauthorized: 'Токен этой панели отклонён.',
  shown: (d, p) => `Диалогов: ${d}, участников: ${p}.`,
  totals: 'Итого',
  dialogues: 'Диалоги',
  participants: 'Участники',
  countries: 'Страны',
  languages: 'Языки',
  overTime: 'Участники по месяцам',
  byCountry: 'По странам',
  byLanguage: 'По языкам',
  polls: 'Опросы',
  answer: 'Ответ',
  count: 'Голоса',
  voters: (n) => `Проголосовало: ${n}`,
  inDialogues: (n) => `Диалогов: ${n}`,
  ideas: 'Самые поддержанные идеи',
  agree: 'Согласны',
  machine: 'Машинный перевод',
  original: (l) => `Оригинал (${l})`,
  noIdeas: 'Идей пока нет.',
  noPolls: 'Опросов по общему шаблону пока нет.',
  export: 'Скачать',
  csv: 'Итоги в CSV',
  json: 'Итоги в JSON',
  fewerThan5: 'менее 5',
  suppressedNote: 'Числа меньше 5 человек никогда не показываются, чтобы защитить участников.',
};

const zh: OutcomesStrings = {
  title: '对话成果',
  filters: '筛选',
  country: '国家',
  language: '语言',
  month: '月份',
  allCountries: '所有国家',
  allLanguages: '所有语言',
  allMonths: '所有月份',
  loading: '正在加载总计…',
  failed: '无法加载总计，请稍后再试。',
  unauthorized: '此面板的令牌被拒绝。',
  shown: (d, p) => `共 ${d} 场对话，${p} 名参与者。`,
  totals: '总计',
  dialogues: '对话',
  participants: '参与者',
  countries: '国家',
  languages: '语言',
  overTime: '每月参与者',
  byCountry: '按国家',
  byLanguage: '按语言',
  polls: '投票',
  answer: '答案',
  count: '票数',
  voters: (n) => `${n} 人投票`,
  inDialogues: (n) => `来自 ${n} 场对话`,
  ideas: '最受支持的想法',
  agree: '同意',
  machine: '机器翻译',
  original: (l) => `原文（${l}）`,
  noIdeas: '暂无想法。',
  noPolls: '暂无来自共同模板的投票。',
  export: '下载',
  csv: '总计（CSV）',
  json: '总计（JSON）',
  fewerThan5: '少于 5',
  suppressedNote: '为保护参与者，少于 5 人的数字从不显示。',
};

const ar: OutcomesStrings = {
  title: 'نتائج الحوارات',
  filters: 'عوامل التصفية',
  country: 'البلد',
  language: 'اللغة',
  month: 'الشهر',
  allCountries: 'كل البلدان',
  allLanguages: 'كل اللغات',
  allMonths: 'كل الأشهر',
  loading: 'جارٍ تحميل المجاميع…',
  failed: 'تعذّر تحميل المجاميع. أعد المحاولة لاحقًا.',
  unauthorized: 'رُفض رمز لوحة المعلومات هذه.',
  shown: (d, p) => `عدد الحوارات: ${d}، عدد المشاركين: ${p}.`,
  totals: 'المجاميع',
  dialogues: 'الحوارات',
  participants: 'المشاركون',
  countries: 'البلدان',
  languages: 'اللغات',
  overTime: 'المشاركون حسب الشهر',
  byCountry: 'حسب البلد',
  byLanguage: 'حسب اللغة',
  polls: 'الاستطلاعات',
  answer: 'الإجابة',
  count: 'الأصوات',
  voters: (n) => `عدد المصوّتين: ${n}`,
  inDialogues: (n) => `في ${n} من الحوارات`,
  ideas: 'الأفكار الأكثر تأييدًا',
  agree: 'موافق',
  machine: 'ترجمة آلية',
  original: (l) => `النص الأصلي، باللغة ${l}`,
  noIdeas: 'لا توجد أفكار بعد.',
  noPolls: 'لا توجد بعد استطلاعات من نموذج مشترك.',
  export: 'تنزيل',
  csv: 'المجاميع بصيغة CSV',
  json: 'المجاميع بصيغة JSON',
  fewerThan5: 'أقل من 5',
  suppressedNote: 'لا تُعرض أبدًا الأعداد التي تقل عن 5 أشخاص، حمايةً للمشاركين.',
};

export const OUTCOMES_STRINGS: Record<Code, OutcomesStrings> = { ar, en, es, fr, ru, zh };

/** The strings for a UI locale code (`t.$code`), English when there are none. */
export function outcomesStrings(code: string): OutcomesStrings {
  return (OUTCOMES_STRINGS as Record<string, OutcomesStrings | undefined>)[code] ?? en;
}
