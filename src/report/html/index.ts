/** The HTML break report: one self-contained page per run. */
export { writeBreaksHtml, type HtmlReportFile, type HtmlReportOptions } from './write-html.js';
export { dailyBreakHistory, type HistoryDay, type HistoryOptions } from './history.js';
export { escapeHtml, jsonForScript } from './escape.js';
export type { Participant } from './sections.js';
