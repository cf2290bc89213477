import { namedFields } from './field-locations.js';
import { emptyTexts, type FieldTexts, type RecordParser } from './parse-event.js';
import { readXmlRecords } from './xml-records.js';

/** DCASS XML reports: root attributes are the header, each record element's children are its fields. */
export const xmlParser: RecordParser<'xml'> = {
  async *parse(text, profile, file) {
    const { format } = profile;
    const byElement = new Map(namedFields(profile, profile.fields).map(({ field, from }) => [from, field]));
    const headerAttributes = namedFields(profile, format.header);
    for await (const event of readXmlRecords(text, { root: format.root, record: format.record }, file)) {
      if (event.kind === 'root') {
        const values: FieldTexts = emptyTexts();
        for (const { field, from } of headerAttributes) {
          const v = event.attributes[from];
          if (v !== undefined) values[field] = v;
        }
        yield { kind: 'header', line: event.line, values };
        continue;
      }
      const values: FieldTexts = emptyTexts();
      let extra: FieldTexts | null = null;
      // for-in, not Object.entries: no array per record; the fields' prototype holds nothing to inherit.
      for (const element in event.fields) {
        const text = event.fields[element]!;
        const field = byElement.get(element);
        if (field !== undefined) values[field] = text;
        else (extra ??= emptyTexts())[element] = text;
      }
      yield { kind: 'record', line: event.line, values, extra, raw: event.raw };
    }
  },
};
