-- Events of the csv feed, typed; a row that cannot be typed goes to
-- events_csv_rejects with the reason.
{{ typed_events(source('raw', 'events_csv')) }}
