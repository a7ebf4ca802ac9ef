/** The side panel's tabs, in order. */
export const PANEL_TABS = ['people', 'chat', 'transcript'] as const;
export type PanelTab = (typeof PANEL_TABS)[number];

export interface Un75PanelTabDetail {
  tab: PanelTab;
}
