import { DcassError } from '../../shared/errors.js';

/** A compiled report pattern: which report id a file name belongs to. */
export interface ReportMatcher {
  readonly reportId: string;
  readonly template: string;
  readonly regex: RegExp;
}

const PLACEHOLDERS: Readonly<Record<string, (participant: string, date: string) => string>> = {
  participant: (p) => escapeRegex(p),
  date: (_p, d) => d,
  hhmm: () => '\\d{4}',
  ext: () => '(?:xml|csv)',
};

/**
 * Compiles name templates such as `TRD001_{participant}_{date}_{hhmm}.{ext}` for one participant
 * and date (YYYYMMDD). Placeholders: `{participant}`, `{date}`, `{hhmm}` (4 digits), `{ext}`
 * (xml or csv), and `*` for any run of characters; everything else is literal and case-sensitive.
 */
export function compileReportPatterns(
  patterns: Readonly<Record<string, string>>,
  participant: string,
  date: string,
): ReportMatcher[] {
  return Object.entries(patterns).map(([reportId, template]) => {
    let source = '';
    for (const part of template.split(/(\{[a-z]+\}|\*)/)) {
      if (part === '') continue;
      if (part === '*') {
        source += '.*';
        continue;
      }
      const placeholder = /^\{([a-z]+)\}$/.exec(part)?.[1];
      if (placeholder !== undefined) {
        const make = PLACEHOLDERS[placeholder];
        if (make === undefined) {
          throw new DcassError(
            'SFTP_CONFIG_INVALID',
            `unknown placeholder {${placeholder}} in the pattern of report ${reportId}: ${template}`,
            {
              location: { path: `sftp.reports.${reportId}` },
              hint: 'use {participant}, {date}, {hhmm}, {ext} or *',
            },
          );
        }
        source += make(participant, date);
      } else {
        source += escapeRegex(part);
      }
    }
    return { reportId, template, regex: new RegExp(`^${source}$`) };
  });
}

/** The report id whose pattern the name matches, or undefined. */
export function matchReport(matchers: readonly ReportMatcher[], name: string): string | undefined {
  return matchers.find((m) => m.regex.test(name))?.reportId;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
