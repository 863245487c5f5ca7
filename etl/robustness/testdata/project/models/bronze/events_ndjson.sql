-- Events of the ndjson feed, typed; a row that cannot be typed goes to
-- events_ndjson_rejects with the reason.
{{ typed_events(source('raw', 'events_ndjson')) }}
