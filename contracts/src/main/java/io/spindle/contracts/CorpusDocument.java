package io.spindle.contracts;

import java.util.Map;

/**
 * A document as produced to {@code corpus.documents} in its JSON form. A record whose value is not a JSON
 * object is read as raw UTF-8 text instead, so a plain {@code kcat -P} works.
 *
 * @param id     optional document id (the record key is used when absent)
 * @param text   the text; required
 * @param source optional origin, used for mixing weights
 * @param meta   optional free-form metadata, carried but not interpreted
 */
public record CorpusDocument(String id, String text, String source, Map<String, Object> meta) {
}
