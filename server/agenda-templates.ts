import type { AgendaItem } from '../src/protocol/agenda.js';

/**
 * Built-in agendas a host names instead of writing one (`agenda="un75"`). They live on the server,
 * which sets them, so a browser downloads none of their text until a room uses one.
 */
export const AGENDA_TEMPLATES: Record<string, readonly AgendaItem[]> = {
  /**
   * The three questions UN75 asked every dialogue (2020). English as the UN75 toolkit wrote them;
   * the other five are careful translations, to be checked against the UN75 toolkit's own editions.
   */
  un75: [
    {
      id: 'un75-future',
      minutes: 20,
      prompt: {
        ar: 'ما نوع المستقبل الذي نريد أن نصنعه؟',
        zh: '我们想要创造什么样的未来？',
        en: 'What kind of future do we want to create?',
        fr: 'Quel avenir voulons-nous créer ?',
        ru: 'Какое будущее мы хотим создать?',
        es: '¿Qué tipo de futuro queremos crear?',
      },
    },
    {
      id: 'un75-on-track',
      minutes: 20,
      prompt: {
        ar: 'هل نحن على المسار الصحيح؟',
        zh: '我们是否走在正轨上？',
        en: 'Are we on track?',
        fr: 'Sommes-nous sur la bonne voie ?',
        ru: 'Движемся ли мы в правильном направлении?',
        es: '¿Vamos por buen camino?',
      },
    },
    {
      id: 'un75-action',
      minutes: 20,
      prompt: {
        ar: 'ما الإجراءات اللازمة لسد الفجوة؟',
        zh: '需要采取什么行动来弥合差距？',
        en: 'What action is needed to bridge the gap?',
        fr: 'Quelles actions sont nécessaires pour combler l’écart ?',
        ru: 'Какие действия необходимы, чтобы преодолеть разрыв?',
        es: '¿Qué medidas se necesitan para cerrar la brecha?',
      },
    },
  ],
};
