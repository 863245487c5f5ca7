-- One row per valid answer: an event's key whose value is not blank.
-- key_seen orders answers as they arrived (time, then file order, then the
-- key's place in its event), which decides both "latest value" and the
-- order of a flow's keys.
WITH answers AS (
    SELECT
        e.customer,
        e.flow,
        e.session,
        e.event_at,
        k.answer_key,
        k.key_index,
        e.content ->> k.answer_key AS answer_value,
        e._source_file,
        e._source_line
    FROM {{ ref('chatbot_events') }} AS e,
        unnest(json_keys(e.content)) WITH ORDINALITY AS k(answer_key, key_index)
)
SELECT
    customer,
    flow,
    session,
    event_at,
    answer_key,
    answer_value,
    row_number() OVER (ORDER BY event_at, _source_file, _source_line, key_index) AS key_seen
FROM answers
WHERE nullif(trim(answer_value), '') IS NOT NULL
