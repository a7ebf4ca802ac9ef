import { POLL_TEMPLATE_IDS, type Poll, type PollOption } from '../src/protocol/polls.js';
import type { Localized } from '../src/protocol/agenda.js';

const option = (id: string, label: Localized): PollOption => ({ id, label });

/**
 * Built-in sets of polls a host names instead of writing them (`poll-create { template }`,
 * `openPoll('un75-survey')`). They live on the server, like the agenda templates, so a browser
 * downloads none of their text until a room uses one.
 */
export const POLL_TEMPLATES: Record<string, readonly Poll[]> = {
  /**
   * The UN75 one-minute survey (2020), five questions. English follows the UN75 survey as published
   * in the UN75 reports; the other five languages are careful translations, to be checked against
   * the survey's own editions. Departures the protocol imposes: the priorities list has 12 options
   * (the protocol's maximum; the survey offered more, and "add your own", which polls do not have
   * yet); options are not shuffled (no such field yet); the advice is an `open` answer (≤ 280
   * characters, the survey asked for 140).
   */
  'un75-survey': [
    {
      id: 'un75-2045',
      type: 'single',
      results: 'live',
      question: {
        ar: 'بشكل عام، هل تعتقد أن الناس سيكونون في عام 2045 في حال أفضل أو أسوأ أو مماثلة لما أنت عليه اليوم؟',
        zh: '总体而言，您认为到2045年，人们的生活会比您今天更好、更差，还是差不多？',
        en: 'Overall, do you think that people will be better off, worse off, or about the same in 2045 than you are today?',
        fr: 'Dans l’ensemble, pensez-vous qu’en 2045 les gens vivront mieux, moins bien ou à peu près comme vous aujourd’hui ?',
        ru: 'Как вы считаете, в целом в 2045 году люди будут жить лучше, хуже или примерно так же, как вы сегодня?',
        es: 'En general, ¿cree que en 2045 la gente estará mejor, peor o más o menos igual que usted hoy?',
      },
      options: [
        option('better', { ar: 'في حال أفضل', zh: '更好', en: 'Better off', fr: 'Mieux', ru: 'Лучше', es: 'Mejor' }),
        option('worse', { ar: 'في حال أسوأ', zh: '更差', en: 'Worse off', fr: 'Moins bien', ru: 'Хуже', es: 'Peor' }),
        option('same', { ar: 'في حال مماثلة تقريبًا', zh: '差不多', en: 'About the same', fr: 'À peu près pareil', ru: 'Примерно так же', es: 'Más o menos igual' }),
      ],
    },
    {
      id: 'un75-priorities',
      type: 'multiple',
      min: 1,
      max: 3,
      // As in the UN75 survey: in an order of each person's own, with "add your own".
      shuffle: true,
      other: true,
      results: 'live',
      question: {
        ar: 'ما الأشياء الثلاثة التي تودّ أكثر من غيرها أن تراها في العالم بعد 25 عامًا؟',
        zh: '25年后，您最希望在世界上看到哪三件事？',
        en: 'What three things would you most like to see in the world in 25 years’ time?',
        fr: 'Quelles sont les trois choses que vous aimeriez le plus voir dans le monde dans 25 ans ?',
        ru: 'Какие три вещи вы больше всего хотели бы видеть в мире через 25 лет?',
        es: '¿Cuáles son las tres cosas que más le gustaría ver en el mundo dentro de 25 años?',
      },
      options: [
        option('environment', { ar: 'مزيد من حماية البيئة', zh: '更多的环境保护', en: 'More environmental protection', fr: 'Une meilleure protection de l’environnement', ru: 'Больше защиты окружающей среды', es: 'Más protección del medio ambiente' }),
        option('human-rights', { ar: 'مزيد من احترام حقوق الإنسان', zh: '更加尊重人权', en: 'More respect for human rights', fr: 'Un plus grand respect des droits humains', ru: 'Больше уважения к правам человека', es: 'Más respeto por los derechos humanos' }),
        option('less-conflict', { ar: 'نزاعات أقل', zh: '更少的冲突', en: 'Less conflict', fr: 'Moins de conflits', ru: 'Меньше конфликтов', es: 'Menos conflictos' }),
        option('healthcare', { ar: 'المساواة في الحصول على الرعاية الصحية', zh: '平等获得医疗保健', en: 'Equal access to healthcare', fr: 'L’égalité d’accès aux soins de santé', ru: 'Равный доступ к здравоохранению', es: 'Igualdad de acceso a la atención sanitaria' }),
        option('education', { ar: 'المساواة في الحصول على التعليم', zh: '平等获得教育', en: 'Equal access to education', fr: 'L’égalité d’accès à l’éducation', ru: 'Равный доступ к образованию', es: 'Igualdad de acceso a la educación' }),
        option('employment', { ar: 'مزيد من فرص العمل', zh: '更多的就业机会', en: 'More employment opportunities', fr: 'Davantage de possibilités d’emploi', ru: 'Больше возможностей трудоустройства', es: 'Más oportunidades de empleo' }),
        option('inequality', { ar: 'الحد من أوجه عدم المساواة داخل البلدان وفيما بينها', zh: '减少国家内部和国家之间的不平等', en: 'Reduced inequality within and between countries', fr: 'Moins d’inégalités dans les pays et entre eux', ru: 'Меньше неравенства внутри стран и между ними', es: 'Menos desigualdad dentro de los países y entre ellos' }),
        option('accountability', { ar: 'مزيد من مساءلة الحكومات وشفافيتها', zh: '政府更加负责和透明', en: 'Greater accountability and transparency of governments', fr: 'Des gouvernements plus responsables et transparents', ru: 'Больше подотчётности и прозрачности правительств', es: 'Gobiernos que rindan más cuentas y sean más transparentes' }),
        option('zero-hunger', { ar: 'القضاء التام على الجوع', zh: '零饥饿', en: 'Zero hunger', fr: 'Faim zéro', ru: 'Ликвидация голода', es: 'Hambre cero' }),
        option('gender-equality', { ar: 'مزيد من المساواة بين الجنسين', zh: '更多的性别平等', en: 'More gender equality', fr: 'Plus d’égalité entre les genres', ru: 'Больше гендерного равенства', es: 'Más igualdad de género' }),
        option('digital-access', { ar: 'حصول الجميع على التكنولوجيا الرقمية', zh: '人人都能获得数字技术', en: 'Universal access to digital technology', fr: 'L’accès de tous aux technologies numériques', ru: 'Всеобщий доступ к цифровым технологиям', es: 'Acceso universal a la tecnología digital' }),
        option('less-corruption', { ar: 'فساد أقل', zh: '更少的腐败', en: 'Less corruption', fr: 'Moins de corruption', ru: 'Меньше коррупции', es: 'Menos corrupción' }),
      ],
    },
    {
      id: 'un75-trends',
      type: 'multiple',
      min: 1,
      max: 3,
      results: 'live',
      question: {
        ar: 'أيّ هذه الاتجاهات العالمية تعتقد أنها ستؤثر في مستقبلنا أكثر من غيرها؟',
        zh: '您认为以下哪些全球趋势对我们未来的影响最大？',
        en: 'Which of these global trends do you think will most affect our future?',
        fr: 'Parmi ces tendances mondiales, lesquelles auront selon vous le plus d’effet sur notre avenir ?',
        ru: 'Какие из этих глобальных тенденций, по-вашему, больше всего повлияют на наше будущее?',
        es: '¿Cuáles de estas tendencias mundiales cree que afectarán más a nuestro futuro?',
      },
      options: [
        option('climate', { ar: 'تغير المناخ والقضايا البيئية', zh: '气候变化和环境问题', en: 'Climate change and environmental issues', fr: 'Les changements climatiques et l’environnement', ru: 'Изменение климата и экологические проблемы', es: 'El cambio climático y los problemas ambientales' }),
        option('health', { ar: 'المخاطر المتعلقة بالصحة', zh: '与健康有关的风险', en: 'Risks related to health', fr: 'Les risques pour la santé', ru: 'Риски для здоровья', es: 'Los riesgos para la salud' }),
        option('armed-conflict', { ar: 'النزاعات المسلحة والعنف ذو الدوافع السياسية', zh: '武装冲突和出于政治动机的暴力', en: 'Armed conflict and politically motivated violence', fr: 'Les conflits armés et la violence politique', ru: 'Вооружённые конфликты и политическое насилие', es: 'Los conflictos armados y la violencia política' }),
        option('displacement', { ar: 'الهجرة القسرية والتشرد', zh: '被迫移徙和流离失所', en: 'Forced migration and displacement', fr: 'Les migrations forcées et les déplacements', ru: 'Вынужденная миграция и перемещение', es: 'La migración forzada y los desplazamientos' }),
        option('technology', { ar: 'مخاطر التكنولوجيات الجديدة', zh: '新技术带来的风险', en: 'Risks from new technologies', fr: 'Les risques des nouvelles technologies', ru: 'Риски новых технологий', es: 'Los riesgos de las nuevas tecnologías' }),
        option('population', { ar: 'التغيرات السريعة في سكاننا', zh: '人口的快速变化', en: 'Rapid changes in our population', fr: 'L’évolution rapide de la population', ru: 'Быстрые изменения населения', es: 'Los cambios rápidos de la población' }),
        option('relations', { ar: 'انهيار العلاقات بين البلدان', zh: '国家间关系破裂', en: 'Breakdown in relations between countries', fr: 'La rupture des relations entre pays', ru: 'Разрыв отношений между странами', es: 'La ruptura de las relaciones entre países' }),
        option('cyberwarfare', { ar: 'الحرب السيبرانية والأشكال الجديدة من الأسلحة', zh: '网络战和新型武器', en: 'Cyberwarfare and new forms of weapons', fr: 'La cyberguerre et les nouvelles armes', ru: 'Кибервойны и новые виды оружия', es: 'La ciberguerra y las nuevas armas' }),
        option('nuclear', { ar: 'الأسلحة النووية وغيرها من أسلحة الدمار الشامل', zh: '核武器和其他大规模杀伤性武器', en: 'Nuclear weapons and other weapons of mass destruction', fr: 'Les armes nucléaires et autres armes de destruction massive', ru: 'Ядерное и другое оружие массового уничтожения', es: 'Las armas nucleares y otras armas de destrucción masiva' }),
        option('organized-crime', { ar: 'الجريمة المنظمة', zh: '有组织犯罪', en: 'Organized crime', fr: 'La criminalité organisée', ru: 'Организованная преступность', es: 'La delincuencia organizada' }),
        option('terrorism', { ar: 'الإرهاب', zh: '恐怖主义', en: 'Terrorism', fr: 'Le terrorisme', ru: 'Терроризм', es: 'El terrorismo' }),
      ],
    },
    {
      id: 'un75-together',
      type: 'scale',
      min: 1,
      max: 5,
      results: 'live',
      question: {
        ar: 'ما مدى أهمية أن تعمل البلدان معًا لإدارة هذه الاتجاهات في رأيك؟',
        zh: '您认为各国共同努力应对这些趋势有多重要？',
        en: 'How important or unimportant do you think it is for countries to work together to manage these trends?',
        fr: 'À quel point est-il important, selon vous, que les pays travaillent ensemble pour faire face à ces tendances ?',
        ru: 'Насколько, по-вашему, важно, чтобы страны работали вместе, справляясь с этими тенденциями?',
        es: '¿Qué importancia cree que tiene que los países trabajen juntos para hacer frente a estas tendencias?',
      },
      ends: {
        min: { ar: 'غير مهم إطلاقًا', zh: '非常不重要', en: 'Very unimportant', fr: 'Pas du tout important', ru: 'Совсем не важно', es: 'Nada importante' },
        max: { ar: 'مهم جدًا', zh: '非常重要', en: 'Very important', fr: 'Très important', ru: 'Очень важно', es: 'Muy importante' },
      },
    },
    {
      id: 'un75-advice',
      type: 'open',
      // As in 2020: advice in 140 characters.
      max: 140,
      results: 'live',
      question: {
        ar: 'لو استطعت أن تقدّم نصيحة واحدة إلى الأمين العام للأمم المتحدة، فماذا ستكون؟',
        zh: '如果您可以给联合国秘书长提一条建议，会是什么？',
        en: 'If you could give one piece of advice to the UN Secretary-General, what would it be?',
        fr: 'Si vous pouviez donner un conseil au Secrétaire général de l’ONU, lequel serait-ce ?',
        ru: 'Если бы вы могли дать один совет Генеральному секретарю ООН, каким бы он был?',
        es: 'Si pudiera dar un consejo al Secretario General de la ONU, ¿cuál sería?',
      },
    },
  ],
};

// The browser knows a template's ids (src/protocol/polls.ts) to open its polls: they must agree.
for (const [name, polls] of Object.entries(POLL_TEMPLATES)) {
  const ids = polls.map((p) => p.id).join(' ');
  if (ids !== POLL_TEMPLATE_IDS[name]?.join(' ')) throw new Error(`poll template "${name}": ids ${ids} differ from POLL_TEMPLATE_IDS`);
}
