#!/usr/bin/env python3
"""Checks a dcass-recon audit export on its own: Python 3's standard library only, nothing of the product.

    python3 verify-audit-export.py audit.jsonl [--head HASH]

The export holds one JSON object per line (UTF-8, "\\n" line ends), then a last line {"head": {...}}.
For every event line, in order:
  - the line is exactly the RFC 8785 canonical JSON of its object (so it has one reading);
  - "id" is "1", "2", "3", ... with no gap;
  - "prev_hash" is the previous event's "hash" (64 zeros for the first event);
  - "hash" is sha256(prev_hash + C) in lower-case hex, where C is the canonical JSON of the object
    without "prev_hash" and "hash" (the fields id, at, actor, action, subject, details), and
    prev_hash and C are taken as UTF-8 text.
Each event's details may hold "_os": {"host": ..., "user": ...}, the operating-system user and host
that ran the command (written by the product beside the declared actor since it records them): it is
part of the hashed event like every other detail, so it needs no check of its own here.
The head line must give the number of events and the last hash. With --head, that hash must be the
head or an event of the chain (a head kept elsewhere, e.g. in an evidence pack).

Exit status: 0 the export verifies, 1 it does not (the first broken line is named), 2 unreadable.
"""

import hashlib
import json
import sys

GENESIS = "0" * 64
EVENT_KEYS = ["action", "actor", "at", "details", "id", "subject"]


def canonical(value):
    """RFC 8785 (JCS) for the values an export holds: null, booleans, integers, strings, arrays, objects."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # The product writes decimals as strings; a float's shortest text is not needed here.
        raise ValueError("a non-integer number, which the product never writes")
    if isinstance(value, str):
        # JSON string escaping as ECMAScript's JSON.stringify does it: \" \\ \b \f \n \r \t, other
        # control characters as \u00xx, everything else as itself.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        # Keys in the order of their UTF-16 code units, as RFC 8785 sorts them.
        keys = sorted(value.keys(), key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(canonical(k) + ":" + canonical(value[k]) for k in keys) + "}"
    raise ValueError("not a JSON value: %r" % (value,))


def no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError("the key %r appears twice" % key)
        obj[key] = value
    return obj


def refuse_constant(name):
    raise ValueError("%s is not JSON" % name)


def verify(path, expected_head):
    prev = GENESIS
    count = 0
    seen_expected = expected_head is None or expected_head == GENESIS
    head = None
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            where = "line %d" % number
            if head is not None:
                return fail(where, "text after the head line")
            if not raw.endswith(b"\n"):
                return fail(where, "the last line has no line end: the file is cut short")
            try:
                text = raw[:-1].decode("utf-8")
                obj = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=refuse_constant)
                if canonical(obj) != text:
                    return fail(where, "the line is not in RFC 8785 canonical form")
            except ValueError as e:
                return fail(where, "not canonical JSON: %s" % e)
            if isinstance(obj, dict) and list(obj.keys()) == ["head"]:
                head = obj["head"]
                continue
            expected_id = str(count + 1)
            if not isinstance(obj, dict) or sorted(obj.keys()) != sorted(EVENT_KEYS + ["hash", "prev_hash"]):
                return fail(where, "not an event: expected the keys %s" % ", ".join(EVENT_KEYS + ["prev_hash", "hash"]))
            where = "line %d (event %s)" % (number, obj["id"])
            if obj["id"] != expected_id:
                return fail(where, "gap in ids: expected event %s" % expected_id)
            if obj["prev_hash"] != prev:
                return fail(where, "prev_hash mismatch: it is %s, the previous hash is %s" % (obj["prev_hash"], prev))
            event = {k: obj[k] for k in EVENT_KEYS}
            computed = hashlib.sha256((obj["prev_hash"] + canonical(event)).encode("utf-8")).hexdigest()
            if computed != obj["hash"]:
                return fail(where, "hash mismatch: it says %s, the event hashes to %s" % (obj["hash"], computed))
            prev = obj["hash"]
            count += 1
            if prev == expected_head:
                seen_expected = True
    if head is None:
        return fail("end of file", "no head line: the export is cut short or was not finished")
    if not isinstance(head, dict) or head.get("events") != count or head.get("hash") != prev:
        return fail("head line", "it says %r, but the file holds %d events ending in hash %s" % (head, count, prev))
    if not seen_expected:
        return fail("head", "the expected head hash %s is not in this chain" % expected_head)
    print("OK: %d events, head hash %s" % (count, prev))
    return 0


def fail(where, what):
    print("BROKEN at %s: %s" % (where, what))
    return 1


def main(argv):
    args = argv[1:]
    expected = None
    if len(args) == 3 and args[1] == "--head":
        expected = args[2].strip().lower()
        args = args[:1]
    if len(args) != 1:
        print("usage: verify-audit-export.py EXPORT.jsonl [--head HASH]", file=sys.stderr)
        return 2
    try:
        return verify(args[0], expected)
    except OSError as e:
        print("cannot read %s: %s" % (args[0], e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
