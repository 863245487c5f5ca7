-- Events of the json feed, typed; a row that cannot be typed goes to
-- events_json_rejects with the reason.
{{ typed_events(source('raw', 'events_json')) }}
