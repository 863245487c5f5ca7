-- Per session and key: the latest valid value, when it was given, and when
-- the key was first answered (which orders a session's keys).
SELECT
    customer,
    flow,
    session,
    answer_key,
    arg_max(answer_value, key_seen) AS answer_value,
    arg_max(event_at, key_seen) AS answered_at,
    min(key_seen) AS first_seen
FROM {{ ref('chatbot_answer_events') }}
GROUP BY customer, flow, session, answer_key
