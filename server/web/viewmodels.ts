// View models: plain data for the templates, computed from the sync service (SQLite + in-memory views).
export { type KioskModel, kioskModel } from './models/kiosk.ts';
export { type OverviewModel, overviewModel } from './models/overview.ts';
export { type SyncPanelModel, syncPanelModel } from './models/sync-panel.ts';
