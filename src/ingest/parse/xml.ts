import { namedFields } from './field-locations.js';
import { emptyTexts, type FieldTexts, type ParseEvent, type RecordParser } from './parse-event.js';
import { readXmlBatches } from './xml-records.js';

/** DCASS XML reports: root attributes are the header, each record element's children are its fields. */
export const xmlParser: RecordParser<'xml'> = {
  async *parse(text, profile, file) {
    const { format } = profile;
    const fieldOf = new Map(namedFields(profile, profile.fields).map(({ field, from }) => [from, field]));
    const headerAttributes = namedFields(profile, format.header);
    const layout = { root: format.root, record: format.record };
    // Records come with their fields already under the profile's names (and the rest in `extra`).
    for await (const batch of readXmlBatches(text, layout, file, fieldOf)) {
      yield batch.map((event): ParseEvent => {
        if (event.kind === 'record') return event;
        const values: FieldTexts = emptyTexts();
        for (const { field, from } of headerAttributes) {
          const v = event.attributes[from];
          if (v !== undefined) values[field] = v;
        }
        return { kind: 'header', line: event.line, values };
      });
    }
  },
};
