-- Every typed event of the three feeds, with the feed it came in.
SELECT 'csv' AS feed, id, amount, event_at, day, length(note) AS note_length, _source_file, _source_line
FROM {{ ref('events_csv') }}
UNION ALL
SELECT 'ndjson', id, amount, event_at, day, length(note), _source_file, _source_line
FROM {{ ref('events_ndjson') }}
UNION ALL
SELECT 'json', id, amount, event_at, day, length(note), _source_file, _source_line
FROM {{ ref('events_json') }}
ORDER BY feed, _source_file, _source_line
